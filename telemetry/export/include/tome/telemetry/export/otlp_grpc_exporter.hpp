// OTLP/gRPC span exporter: unary calls to /opentelemetry.proto.collector.trace.v1.TraceService/
// Export carrying the bytes of our hand-written protobuf encoder, sent through the shared
// OtlpGrpcTransport (otlp_grpc_transport.hpp: TLS, metadata, gzip, deadline, retries by the
// OTLP table honouring RetryInfo; it also declares the pure gRPC status helpers).
//
// gRPC is an optional build feature (CMake TOME_WITH_GRPC). Without it the class still links
// but every Export fails non-retryably; check OtlpGrpcAvailable() or use MakeOtlpGrpcExporter,
// which returns an error instead. Threading: Export is never called concurrently (SpanExporter
// contract); Shutdown may be called from any thread and cancels a running call promptly. The
// free functions are pure and may be called from any thread.
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
#include "tome/telemetry/export/otlp_grpc_transport.hpp"
#include "tome/telemetry/export/otlp_http_exporter.hpp"
#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::exporter {

struct OtlpGrpcExporterOptions {
    /// "http://host:port" (plaintext), "https://host:port" (TLS) or "host:port" (TLS unless
    /// `insecure`). A trailing "/" is ignored; any other path is an error. Default
    /// http://localhost:4317.
    std::string endpoint = "http://localhost:4317";
    /// Plaintext for an endpoint without a scheme; the scheme wins otherwise. Default false.
    bool insecure = false;
    /// Call metadata (e.g. {"authorization", "Bearer t"}). Keys are lowercased; keys that are
    /// not [0-9a-z_.-] or that start with "grpc-" are dropped. Default none.
    std::vector<std::pair<std::string, std::string>> headers;
    /// gzip compresses each request message (grpc-encoding: gzip). Default none.
    OtlpCompression compression = OtlpCompression::kNone;
    /// Budget for one Export including retries; also each call's deadline (0 = no limit).
    /// Default 10000 ms.
    std::chrono::milliseconds timeout{10000};
    /// PEM CA bundle for TLS; empty uses the system CAs. Default empty.
    std::string certificate_file;
    /// First retry delay; doubles each attempt up to max_backoff. Default 1000 ms.
    std::chrono::milliseconds initial_backoff{1000};
    /// Default 5000 ms.
    std::chrono::milliseconds max_backoff{5000};
    /// Attempts per Export including the first. Default 5.
    int max_attempts = 5;
    /// Self-observation counters. Default: DefaultSelfStats().
    SelfStats* stats = nullptr;
};

class OtlpGrpcExporter final : public trace::SpanExporter {
public:
    /// Builds the channel (it connects lazily). An unusable configuration (bad endpoint,
    /// unreadable CA file, no gRPC in this build) makes every Export fail non-retryably; use
    /// MakeOtlpGrpcExporter to get the reason up front.
    explicit OtlpGrpcExporter(OtlpGrpcExporterOptions options);
    ~OtlpGrpcExporter() override;

    trace::ExportResult Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                               Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    const OtlpGrpcExporterOptions& options() const noexcept { return options_; }
    /// Why the exporter cannot send (empty when it can).
    const std::string& setup_error() const noexcept { return transport_.setup_error(); }

private:
    const OtlpGrpcExporterOptions options_;
    SelfStats* const stats_;
    OtlpGrpcTransport transport_;
};

/// An OtlpGrpcExporter, or an error naming what is wrong (no gRPC in this build, a bad
/// endpoint, an unreadable certificate file).
Result<std::unique_ptr<trace::SpanExporter>> MakeOtlpGrpcExporter(OtlpGrpcExporterOptions options);

}  // namespace tome::telemetry::exporter
