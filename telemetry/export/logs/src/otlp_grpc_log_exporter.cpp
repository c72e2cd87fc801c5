#include "tome/telemetry/export/otlp_grpc_log_exporter.hpp"

#include <algorithm>

namespace tome::telemetry::exporter {
namespace {

OtlpGrpcTransportOptions WithLogsMethod(OtlpGrpcTransportOptions o) {
    o.method = std::string(kOtlpGrpcLogsExportMethod);
    return o;
}

}  // namespace

OtlpGrpcLogExporter::OtlpGrpcLogExporter(OtlpGrpcTransportOptions options)
    : transport_(WithLogsMethod(std::move(options))) {}

OtlpGrpcLogExporter::~OtlpGrpcLogExporter() { transport_.Shutdown(); }

logs::ExportResult OtlpGrpcLogExporter::Export(
    std::span<const std::unique_ptr<logs::LogRecord>> batch, Clock::time_point deadline) noexcept {
    using logs::ExportResult;
    if (!setup_error().empty() || transport_.is_shutdown())
        return ExportResult::kFailureNonRetryable;
    if (batch.empty()) return ExportResult::kSuccess;
    try {
        std::string body;
        logs::EncodeOtlpLogs(batch, body);
        return AccountOtlpSend(transport_.Send(body, deadline), batch.size(), exported_,
                               rejected_, failures_);
    } catch (...) {
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    return ExportResult::kFailureNonRetryable;
}

bool OtlpGrpcLogExporter::Shutdown(std::chrono::milliseconds) noexcept {
    transport_.Shutdown();
    return true;
}

logs::OtlpHttpLogExporterStats OtlpGrpcLogExporter::stats() const noexcept {
    return {exported_.load(std::memory_order_relaxed), rejected_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed), transport_.stats().retries};
}

Result<std::unique_ptr<logs::LogExporter>> MakeOtlpGrpcLogExporter(
    OtlpGrpcTransportOptions options) {
    auto e = std::make_unique<OtlpGrpcLogExporter>(std::move(options));
    if (!e->setup_error().empty()) return Error{e->setup_error()};
    return std::unique_ptr<logs::LogExporter>(std::move(e));
}

}  // namespace tome::telemetry::exporter
