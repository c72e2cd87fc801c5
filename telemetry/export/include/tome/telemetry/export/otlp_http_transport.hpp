// OtlpHttpTransport: the one OTLP/HTTP client of tome, shared by the trace, metrics and logs
// exporters. It POSTs an already-encoded request body over libcurl with the configured headers,
// optional gzip, TLS (system CAs or a CA file), a per-Send timeout, and retries with
// exponential backoff plus jitter on 429/502/503/504 and connection failures, honouring
// Retry-After (seconds or HTTP-date), all capped by the timeout. What the body means
// (partial_success decoding) stays with the caller: a successful Send returns the response body;
// DecodeOtlpRejectedCount / DecodeOtlpRejectedCountJson and AccountOtlpSend do that for the
// protobuf and OTLP/JSON encodings.
//
// Threading: Send is never called concurrently with itself (one curl handle; the exporter
// interfaces already guarantee this); Shutdown and stats() may be called from any thread, and
// Shutdown makes a running Send return promptly. GzipCompress is pure.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::exporter {

enum class OtlpCompression : std::uint8_t { kNone, kGzip };

/// gzip-compresses `data` (RFC 1952). Empty on failure.
std::string GzipCompress(std::string_view data);

/// The encoding of OTLP/HTTP request and response bodies (OTEL_EXPORTER_OTLP_PROTOCOL
/// http/protobuf or http/json).
enum class OtlpProtocol : std::uint8_t { kHttpProtobuf, kHttpJson };

inline constexpr std::string_view kOtlpProtobufContentType = "application/x-protobuf";
inline constexpr std::string_view kOtlpJsonContentType = "application/json";

/// The Content-Type of `protocol`'s bodies.
constexpr std::string_view OtlpContentType(OtlpProtocol protocol) noexcept {
    return protocol == OtlpProtocol::kHttpJson ? kOtlpJsonContentType : kOtlpProtobufContentType;
}

/// An exporter's request buffer, kept from one export to the next so that a steady stream of
/// batches encodes without allocating. After a burst larger than kRetainedBytes the buffer is
/// released rather than kept. Not synchronised: the exporter's Export owns it.
class EncodeBuffer {
public:
    static constexpr std::size_t kRetainedBytes = std::size_t{4} << 20;

    /// The buffer, empty, its capacity kept.
    std::string& Begin() noexcept {
        text_.clear();
        return text_;
    }
    /// Called once the request has been sent.
    void End() noexcept {
        if (text_.capacity() > kRetainedBytes) std::string().swap(text_);
    }

private:
    std::string text_;
};

/// Reads partial_success (field 1) .rejected_<items> (field 1, int64) of an
/// Export{Trace,Metrics,Logs}ServiceResponse in protobuf form: the three share that shape.
/// 0 when absent or malformed. Pure.
std::uint64_t DecodeOtlpRejectedCount(std::string_view response) noexcept;
/// The same for an OTLP/JSON response: partialSuccess.rejected{Spans,DataPoints,LogRecords}
/// as a decimal string or a number ({"partialSuccess":{"rejectedDataPoints":"2"}}). 0 when
/// absent, null or malformed. Pure.
std::uint64_t DecodeOtlpRejectedCountJson(std::string_view response) noexcept;

/// How one Send ended. kSuccess includes partial success (never retried, OTLP §Partial Success).
enum class OtlpSendStatus : std::uint8_t { kSuccess, kFailureRetryable, kFailureNonRetryable };

/// The outcome of one Send.
struct OtlpSendResult {
    OtlpSendStatus status = OtlpSendStatus::kFailureNonRetryable;
    int attempts = 0;          ///< Requests made (0 when nothing was sent).
    int retries = 0;           ///< Waits before a further attempt.
    long last_http_status = 0;  ///< Last HTTP status (gRPC: last status code); 0: no response.
    std::string response;      ///< Body of the successful response (Export*ServiceResponse).
};

/// Counts the outcome of one Send of `items` items (log records, data points) into an
/// exporter's counters and maps it to the exporter's result: on success the receiver's
/// partial_success rejections (capped at `items`; the response is decoded as `protocol` says,
/// gRPC responses are protobuf) go to `rejected` and the rest to `exported`; a failure adds one
/// to `failures` and is retryable when the transport says so. Thread-safe (relaxed atomic adds).
trace::ExportResult AccountOtlpSend(const OtlpSendResult& result, std::uint64_t items,
                                    std::atomic<std::uint64_t>& exported,
                                    std::atomic<std::uint64_t>& rejected,
                                    std::atomic<std::uint64_t>& failures,
                                    OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf) noexcept;

/// Cumulative counters of a transport (relaxed reads).
struct OtlpTransportStats {
    std::uint64_t sends = 0;      ///< Send calls that made at least one attempt.
    std::uint64_t successes = 0;  ///< Sends that ended in kSuccess.
    std::uint64_t failures = 0;   ///< Sends that ended in a failure.
    std::uint64_t retries = 0;    ///< Retries over all Sends.
};

struct OtlpHttpTransportOptions {
    /// Full URL POSTed to (e.g. http://localhost:4318/v1/metrics). No default: set it.
    std::string endpoint;
    /// Extra request headers (e.g. api keys). Default none.
    std::vector<std::pair<std::string, std::string>> headers;
    /// gzip the body (Content-Encoding: gzip). Default none.
    OtlpCompression compression = OtlpCompression::kNone;
    /// Budget for one Send including retries (0 = no limit). Default 10000 ms.
    std::chrono::milliseconds timeout{10000};
    /// PEM CA bundle for https; empty uses the system CAs. Default empty.
    std::string certificate_file;
    /// First retry delay; doubles each attempt up to max_backoff. Default 1000 ms.
    std::chrono::milliseconds initial_backoff{1000};
    /// Default 5000 ms.
    std::chrono::milliseconds max_backoff{5000};
    /// Attempts per Send including the first. Default 5.
    int max_attempts = 5;
    /// When set, each retry also adds SelfStats::Counter::kExportRetries. Default none.
    SelfStats* stats = nullptr;
};

class OtlpHttpTransport {
public:
    using Clock = std::chrono::steady_clock;

    explicit OtlpHttpTransport(OtlpHttpTransportOptions options);
    ~OtlpHttpTransport();
    OtlpHttpTransport(const OtlpHttpTransport&) = delete;
    OtlpHttpTransport& operator=(const OtlpHttpTransport&) = delete;

    /// POSTs `body` (uncompressed; gzipped here when configured) with `content_type`, retrying
    /// as described above, and returns by min(`deadline`, now + timeout). After Shutdown it
    /// returns kFailureNonRetryable without sending. Never throws.
    OtlpSendResult Send(std::string_view body, std::string_view content_type,
                        Clock::time_point deadline) noexcept;
    /// Aborts a running Send and refuses later ones. Idempotent; any thread.
    void Shutdown() noexcept;
    bool is_shutdown() const noexcept { return shutdown_.load(); }

    OtlpTransportStats stats() const noexcept;
    const OtlpHttpTransportOptions& options() const noexcept { return options_; }

private:
    struct Attempt;
    struct Curl;
    Attempt Post(std::string_view body, std::string_view content_type,
                 Clock::time_point deadline) noexcept;
    bool WaitBeforeRetry(Clock::time_point until) noexcept;
    OtlpSendResult Finish(OtlpSendResult r) noexcept;

    const OtlpHttpTransportOptions options_;
    std::unique_ptr<Curl> curl_;  // used only by Send
    std::atomic<bool> shutdown_{false};
    std::atomic<std::uint64_t> sends_{0}, successes_{0}, failures_{0}, retries_{0};
    std::mutex mu_;  // for cv_ waits between retries
    std::condition_variable cv_;
};

}  // namespace tome::telemetry::exporter
