// Reading the caller's trace context from request headers: W3C `traceparent`/`tracestate`
// first, then the original system's `x-trace-id`/`x-span-id`. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tome/api/http.hpp"

namespace tome::api {

struct IncomingTrace {
    std::string trace_id;        ///< 32 lowercase hex, valid (non-zero).
    std::string parent_span_id;  ///< 16 lowercase hex, or empty when only x-trace-id was given.
    std::string tracestate;
    bool sampled = true;
};

/// Parses a W3C traceparent value (through telemetry::trace::ParseTraceParent). Returns nullopt
/// for anything the Trace Context spec says to ignore: version ff or non-hex, wrong lengths,
/// uppercase hex, all-zero ids, version 00 with trailing data.
std::optional<IncomingTrace> ParseTraceparent(std::string_view value);

/// traceparent (with tracestate) when valid; else x-trace-id (+ x-span-id) when they are valid
/// ids; else nullopt.
std::optional<IncomingTrace> ExtractIncomingTrace(const HttpRequest& request);

}  // namespace tome::api
