#include "instrumentation.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>
#include <vector>

#include "tome/core/response_time_metric.hpp"
#include "tome/connector/business_context.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::robotcopy::internal {

Instrumentation::Instrumentation(const RobotCopyOptions& options, const Clock& clock_in)
    : tracer_provider(options.tracer_provider ? options.tracer_provider
                                              : trace::GetTracerProvider()),
      meter_provider(options.meter_provider ? options.meter_provider : metrics::GetMeterProvider()),
      logger_provider(options.logger_provider ? options.logger_provider
                                              : logs::GetLoggerProvider()),
      tracer(tracer_provider->GetTracer("tome.robotcopy", "1")),
      logger(logger_provider->GetLogger("tome.robotcopy", "1")),
      clock(clock_in),
      service(options.service_name),
      environment(options.environment) {
    // Shared with the connector (tome/core/response_time_metric.hpp): one tome.response_time_ms.
    auto histogram = meter_provider->GetMeter("tome", "1")
                         .CreateHistogram<double>(
                             metric_defs::kResponseTimeName,
                             {.description = metric_defs::kResponseTimeDescription,
                              .unit = metric_defs::kResponseTimeUnit,
                              .histogram_boundaries = metric_defs::ResponseTimeBoundsMillis()})
                         .instrument;
    send_time = histogram.Bind({{"tome.operation", "sendMessage"}});
    health_time = histogram.Bind({{"tome.operation", "health.check"}});
}

trace::Span Instrumentation::Start(std::string_view name,
                                   std::initializer_list<trace::AttributeKV> attributes,
                                   const trace::Context* parent, trace::SpanKind kind,
                                   bool root) const noexcept {
    // A root span starts a new unit of work: the caller's business context is not its own.
    const trace::Context& from = parent != nullptr ? *parent : trace::Context::Current();
    const connector::OperationAttributes all(
        service, environment, attributes, tracer.Enabled() && !root ? &from.baggage : nullptr);
    trace::StartSpanOptions start;
    start.kind = kind;
    start.parent = parent;
    start.root = root;
    start.attributes = all.view();
    return tracer.StartSpan(name, start);
}

void Instrumentation::LogSlow(logs::Severity severity, std::string_view message,
                              std::initializer_list<trace::AttributeKV> attributes,
                              const trace::SpanContext& span,
                              const trace::Baggage& baggage) const noexcept {
    const connector::OperationAttributes all(service, environment, attributes, &baggage);
    logger->Log(severity, message, all.view(), span,
                static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               clock.Now().time_since_epoch())
                                               .count()));
}

trace::Context ParentContext(const TraceContext& ctx) {
    const trace::Context& current = trace::Context::Current();
    if (ctx.trace_id.empty()) return current;
    const auto trace_id = telemetry::TraceId::FromHex(ctx.trace_id);
    const auto span_id = ctx.span_id.empty() ? std::optional<telemetry::SpanId>()
                                             : telemetry::SpanId::FromHex(ctx.span_id);
    const trace::SpanContext& sc = current.span_context;
    if (trace_id && sc.IsValid() && sc.trace_id == *trace_id &&
        (!span_id || sc.span_id == *span_id)) {
        return current;
    }
    trace::SpanContext remote;
    remote.trace_id = trace_id.value_or(telemetry::TraceId{});
    remote.span_id = span_id.value_or(telemetry::GenerateSpanId());
    remote.trace_flags = trace::kTraceFlagSampled;
    remote.is_remote = true;
    return current.WithSpanContext(std::move(remote));
}

}  // namespace tome::robotcopy::internal
