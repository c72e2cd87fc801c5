// OtlpGrpcTransport: the one OTLP/gRPC client of tome, shared by the trace, metrics and logs
// exporters. Unary calls to one Export method (e.g. /opentelemetry.proto.collector.metrics.v1.
// MetricsService/Export) through gRPC's generic API, carrying already-encoded request bytes;
// plaintext or TLS (system CAs or a CA file), call metadata, gzip, a per-call deadline, and
// retries with exponential backoff plus jitter on the OTLP retryable codes, honouring
// google.rpc.RetryInfo, all capped by the timeout. Also owns the pure helpers for the gRPC
// status rules (retry table, RetryInfo decoding, endpoint parsing).
//
// gRPC is an optional build feature (CMake TOME_WITH_GRPC). Without it the transport still
// links but setup_error() says why and every Send fails non-retryably. Threading: Send is never
// called concurrently with itself; Shutdown may be called from any thread and cancels a running
// call promptly. The free functions are pure and may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/export/otlp_http_transport.hpp"

namespace tome::telemetry::exporter {

/// The full gRPC method names of the OTLP Export rpcs (also the HTTP/2 :path).
inline constexpr std::string_view kOtlpGrpcTraceExportMethod =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
inline constexpr std::string_view kOtlpGrpcMetricsExportMethod =
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
inline constexpr std::string_view kOtlpGrpcLogsExportMethod =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

/// True when this build has the OTLP/gRPC transport (TOME_WITH_GRPC).
bool OtlpGrpcAvailable() noexcept;

/// Where a gRPC endpoint points: "host:port" for the channel and whether to use TLS.
struct GrpcTarget {
    std::string authority;
    bool tls = false;
};
/// Parses an endpoint as documented on OtlpGrpcTransportOptions::endpoint. A URL without a
/// port uses 80 (http) or 443 (https), as the OTLP exporter spec says; a bare "host" without a
/// scheme gets 4317. IPv6 literals are written in brackets ("http://[::1]:4317").
Result<GrpcTarget> ParseGrpcEndpoint(std::string_view endpoint, bool insecure);

/// The OTLP table of retryable gRPC status codes (numeric grpc::StatusCode values):
/// CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS, and
/// RESOURCE_EXHAUSTED only when the status carries RetryInfo.
bool IsRetryableGrpcCode(int code, bool has_retry_info) noexcept;

/// Decodes a serialized google.rpc.Status (the grpc-status-details-bin trailer) and returns
/// the retry_delay of its google.rpc.RetryInfo detail, clamped to [0, 1 h]. nullopt when there
/// is no RetryInfo or the bytes are malformed.
std::optional<std::chrono::nanoseconds> DecodeGrpcRetryDelay(std::string_view details) noexcept;

struct OtlpGrpcTransportOptions {
    /// The Export rpc, e.g. kOtlpGrpcMetricsExportMethod. No default: set it.
    std::string method;
    /// "http://host:port" (plaintext), "https://host:port" (TLS) or "host:port" (TLS unless
    /// `insecure`). A trailing "/" is ignored; any other path is an error. Default
    /// http://localhost:4317.
    std::string endpoint = "http://localhost:4317";
    /// Plaintext for an endpoint without a scheme; the scheme wins otherwise. Default false.
    bool insecure = false;
    /// Call metadata. Keys are lowercased; keys that are not [0-9a-z_.-] or that start with
    /// "grpc-" are dropped. Default none.
    std::vector<std::pair<std::string, std::string>> headers;
    /// gzip compresses each request message (grpc-encoding: gzip). Default none.
    OtlpCompression compression = OtlpCompression::kNone;
    /// Budget for one Send including retries; also each call's deadline (0 = no limit).
    /// Default 10000 ms.
    std::chrono::milliseconds timeout{10000};
    /// PEM CA bundle for TLS; empty uses the system CAs. Default empty.
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

class OtlpGrpcTransport {
public:
    using Clock = std::chrono::steady_clock;

    /// Builds the channel (it connects lazily). An unusable configuration (bad endpoint,
    /// unreadable CA file, no gRPC in this build) is reported by setup_error().
    explicit OtlpGrpcTransport(OtlpGrpcTransportOptions options);
    ~OtlpGrpcTransport();
    OtlpGrpcTransport(const OtlpGrpcTransport&) = delete;
    OtlpGrpcTransport& operator=(const OtlpGrpcTransport&) = delete;

    /// Calls the Export method with `body` (an Export*ServiceRequest; over 64 MiB is refused),
    /// retrying as described above, and returns by min(`deadline`, now + timeout) plus a short
    /// grace. On success `response` holds the Export*ServiceResponse bytes. After Shutdown or
    /// with a setup error it returns kFailureNonRetryable without sending. Never throws.
    OtlpSendResult Send(std::string_view body, Clock::time_point deadline) noexcept;
    /// Cancels a running call and refuses later ones. Idempotent; any thread.
    void Shutdown() noexcept;
    bool is_shutdown() const noexcept;

    /// Why the transport cannot send (empty when it can).
    const std::string& setup_error() const noexcept { return setup_error_; }
    OtlpTransportStats stats() const noexcept;
    const OtlpGrpcTransportOptions& options() const noexcept { return options_; }

private:
    struct Impl;
    bool WaitBeforeRetry(Clock::time_point until) noexcept;

    const OtlpGrpcTransportOptions options_;
    std::string setup_error_;
    std::unique_ptr<Impl> impl_;  // null when setup failed
};

}  // namespace tome::telemetry::exporter
