#include "tome/telemetry/export/otlp_metric_exporter.hpp"

#include <algorithm>

#include "tome/telemetry/metrics/otlp_metrics_encoder.hpp"

namespace tome::telemetry::exporter {
namespace {

using metrics::ExportResult;

OtlpHttpTransportOptions WithDefaultEndpoint(OtlpHttpTransportOptions o) {
    if (o.endpoint.empty()) o.endpoint = kDefaultOtlpHttpMetricsEndpoint;
    return o;
}

OtlpGrpcTransportOptions WithMetricsMethod(OtlpGrpcTransportOptions o) {
    o.method = std::string(kOtlpGrpcMetricsExportMethod);
    return o;
}

}  // namespace

std::uint64_t CountDataPoints(const metrics::MetricsData& data) noexcept {
    std::uint64_t n = 0;
    for (const auto& s : data.scope_metrics)
        for (const auto& m : s.metrics) n += m.number_points.size() + m.histogram_points.size();
    return n;
}

OtlpHttpMetricExporter::OtlpHttpMetricExporter(OtlpHttpTransportOptions options,
                                               OtlpProtocol protocol)
    : protocol_(protocol), transport_(WithDefaultEndpoint(std::move(options))) {}

OtlpHttpMetricExporter::~OtlpHttpMetricExporter() { transport_.Shutdown(); }

ExportResult OtlpHttpMetricExporter::Export(const metrics::MetricsData& data,
                                            Clock::time_point deadline) noexcept {
    if (transport_.is_shutdown()) return ExportResult::kFailureNonRetryable;
    const std::uint64_t points = CountDataPoints(data);
    if (points == 0) return ExportResult::kSuccess;  // no empty envelopes (OTLP)
    try {
        const std::string body = protocol_ == OtlpProtocol::kHttpJson
                                     ? metrics::EncodeOtlpMetricsJson(data)
                                     : metrics::EncodeOtlpMetricsProto(data);
        return AccountOtlpSend(transport_.Send(body, OtlpContentType(protocol_), deadline),
                               points, exported_, rejected_, failures_, protocol_);
    } catch (...) {
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    return ExportResult::kFailureNonRetryable;
}

bool OtlpHttpMetricExporter::Shutdown(std::chrono::milliseconds) noexcept {
    transport_.Shutdown();
    return true;
}

OtlpMetricExporterStats OtlpHttpMetricExporter::stats() const noexcept {
    return {exported_.load(std::memory_order_relaxed), rejected_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed), transport_.stats().retries};
}

OtlpGrpcMetricExporter::OtlpGrpcMetricExporter(OtlpGrpcTransportOptions options)
    : transport_(WithMetricsMethod(std::move(options))) {}

OtlpGrpcMetricExporter::~OtlpGrpcMetricExporter() { transport_.Shutdown(); }

ExportResult OtlpGrpcMetricExporter::Export(const metrics::MetricsData& data,
                                            Clock::time_point deadline) noexcept {
    if (!setup_error().empty() || transport_.is_shutdown())
        return ExportResult::kFailureNonRetryable;
    const std::uint64_t points = CountDataPoints(data);
    if (points == 0) return ExportResult::kSuccess;
    try {
        const std::string body = metrics::EncodeOtlpMetricsProto(data);
        return AccountOtlpSend(transport_.Send(body, deadline), points, exported_, rejected_,
                               failures_);
    } catch (...) {
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    return ExportResult::kFailureNonRetryable;
}

bool OtlpGrpcMetricExporter::Shutdown(std::chrono::milliseconds) noexcept {
    transport_.Shutdown();
    return true;
}

OtlpMetricExporterStats OtlpGrpcMetricExporter::stats() const noexcept {
    return {exported_.load(std::memory_order_relaxed), rejected_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed), transport_.stats().retries};
}

Result<std::unique_ptr<metrics::MetricExporter>> MakeOtlpGrpcMetricExporter(
    OtlpGrpcTransportOptions options) {
    auto e = std::make_unique<OtlpGrpcMetricExporter>(std::move(options));
    if (!e->setup_error().empty()) return Error{e->setup_error()};
    return std::unique_ptr<metrics::MetricExporter>(std::move(e));
}

}  // namespace tome::telemetry::exporter
