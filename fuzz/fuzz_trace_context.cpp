// libFuzzer target: the W3C headers a caller controls, through the trace SDK's parsers
// (traceparent, tracestate, baggage, the W3C composite propagator) and the API's reading of
// them (api::ExtractIncomingTrace, with the x-trace-id/x-span-id fallback).
//
// Input: lines, in order traceparent, tracestate, baggage, x-trace-id, x-span-id (missing
// lines are absent headers; "\r" before "\n" is kept, as a header value may hold it).
//
// Checked: a traceparent that parses formats and parses back to the same ids and flags (and a
// version-00 one formats to itself); a tracestate that parses has at most 32 members and its
// normalised header parses to itself; baggage written by FormatBaggage parses to the same
// baggage and stays within the W3C limits; Extract -> Inject -> Extract keeps the context; the
// API's incoming trace ids are lowercase hex of the right length and agree with the SDK.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "tome/api/http.hpp"
#include "tome/api/trace_headers.hpp"
#include "tome/telemetry/trace/propagation.hpp"

namespace {

namespace trace = tome::telemetry::trace;

bool IsLowerHex(std::string_view s, std::size_t length) {
    if (s.size() != length) return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return s.find_first_not_of('0') != std::string_view::npos;
}

void CheckTraceParent(std::string_view value) {
    const auto sc = trace::ParseTraceParent(value);
    const auto incoming = tome::api::ParseTraceparent(value);
    TOME_FUZZ_CHECK(sc.has_value() == incoming.has_value(), "the API and the SDK disagree on a traceparent");
    if (!sc) return;
    TOME_FUZZ_CHECK(sc->IsValid() && sc->is_remote, "a parsed traceparent is invalid or not remote");
    const std::string formatted = trace::FormatTraceParent(*sc);
    const auto again = trace::ParseTraceParent(formatted);
    TOME_FUZZ_CHECK(again && again->trace_id == sc->trace_id && again->span_id == sc->span_id &&
                        again->trace_flags == sc->trace_flags,
                    "traceparent does not round-trip: " + formatted);
    if (value.size() == 55 && value.substr(0, 2) == "00") {
        TOME_FUZZ_CHECK(formatted == value, "a version-00 traceparent formats differently: " + formatted);
    }
    TOME_FUZZ_CHECK(incoming->trace_id == sc->trace_id.ToHex() && IsLowerHex(incoming->trace_id, 32) &&
                        IsLowerHex(incoming->parent_span_id, 16),
                    "the API's ids differ from the SDK's");
}

void CheckTraceState(std::string_view value) {
    const auto ts = trace::TraceState::Parse(value);
    if (!ts) return;
    const std::string header(ts->header());
    std::size_t members = header.empty() ? 0 : 1;
    for (char c : header) members += c == ',' ? 1 : 0;
    TOME_FUZZ_CHECK(members <= trace::kMaxTraceStateMembers, "more than 32 tracestate members: " + header);
    const auto again = trace::TraceState::Parse(header);
    TOME_FUZZ_CHECK(again && again->header() == header, "normalised tracestate does not parse to itself: " + header);
    // Set moves a member to the front and never grows the list past 32.
    const trace::TraceState set = ts->Set("fuzz", "1");
    TOME_FUZZ_CHECK(set.Get("fuzz") == std::optional<std::string_view>("1"), "TraceState::Set lost the member");
    TOME_FUZZ_CHECK(trace::TraceState::Parse(set.header()).has_value(), "TraceState::Set made an invalid header");
}

void CheckBaggage(std::string_view value) {
    const trace::Baggage parsed = trace::ParseBaggage(value);
    TOME_FUZZ_CHECK(parsed.size() <= trace::kMaxBaggageMembers, "baggage past its member limit");
    const std::string formatted = trace::FormatBaggage(parsed);
    TOME_FUZZ_CHECK(formatted.size() <= trace::kMaxBaggageBytes, "formatted baggage past its byte limit");
    const trace::Baggage again = trace::ParseBaggage(formatted);
    TOME_FUZZ_CHECK(trace::FormatBaggage(again) == formatted, "baggage does not round-trip: " + formatted);
    for (const auto& e : again.entries()) {
        TOME_FUZZ_CHECK(again.Get(e.key) == std::optional<std::string_view>(e.value), "baggage Get disagrees");
    }
}

void CheckPropagator(const std::vector<std::string_view>& lines) {
    static const auto propagator = trace::MakeW3cPropagator();
    trace::MapCarrier in;
    const char* const names[] = {"traceparent", "tracestate", "baggage"};
    for (std::size_t i = 0; i < lines.size() && i < 3; ++i) in.Set(names[i], lines[i]);
    const trace::Context first = propagator->Extract(in, trace::Context{});
    trace::MapCarrier out;
    propagator->Inject(first, out);
    const trace::Context second = propagator->Extract(out, trace::Context{});
    TOME_FUZZ_CHECK(second.span_context == first.span_context, "Extract -> Inject -> Extract changed the span context");
    TOME_FUZZ_CHECK(trace::FormatBaggage(second.baggage) == trace::FormatBaggage(first.baggage),
                    "Extract -> Inject -> Extract changed the baggage");
}

void CheckIncomingTrace(const std::vector<std::string_view>& lines) {
    tome::api::HttpRequest request;
    const char* const names[] = {"traceparent", "tracestate", "baggage", "x-trace-id", "x-span-id"};
    for (std::size_t i = 0; i < lines.size() && i < 5; ++i) request.headers[names[i]] = std::string(lines[i]);
    const auto incoming = tome::api::ExtractIncomingTrace(request);
    if (!incoming) return;
    TOME_FUZZ_CHECK(IsLowerHex(incoming->trace_id, 32), "incoming trace id is not 32 lowercase hex: " + incoming->trace_id);
    TOME_FUZZ_CHECK(incoming->parent_span_id.empty() || IsLowerHex(incoming->parent_span_id, 16),
                    "incoming parent span id is not 16 lowercase hex: " + incoming->parent_span_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> lines;
    while (lines.size() < 5) {
        const std::size_t end = input.find('\n');
        lines.push_back(input.substr(0, end));
        if (end == std::string_view::npos) break;
        input.remove_prefix(end + 1);
    }
    CheckTraceParent(lines[0]);
    if (lines.size() > 1) CheckTraceState(lines[1]);
    if (lines.size() > 2) CheckBaggage(lines[2]);
    CheckPropagator(lines);
    CheckIncomingTrace(lines);
    return 0;
}
