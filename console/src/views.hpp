// The JSON shapes of the console API (console/README.md) built from stored records: spans, log
// records, trace summaries and whole traces, RED figures. Pure functions over a Store's tables;
// call from any thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "log_record.hpp"
#include "red_ring.hpp"
#include "span_record.hpp"
#include "store.hpp"

namespace tome::console::internal {

using Json = nlohmann::json;

/// The spans of one trace, decoded and sorted by start time (records are kept alive here).
struct TraceSpans {
    std::vector<std::string> records;
    std::vector<SpanView> spans;
};
TraceSpans DecodeTrace(std::vector<std::string> records, const StringTable& strings);

/// TraceSummary; null JSON when the trace has no span.
Json TraceSummaryJson(const TraceSpans& trace, const Store& store);
/// Span (resource as an id into the trace's `resources`).
Json SpanJson(const SpanView& span, const Store& store);
/// LogRecord.
Json LogJson(const LogView& log, const Store& store);
/// Red over a window of `seconds`.
Json RedJson(const RedTotals& red, double seconds);
/// Resource attributes of a resource id.
Json ResourceJson(std::uint32_t resource_id, const Store& store);

/// Serialises an answer; never throws on invalid UTF-8 (replaced with U+FFFD).
std::string Dump(const Json& value);

}  // namespace tome::console::internal
