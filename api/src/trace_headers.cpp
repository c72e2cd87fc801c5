#include "tome/api/trace_headers.hpp"

#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/trace/propagation.hpp"

namespace tome::api {

std::optional<IncomingTrace> ParseTraceparent(std::string_view v) {
    // One W3C parser for the whole process: the trace SDK's.
    const auto sc = telemetry::trace::ParseTraceParent(v);
    if (!sc) return std::nullopt;
    IncomingTrace out;
    out.trace_id = sc->trace_id.ToHex();
    out.parent_span_id = sc->span_id.ToHex();
    out.sampled = sc->IsSampled();
    return out;
}

std::optional<IncomingTrace> ExtractIncomingTrace(const HttpRequest& request) {
    if (auto tp = request.Header("traceparent"); !tp.empty()) {
        if (auto parsed = ParseTraceparent(tp)) {
            parsed->tracestate = std::string(request.Header("tracestate"));
            return parsed;
        }
    }
    const auto trace = request.Header("x-trace-id");
    if (trace.empty()) return std::nullopt;
    auto tid = telemetry::TraceId::FromHex(trace);
    if (!tid || !tid->IsValid()) return std::nullopt;
    IncomingTrace out;
    out.trace_id = std::string(trace);
    const auto span = request.Header("x-span-id");
    if (auto sid = telemetry::SpanId::FromHex(span); sid && sid->IsValid()) {
        out.parent_span_id = std::string(span);
    }
    return out;
}

}  // namespace tome::api
