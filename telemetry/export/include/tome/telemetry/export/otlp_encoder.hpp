// OTLP trace encoders: SpanData straight to an ExportTraceServiceRequest in the protobuf wire
// format (no message objects) or in OTLP/JSON (hex ids, integer enums, 64-bit integers as
// strings). Pure functions, safe to call from any thread. Spans are grouped by resource and
// instrumentation scope, in order of first appearance.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::exporter {

using SpanBatch = std::span<const std::unique_ptr<trace::SpanData>>;

/// Appends the protobuf encoding of ExportTraceServiceRequest{resource_spans} to `out`. Every
/// string field is valid UTF-8: ill-formed subparts become U+FFFD (utf8.hpp).
void EncodeOtlpProto(SpanBatch spans, std::string& out);
/// Benchmarks only: EncodeOtlpProto without the UTF-8 check, to measure what it costs. The
/// output is not valid OTLP when a string is not UTF-8.
void EncodeOtlpProtoWithoutUtf8CheckForTesting(SpanBatch spans, std::string& out);
inline std::string EncodeOtlpProto(SpanBatch spans) {
    std::string out;
    EncodeOtlpProto(spans, out);
    return out;
}

/// Appends the OTLP/JSON encoding of the same request to `out` (strings valid UTF-8 likewise).
void EncodeOtlpJson(SpanBatch spans, std::string& out);
inline std::string EncodeOtlpJson(SpanBatch spans) {
    std::string out;
    EncodeOtlpJson(spans, out);
    return out;
}

/// ExportTracePartialSuccess as decoded from a response body.
struct PartialSuccess {
    std::int64_t rejected_spans = 0;
    std::string error_message;
};

/// Decodes ExportTraceServiceResponse (protobuf). nullopt when partial_success is absent or the
/// body is malformed.
std::optional<PartialSuccess> DecodePartialSuccessProto(std::string_view body) noexcept;
/// The same for an OTLP/JSON response body ({"partialSuccess":{"rejectedSpans":"3",...}}).
std::optional<PartialSuccess> DecodePartialSuccessJson(std::string_view body) noexcept;

}  // namespace tome::telemetry::exporter
