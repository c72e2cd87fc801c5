#include "tome/telemetry/export/otlp_grpc_exporter.hpp"

#include "tome/telemetry/export/otlp_encoder.hpp"
#include "trace_send_result.hpp"

namespace tome::telemetry::exporter {

using trace::ExportResult;

namespace {

OtlpGrpcTransportOptions TransportOptions(const OtlpGrpcExporterOptions& o, SelfStats* stats) {
    OtlpGrpcTransportOptions t;
    t.method = std::string(kOtlpGrpcTraceExportMethod);
    t.endpoint = o.endpoint;
    t.insecure = o.insecure;
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

OtlpGrpcExporter::OtlpGrpcExporter(OtlpGrpcExporterOptions options)
    : options_(std::move(options)),
      stats_(options_.stats ? options_.stats : &DefaultSelfStats()),
      transport_(TransportOptions(options_, stats_)) {}

OtlpGrpcExporter::~OtlpGrpcExporter() { transport_.Shutdown(); }

ExportResult OtlpGrpcExporter::Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                                      Clock::time_point deadline) noexcept {
    if (!setup_error().empty() || transport_.is_shutdown())
        return ExportResult::kFailureNonRetryable;
    if (batch.empty()) return ExportResult::kSuccess;
    try {
        // Partial success is never retried.
        return internal::TraceSendResult(transport_.Send(EncodeOtlpProto(batch), deadline),
                                         /*json=*/false, *stats_);
    } catch (...) {
    }
    return ExportResult::kFailureNonRetryable;
}

bool OtlpGrpcExporter::Shutdown(std::chrono::milliseconds) noexcept {
    transport_.Shutdown();
    return true;
}

Result<std::unique_ptr<trace::SpanExporter>> MakeOtlpGrpcExporter(
    OtlpGrpcExporterOptions options) {
    auto e = std::make_unique<OtlpGrpcExporter>(std::move(options));
    if (!e->setup_error().empty()) return Error{e->setup_error()};
    return std::unique_ptr<trace::SpanExporter>(std::move(e));
}

}  // namespace tome::telemetry::exporter
