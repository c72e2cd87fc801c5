#include "tome/api/trace_headers.hpp"

#include "tome/telemetry/api/ids.hpp"

namespace tome::api {
namespace {

bool IsLowerHex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

}  // namespace

std::optional<IncomingTrace> ParseTraceparent(std::string_view v) {
    // version "-" trace-id "-" parent-id "-" flags  => 2+1+32+1+16+1+2 = 55
    if (v.size() < 55) return std::nullopt;
    const std::string_view version = v.substr(0, 2);
    if (!IsLowerHex(version) || version == "ff") return std::nullopt;
    if (v[2] != '-' || v[35] != '-' || v[52] != '-') return std::nullopt;
    if (version == "00" && v.size() != 55) return std::nullopt;
    if (v.size() > 55 && v[55] != '-') return std::nullopt;  // future versions: more after '-'
    const std::string_view trace = v.substr(3, 32);
    const std::string_view span = v.substr(36, 16);
    const std::string_view flags = v.substr(53, 2);
    if (!IsLowerHex(trace) || !IsLowerHex(span) || !IsLowerHex(flags)) return std::nullopt;
    auto tid = telemetry::TraceId::FromHex(trace);
    auto sid = telemetry::SpanId::FromHex(span);
    if (!tid || !sid || !tid->IsValid() || !sid->IsValid()) return std::nullopt;
    IncomingTrace out;
    out.trace_id = std::string(trace);
    out.parent_span_id = std::string(span);
    const int flag_bits = std::stoi(std::string(flags), nullptr, 16);
    out.sampled = (flag_bits & 0x01) != 0;
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
