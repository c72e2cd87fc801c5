#include "tome/telemetry/export/otlp_http_exporter.hpp"

#include "tome/telemetry/export/otlp_encoder.hpp"

namespace tome::telemetry::exporter {

using trace::ExportResult;
using Counter = SelfStats::Counter;

namespace {

OtlpHttpTransportOptions TransportOptions(const OtlpHttpExporterOptions& o, SelfStats* stats) {
    OtlpHttpTransportOptions t;
    t.endpoint = o.endpoint;
    t.headers = o.headers;
    t.compression = o.compression;
    t.timeout = o.timeout;
    t.certificate_file = o.certificate_file;
    t.initial_backoff = o.initial_backoff;
    t.max_backoff = o.max_backoff;
    t.max_attempts = o.max_attempts;
    t.stats = stats;
    return t;
}

}  // namespace

OtlpHttpExporter::OtlpHttpExporter(OtlpHttpExporterOptions options)
    : options_(std::move(options)),
      stats_(options_.stats ? options_.stats : &DefaultSelfStats()),
      transport_(TransportOptions(options_, stats_)) {}

OtlpHttpExporter::~OtlpHttpExporter() { transport_.Shutdown(); }

ExportResult OtlpHttpExporter::Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                                      Clock::time_point deadline) noexcept {
    if (transport_.is_shutdown()) return ExportResult::kFailureNonRetryable;
    if (batch.empty()) return ExportResult::kSuccess;
    try {
        const bool json = options_.protocol == OtlpProtocol::kHttpJson;
        const std::string body = json ? EncodeOtlpJson(batch) : EncodeOtlpProto(batch);
        const OtlpSendResult r = transport_.Send(
            body, json ? kOtlpJsonContentType : kOtlpProtobufContentType, deadline);
        switch (r.status) {
            case OtlpSendStatus::kSuccess: {
                const auto ps = json ? DecodePartialSuccessJson(r.response)
                                     : DecodePartialSuccessProto(r.response);
                if (ps && ps->rejected_spans > 0)
                    stats_->Add(Counter::kRejectedByReceiver,
                                static_cast<std::uint64_t>(ps->rejected_spans));
                return ExportResult::kSuccess;
            }
            case OtlpSendStatus::kFailureRetryable:
                return ExportResult::kFailureRetryable;
            case OtlpSendStatus::kFailureNonRetryable:
                break;
        }
    } catch (...) {
    }
    return ExportResult::kFailureNonRetryable;
}

bool OtlpHttpExporter::Shutdown(std::chrono::milliseconds) noexcept {
    transport_.Shutdown();
    return true;
}

}  // namespace tome::telemetry::exporter
