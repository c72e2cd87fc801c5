#include "tome/telemetry/export/otlp_http_exporter.hpp"

#include "tome/telemetry/export/otlp_encoder.hpp"
#include "trace_send_result.hpp"

namespace tome::telemetry::exporter {

using trace::ExportResult;

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
        return internal::TraceSendResult(
            transport_.Send(body, json ? kOtlpJsonContentType : kOtlpProtobufContentType,
                            deadline),
            json, *stats_);
    } catch (...) {
    }
    return ExportResult::kFailureNonRetryable;
}

bool OtlpHttpExporter::Shutdown(std::chrono::milliseconds) noexcept {
    transport_.Shutdown();
    return true;
}

}  // namespace tome::telemetry::exporter
