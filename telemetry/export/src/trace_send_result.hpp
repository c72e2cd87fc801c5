// What one OTLP send of spans means to a trace exporter, shared by the HTTP and gRPC trace
// exporters: success (with the receiver's partial_success rejections counted into SelfStats,
// never retried), or a failure that is or is not worth retrying. Private to export/.
#pragma once

#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/export/otlp_encoder.hpp"
#include "tome/telemetry/export/otlp_http_transport.hpp"
#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::exporter::internal {

/// `json`: the response is an OTLP/JSON ExportTraceServiceResponse, else protobuf.
inline trace::ExportResult TraceSendResult(const OtlpSendResult& r, bool json,
                                           SelfStats& stats) noexcept {
    switch (r.status) {
        case OtlpSendStatus::kSuccess: {
            const auto ps = json ? DecodePartialSuccessJson(r.response)
                                 : DecodePartialSuccessProto(r.response);
            if (ps && ps->rejected_spans > 0) {
                stats.Add(SelfStats::Counter::kRejectedByReceiver,
                          static_cast<std::uint64_t>(ps->rejected_spans));
            }
            return trace::ExportResult::kSuccess;
        }
        case OtlpSendStatus::kFailureRetryable:
            return trace::ExportResult::kFailureRetryable;
        case OtlpSendStatus::kFailureNonRetryable:
            break;
    }
    return trace::ExportResult::kFailureNonRetryable;
}

}  // namespace tome::telemetry::exporter::internal
