#include "instrumentation.hpp"

#include "tome/core/response_time_metric.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>
#include <vector>

#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/trace/feature_flag.hpp"

namespace tome::connector::internal {
namespace {

constexpr std::string_view kScope = "tome.connector";
constexpr std::string_view kVersion = "1";

std::string_view OperationName(Operation operation) {
    switch (operation) {
        case Operation::kEventSend:
            return "event.send";
        case Operation::kBroadcast:
            return "broadcast";
        case Operation::kEventContinue:
            return "event.continue";
        case Operation::kConnectionCreate:
            return "connection.create";
        case Operation::kConnectionDelete:
            return "connection.delete";
        case Operation::kNetworkCreate:
            return "network.create";
    }
    return "unknown";
}

}  // namespace

Instrumentation::Instrumentation(const ConnectorOptions& options, const Clock& clock_in)
    : tracer_provider(options.tracer_provider ? options.tracer_provider
                                              : trace::GetTracerProvider()),
      meter_provider(options.meter_provider ? options.meter_provider : metrics::GetMeterProvider()),
      logger_provider(options.logger_provider ? options.logger_provider
                                              : logs::GetLoggerProvider()),
      tracer(tracer_provider->GetTracer(kScope, kVersion)),
      logger(logger_provider->GetLogger(kScope, kVersion)),
      clock(clock_in),
      service(options.service_name),
      environment(options.environment),
      meter(meter_provider->GetMeter("tome", kVersion)) {
    connections_total = meter
                            .CreateCounter<std::uint64_t>(
                                "tome.connections.total",
                                {.description = "Connections created, by tome.connection_type",
                                 .unit = "{connection}"})
                            .instrument;
    connections_two_way = connections_total.Bind({{attr::kConnectionType, "two-way"}});
    connections_one_way = connections_total.Bind({{attr::kConnectionType, "one-way"}});
    // By direction only: event types, tome ids and connection ids would be unbounded series.
    auto forwarded = meter
                         .CreateCounter<std::uint64_t>(
                             "tome.events.forwarded",
                             {.description = "Events delivered over a connection, by direction",
                              .unit = "{event}"})
                         .instrument;
    forwarded_forward = forwarded.Bind({{attr::kDirection, "forward"}});
    forwarded_reverse = forwarded.Bind({{attr::kDirection, "reverse"}});
    auto drops =
        meter
            .CreateCounter<std::uint64_t>(
                "tome.events.dropped",
                {.description = "Forwards and syncs not delivered, by reason", .unit = "{event}"})
            .instrument;
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
        dropped[i] = drops.Bind({{attr::kDropReason, DropReasonName(static_cast<DropReason>(i))}});
    }
    // Milliseconds over OTLP, as the original system named it (tome.response_time_ms); the
    // Prometheus exposition converts it to seconds (tome_response_time_seconds).
    auto histogram = meter
                         .CreateHistogram<double>(
                             metric_defs::kResponseTimeName,
                             {.description = metric_defs::kResponseTimeDescription,
                              .unit = metric_defs::kResponseTimeUnit,
                              .histogram_boundaries = metric_defs::ResponseTimeBoundsMillis()})
                         .instrument;
    for (std::size_t i = 0; i < kOperationCount; ++i) {
        response_time[i] =
            histogram.Bind({{attr::kOperation, OperationName(static_cast<Operation>(i))}});
    }
}

trace::Span Instrumentation::Start(std::string_view name,
                                   std::initializer_list<trace::AttributeKV> attributes,
                                   const trace::Context* parent,
                                   trace::SpanKind kind) const noexcept {
    // Business context from baggage; `parent` (or the current Context) outlives the call, so
    // the views stay valid while the tracer copies them.
    const trace::Context& from = parent != nullptr ? *parent : trace::Context::Current();
    const OperationAttributes all(service, environment, attributes,
                                  tracer.Enabled() ? &from.baggage : nullptr);
    trace::StartSpanOptions start;
    start.kind = kind;
    start.parent = parent;
    start.attributes = all.view();
    return tracer.StartSpan(name, start);
}

trace::Span Instrumentation::StartDelivery(std::string_view name, std::string_view event_type,
                                           std::size_t hop, std::string_view receiver,
                                           std::string_view event_id, const ConnectionState* via,
                                           const trace::Context& parent,
                                           trace::SpanKind kind) const noexcept {
    if (via == nullptr) {
        return Start(name,
                     {{attr::kEventType, event_type},
                      {attr::kHop, hop},
                      {attr::kTarget, receiver},
                      {attr::kEventId, event_id}},
                     &parent, kind);
    }
    const bool forward = via->target == receiver;
    const std::string_view direction = forward ? "forward" : "reverse";
    // The sending tome: with tome.target it names the edge of the network this delivery took.
    const std::string_view sender = forward ? std::string_view(via->source) : std::string_view(via->target);
    return Start(name,
                 {{attr::kEventType, event_type},
                  {attr::kHop, hop},
                  {attr::kSource, sender},
                  {attr::kTarget, receiver},
                  {attr::kEventId, event_id},
                  {attr::kConnectionId, std::string_view(via->id)},
                  {attr::kDirection, direction}},
                 &parent, kind);
}

void Instrumentation::LogSlow(logs::Severity severity, std::string_view message,
                              std::initializer_list<trace::AttributeKV> attributes,
                              const trace::SpanContext& span,
                              const trace::Baggage& baggage) const noexcept {
    const OperationAttributes all(service, environment, attributes, &baggage);
    logger->Log(severity, message, all.view(), span,
                static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               clock.Now().time_since_epoch())
                                               .count()));
}

void Instrumentation::FlagEvaluated(trace::Span& span, std::string_view key, bool value) noexcept {
    trace::AddFeatureFlagEvaluation(span, key, value);
}

void Instrumentation::Timed(Operation operation, double seconds) const noexcept {
    response_time[static_cast<std::size_t>(operation)].Record(seconds * 1000.0);
}

trace::Context ParentContext(const TraceParent& parent) {
    const trace::Context& current = trace::Context::Current();
    if (parent.trace_id.empty()) return current;
    const auto trace_id = telemetry::TraceId::FromHex(parent.trace_id);
    const auto span_id = parent.span_id.empty() ? std::optional<telemetry::SpanId>()
                                                : telemetry::SpanId::FromHex(parent.span_id);
    const trace::SpanContext& sc = current.span_context;
    if (trace_id && sc.IsValid() && sc.trace_id == *trace_id &&
        (!span_id || sc.span_id == *span_id)) {
        return current;  // the API's SERVER span (or a caller's span): keep its flags and state
    }
    trace::SpanContext remote;
    remote.trace_id = trace_id.value_or(telemetry::TraceId{});
    remote.span_id = span_id.value_or(telemetry::GenerateSpanId());
    remote.trace_flags = trace::kTraceFlagSampled;
    remote.is_remote = true;
    return current.WithSpanContext(std::move(remote));
}

}  // namespace tome::connector::internal
