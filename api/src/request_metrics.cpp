#include "request_metrics.hpp"

#include <span>
#include <vector>

namespace tome::api::internal {

namespace metrics = telemetry::metrics;
using telemetry::trace::AttributeKV;

RequestMetrics::RequestMetrics(metrics::Meter meter) {
    // Bucket boundaries advised by the HTTP semantic conventions.
    metrics::InstrumentOptions duration;
    duration.description = "Duration of HTTP server requests.";
    duration.unit = "s";
    duration.histogram_boundaries = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                     0.5,   0.75, 1,     2.5,  5,     7.5, 10};
    duration_seconds_ = meter.CreateHistogram<double>("http.server.request.duration", duration)
                            .instrument;
    metrics::InstrumentOptions responses;
    responses.description = "API responses by method, status and kind of operation.";
    responses.unit = "{response}";
    responses_ = meter.CreateCounter<std::uint64_t>("proxy.responses.total", responses).instrument;
    metrics::InstrumentOptions response_time;
    response_time.description = "API response time by method, status and kind of operation.";
    response_time.unit = "ms";
    response_time.histogram_boundaries = {1, 5, 10, 25, 50, 75, 100, 250, 500, 1000, 2500, 5000, 10000};
    response_time_ms_ =
        meter.CreateHistogram<double>("proxy.response_time_ms", response_time).instrument;
}

void RequestMetrics::Record(const std::string& method, const std::string& route, int status,
                            const std::string& operation, const std::string& error_type,
                            double seconds) const noexcept {
    const std::int64_t code = status;
    // Unmatched paths stay out of the attributes (the raw path would explode cardinality).
    // url.scheme is required by the HTTP metric conventions; the server speaks plain HTTP/1.1.
    std::vector<AttributeKV> http = {{"http.request.method", method},
                                     {"url.scheme", "http"},
                                     {"http.response.status_code", code},
                                     {"network.protocol.version", "1.1"}};
    if (!route.empty()) http.push_back({"http.route", route});
    if (!error_type.empty()) http.push_back({"error.type", error_type});
    duration_seconds_.Record(seconds, http);

    const std::string_view op = operation.empty() ? std::string_view("unmatched") : operation;
    const AttributeKV proxy[] = {
        {"http.method", method}, {"http.status_code", code}, {"tome.operation", op}};
    responses_.Add(1, std::span<const AttributeKV>(proxy));
    response_time_ms_.Record(seconds * 1000.0, std::span<const AttributeKV>(proxy));
}

}  // namespace tome::api::internal
