#include "instrumentation.hpp"

#include <array>
#include <utility>
#include <vector>

#include "tome/core/response_time_metric.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::robotcopy::internal {
namespace {

template <std::size_t... I>
std::array<trace::AttributeKV, sizeof...(I)> Filled(const trace::AttributeKV& kv,
                                                    std::index_sequence<I...>) {
    return {((void)I, kv)...};
}

}  // namespace

Instrumentation::Instrumentation(const RobotCopyOptions& options)
    : tracer_provider(options.tracer_provider ? options.tracer_provider
                                              : trace::GetTracerProvider()),
      meter_provider(options.meter_provider ? options.meter_provider : metrics::GetMeterProvider()),
      tracer(tracer_provider->GetTracer("tome.robotcopy", "1")),
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
    constexpr std::size_t kMax = 12;
    auto all =
        Filled({"robotcopy.service", std::string_view(service)}, std::make_index_sequence<kMax>());
    all[1] = {"robotcopy.environment", std::string_view(environment)};
    std::size_t n = 2;
    for (const auto& kv : attributes) {
        if (n == kMax) break;
        all[n++] = kv;
    }
    trace::StartSpanOptions start;
    start.kind = kind;
    start.parent = parent;
    start.root = root;
    start.attributes = std::span<const trace::AttributeKV>(all.data(), n);
    return tracer.StartSpan(name, start);
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
