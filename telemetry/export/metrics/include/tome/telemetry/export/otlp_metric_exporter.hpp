// OTLP metric exporters: each MetricsData snapshot is encoded as an ExportMetricsServiceRequest
// (metrics::EncodeOtlpMetricsProto, or EncodeOtlpMetricsJson for OTLP/JSON) and sent through the
// shared transports of telemetry/export: OtlpHttpMetricExporter POSTs protobuf
// (application/x-protobuf) or OTLP/JSON (application/json) to /v1/metrics (OtlpHttpTransport),
// OtlpGrpcMetricExporter
// calls /opentelemetry.proto.collector.metrics.v1.MetricsService/Export (OtlpGrpcTransport,
// available when TOME_WITH_GRPC; otherwise every Export fails and MakeOtlpGrpcMetricExporter
// says why). partial_success.rejected_data_points is counted, never retried.
//
// Threading: Export is never called concurrently (MetricExporter contract); Shutdown and stats()
// may be called from any thread, and Shutdown makes a running Export return promptly.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/export/otlp_grpc_transport.hpp"
#include "tome/telemetry/export/otlp_http_transport.hpp"
#include "tome/telemetry/metrics/metric_exporter.hpp"

namespace tome::telemetry::exporter {

inline constexpr char kDefaultOtlpHttpMetricsEndpoint[] = "http://localhost:4318/v1/metrics";

/// Counters of a metric exporter (relaxed reads).
struct OtlpMetricExporterStats {
    std::uint64_t exported_points = 0;  ///< Data points accepted (minus rejected ones).
    std::uint64_t rejected_points = 0;  ///< partial_success.rejected_data_points summed.
    std::uint64_t failures = 0;         ///< Export calls that failed.
    std::uint64_t retries = 0;          ///< Transport retries.
};

/// Number of data points (number and histogram points) in a snapshot.
std::uint64_t CountDataPoints(const metrics::MetricsData& data) noexcept;

/// Options: the transport's. An empty endpoint means kDefaultOtlpHttpMetricsEndpoint.
/// `protocol` picks the body encoding (default http/protobuf); the response's partial_success
/// is decoded in the same encoding.
class OtlpHttpMetricExporter final : public metrics::MetricExporter {
public:
    explicit OtlpHttpMetricExporter(OtlpHttpTransportOptions options,
                                    OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf);
    ~OtlpHttpMetricExporter() override;

    metrics::ExportResult Export(const metrics::MetricsData& data,
                                 Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    OtlpMetricExporterStats stats() const noexcept;
    const OtlpHttpTransportOptions& options() const noexcept { return transport_.options(); }
    OtlpProtocol protocol() const noexcept { return protocol_; }

private:
    const OtlpProtocol protocol_;
    OtlpHttpTransport transport_;
    std::atomic<std::uint64_t> exported_{0}, rejected_{0}, failures_{0};
};

/// Options: the transport's; `method` is always set to kOtlpGrpcMetricsExportMethod.
class OtlpGrpcMetricExporter final : public metrics::MetricExporter {
public:
    explicit OtlpGrpcMetricExporter(OtlpGrpcTransportOptions options);
    ~OtlpGrpcMetricExporter() override;

    metrics::ExportResult Export(const metrics::MetricsData& data,
                                 Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    OtlpMetricExporterStats stats() const noexcept;
    /// Why the exporter cannot send (empty when it can).
    const std::string& setup_error() const noexcept { return transport_.setup_error(); }

private:
    OtlpGrpcTransport transport_;
    std::atomic<std::uint64_t> exported_{0}, rejected_{0}, failures_{0};
};

/// An OtlpGrpcMetricExporter, or an error naming what is wrong (no gRPC in this build, a bad
/// endpoint, an unreadable certificate file).
Result<std::unique_ptr<metrics::MetricExporter>> MakeOtlpGrpcMetricExporter(
    OtlpGrpcTransportOptions options);

}  // namespace tome::telemetry::exporter
