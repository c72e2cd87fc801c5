#include "tome/telemetry/export/otlp_grpc_exporter.hpp"

#include "tome/telemetry/export/otlp_encoder.hpp"

namespace tome::telemetry::exporter {

using trace::ExportResult;
using Counter = SelfStats::Counter;

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
        const OtlpSendResult r = transport_.Send(EncodeOtlpProto(batch), deadline);
        switch (r.status) {
            case OtlpSendStatus::kSuccess: {
                const auto ps = DecodePartialSuccessProto(r.response);
                if (ps && ps->rejected_spans > 0)
                    stats_->Add(Counter::kRejectedByReceiver,
                                static_cast<std::uint64_t>(ps->rejected_spans));
                return ExportResult::kSuccess;  // partial success is never retried
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
