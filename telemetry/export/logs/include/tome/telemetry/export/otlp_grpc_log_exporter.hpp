// OTLP/gRPC log exporter: each batch is encoded by logs::EncodeOtlpLogs
// (ExportLogsServiceRequest) and sent to /opentelemetry.proto.collector.logs.v1.LogsService/
// Export through the shared OtlpGrpcTransport (TLS, metadata, gzip, deadline, retries by the
// OTLP table honouring RetryInfo). Without TOME_WITH_GRPC every Export fails and
// MakeOtlpGrpcLogExporter says why. partial_success.rejected_log_records is counted, never
// retried. Threading: Export is never called concurrently (LogExporter contract); Shutdown and
// stats() may be called from any thread, and Shutdown makes a running Export return promptly.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/export/otlp_grpc_transport.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"

namespace tome::telemetry::exporter {

/// Options: the transport's; `method` is always set to kOtlpGrpcLogsExportMethod.
class OtlpGrpcLogExporter final : public logs::LogExporter {
public:
    explicit OtlpGrpcLogExporter(OtlpGrpcTransportOptions options);
    ~OtlpGrpcLogExporter() override;

    logs::ExportResult Export(std::span<const std::unique_ptr<logs::LogRecord>> batch,
                              Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    /// Same counters as the HTTP log exporter.
    logs::OtlpHttpLogExporterStats stats() const noexcept;
    /// Why the exporter cannot send (empty when it can).
    const std::string& setup_error() const noexcept { return transport_.setup_error(); }

private:
    OtlpGrpcTransport transport_;
    std::atomic<std::uint64_t> exported_{0}, rejected_{0}, failures_{0};
};

/// An OtlpGrpcLogExporter, or an error naming what is wrong (no gRPC in this build, a bad
/// endpoint, an unreadable certificate file).
Result<std::unique_ptr<logs::LogExporter>> MakeOtlpGrpcLogExporter(
    OtlpGrpcTransportOptions options);

}  // namespace tome::telemetry::exporter
