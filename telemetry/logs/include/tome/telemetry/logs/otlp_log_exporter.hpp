// OTLP for logs: the encoders of ExportLogsServiceRequest (protobuf wire format written by hand,
// and OTLP/JSON; pure functions) and the OTLP/HTTP exporter POSTing it (application/x-protobuf
// or application/json) to /v1/logs through the shared
// exporter::OtlpHttpTransport (telemetry/export: libcurl, optional gzip, TLS CA file, retries
// with backoff and jitter honouring Retry-After on 429/502/503/504 and connection failures,
// within the timeout). The OTLP/gRPC log exporter lives in tome_telemetry_export_logs. Export
// is never called concurrently; Shutdown may be called from any thread and aborts a running
// Export promptly.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/export/otlp_http_transport.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"

namespace tome::telemetry::logs {

/// Appends the ExportLogsServiceRequest for `batch` to `out`, grouping records by resource and
/// scope (shared pointers compared by address), in batch order.
void EncodeOtlpLogs(std::span<const std::unique_ptr<LogRecord>> batch, std::string& out);

/// Appends the same ExportLogsServiceRequest as EncodeOtlpLogs in OTLP/JSON (lowerCamelCase
/// names, 64-bit integers as decimal strings, severityNumber as an integer, trace/span ids as
/// lowercase hex, bytesValue as base64); both forms decode to equal requests.
void EncodeOtlpLogsJson(std::span<const std::unique_ptr<LogRecord>> batch, std::string& out);

struct OtlpHttpLogExporterOptions {
    /// Full URL. Default http://localhost:4318/v1/logs.
    std::string endpoint = "http://localhost:4318/v1/logs";
    /// Body encoding: protobuf (application/x-protobuf) or OTLP/JSON (application/json); the
    /// response's partial_success is read in the same encoding. Default http/protobuf.
    exporter::OtlpProtocol protocol = exporter::OtlpProtocol::kHttpProtobuf;
    /// Extra request headers (e.g. api keys). Default none.
    std::vector<std::pair<std::string, std::string>> headers;
    /// gzip the body. Default false.
    bool gzip = false;
    /// Budget for one Export including retries. Default 10000 ms.
    std::chrono::milliseconds timeout{10000};
    /// First retry delay; doubles up to max_backoff (with jitter). Default 1000 ms.
    std::chrono::milliseconds initial_backoff{1000};
    /// Default 5000 ms.
    std::chrono::milliseconds max_backoff{5000};
    /// Attempts per Export including the first. Default 5.
    int max_attempts = 5;
    /// PEM CA bundle for https; empty uses the system CAs. Default empty.
    std::string certificate_file;
};

/// Reads OTEL_EXPORTER_OTLP_LOGS_{ENDPOINT,HEADERS,TIMEOUT,COMPRESSION,PROTOCOL,CERTIFICATE},
/// each over its generic OTEL_EXPORTER_OTLP_* form (the generic ENDPOINT gets "/v1/logs"
/// appended; the LOGS one is used as is). PROTOCOL may be http/protobuf or http/json
/// (ReadLogsEnvConfig in tome_telemetry_export_logs also takes grpc). Errors name the variable.
Result<OtlpHttpLogExporterOptions> ReadOtlpHttpLogExporterOptions(const EnvLookup& env);

/// Counters of an exporter (relaxed reads).
struct OtlpHttpLogExporterStats {
    std::uint64_t exported = 0;   ///< Records the receiver accepted (minus rejected ones).
    std::uint64_t rejected = 0;   ///< partial_success.rejected_log_records summed.
    std::uint64_t failures = 0;   ///< Export calls that failed.
    std::uint64_t retries = 0;
};

class OtlpHttpLogExporter final : public LogExporter {
public:
    explicit OtlpHttpLogExporter(OtlpHttpLogExporterOptions options);
    ~OtlpHttpLogExporter() override;

    ExportResult Export(std::span<const std::unique_ptr<LogRecord>> batch,
                        Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    const OtlpHttpLogExporterOptions& options() const noexcept { return options_; }
    OtlpHttpLogExporterStats stats() const noexcept;

private:
    const OtlpHttpLogExporterOptions options_;
    exporter::OtlpHttpTransport transport_;
    exporter::EncodeBuffer body_;  // Export's, reused
    std::atomic<std::uint64_t> exported_{0}, rejected_{0}, failures_{0};
};

/// Reads ExportLogsServiceResponse.partial_success.rejected_log_records (0 when absent or
/// garbled). Pure; shared by the HTTP and gRPC log exporters.
std::uint64_t DecodeRejectedLogRecords(std::string_view response) noexcept;

}  // namespace tome::telemetry::logs
