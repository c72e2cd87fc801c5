// OTLP for logs: the protobuf encoder of ExportLogsServiceRequest (wire format written by hand,
// a pure function) and the OTLP/HTTP exporter POSTing it to /v1/logs over libcurl, with
// optional gzip and retries (backoff with jitter, Retry-After) on 429/502/503/504 and
// connection failures within the timeout. Export is never called concurrently; Shutdown may be
// called from any thread and aborts a running Export promptly.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"

namespace tome::telemetry::logs {

/// Appends the ExportLogsServiceRequest for `batch` to `out`, grouping records by resource and
/// scope (shared pointers compared by address), in batch order.
void EncodeOtlpLogs(std::span<const std::unique_ptr<LogRecord>> batch, std::string& out);

struct OtlpHttpLogExporterOptions {
    /// Full URL. Default http://localhost:4318/v1/logs.
    std::string endpoint = "http://localhost:4318/v1/logs";
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
};

/// Reads OTEL_EXPORTER_OTLP_LOGS_{ENDPOINT,HEADERS,TIMEOUT,COMPRESSION,PROTOCOL}, each over
/// its generic OTEL_EXPORTER_OTLP_* form (the generic ENDPOINT gets "/v1/logs" appended; the
/// LOGS one is used as is). Only http/protobuf is supported. Errors name the variable.
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
    struct Curl;
    struct Attempt;
    Attempt Post(const std::string& body, Clock::time_point deadline) noexcept;
    bool WaitBeforeRetry(Clock::time_point until) noexcept;

    const OtlpHttpLogExporterOptions options_;
    std::unique_ptr<Curl> curl_;  // used only by Export
    std::atomic<bool> shutdown_{false};
    std::atomic<std::uint64_t> exported_{0}, rejected_{0}, failures_{0}, retries_{0};
    std::mutex mu_;  // for cv_ waits between retries
    std::condition_variable cv_;
};

}  // namespace tome::telemetry::logs
