#include "instrumentation.hpp"

#include "tome/core/response_time_metric.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <utility>
#include <vector>

#include "tome/telemetry/api/ids.hpp"

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

/// An array of N copies of `kv` (AttributeKV has no default constructor).
template <std::size_t... I>
std::array<trace::AttributeKV, sizeof...(I)> Filled(const trace::AttributeKV& kv,
                                                    std::index_sequence<I...>) {
    return {((void)I, kv)...};
}

constexpr std::string_view kBusinessPrefix = "business.";

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// A business baggage entry as an attribute value (views into `e`).
trace::AttributeView BusinessValue(const trace::Baggage::Entry& e) noexcept {
    const std::string_view type = Trim(e.metadata);
    const std::string_view v = e.value;
    if (type == "type=int") {
        std::int64_t i = 0;
        const auto r = std::from_chars(v.data(), v.data() + v.size(), i);
        if (r.ec == std::errc() && r.ptr == v.data() + v.size()) return i;
    } else if (type == "type=double") {
        char* end = nullptr;
        const double d = std::strtod(e.value.c_str(), &end);
        if (!v.empty() && end == e.value.c_str() + e.value.size()) return d;
    } else if (type == "type=bool" && (v == "true" || v == "false")) {
        return v == "true";
    }
    if (v.size() <= kMaxBusinessValueChars) return v;
    std::size_t n = kMaxBusinessValueChars;  // never cut inside a UTF-8 sequence
    while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
    return v.substr(0, n);
}

}  // namespace

Instrumentation::Instrumentation(const ConnectorOptions& options)
    : tracer_provider(options.tracer_provider ? options.tracer_provider
                                              : trace::GetTracerProvider()),
      meter_provider(options.meter_provider ? options.meter_provider : metrics::GetMeterProvider()),
      tracer(tracer_provider->GetTracer(kScope, kVersion)),
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
    // Seconds, not milliseconds: the Prometheus exposition appends the unit (`_seconds`), and
    // promtool rejects names that end in a non-base unit such as `_ms`.
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
    constexpr std::size_t kOwn = 12;
    constexpr std::size_t kMax = kOwn + kMaxBusinessAttributes;
    auto all =
        Filled({attr::kService, std::string_view(service)}, std::make_index_sequence<kMax>());
    all[1] = {attr::kEnvironment, std::string_view(environment)};
    std::size_t n = 2;
    for (const auto& kv : attributes) {
        if (n == kOwn) break;
        all[n++] = kv;
    }
    // Business context from baggage; `parent` (or the current Context) outlives the call, so
    // the views stay valid while the tracer copies them.
    if (tracer.Enabled()) {
        const trace::Context& from = parent != nullptr ? *parent : trace::Context::Current();
        for (const auto& e : from.baggage.entries()) {
            if (n == kMax) break;
            if (e.key.size() <= kBusinessPrefix.size() || !e.key.starts_with(kBusinessPrefix)) {
                continue;
            }
            all[n++] = {std::string_view(e.key), BusinessValue(e)};
        }
    }
    trace::StartSpanOptions start;
    start.kind = kind;
    start.parent = parent;
    start.attributes = std::span<const trace::AttributeKV>(all.data(), n);
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
    const std::string_view direction = via->target == receiver ? "forward" : "reverse";
    return Start(name,
                 {{attr::kEventType, event_type},
                  {attr::kHop, hop},
                  {attr::kTarget, receiver},
                  {attr::kEventId, event_id},
                  {attr::kConnectionId, std::string_view(via->id)},
                  {attr::kDirection, direction}},
                 &parent, kind);
}

void Instrumentation::FlagEvaluated(trace::Span& span, std::string_view key, bool value) noexcept {
    if (!span.IsRecording()) return;
    span.AddEvent("feature_flag.evaluation", {{"feature_flag.key", key},
                                              {"feature_flag.result.value", value},
                                              {"feature_flag.provider.name", "tome"}});
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
