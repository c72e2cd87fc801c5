// The metrics of every API request: the standard http.server.request.duration (seconds, HTTP
// semantic conventions) and the original system's proxy.responses.total and
// proxy.response_time_ms (milliseconds, by http.method / http.status_code / tome.operation, so
// its dashboards carry over; Prometheus shows it as proxy_response_time_seconds). Instruments
// are created once; Record() may be called concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "tome/telemetry/metrics/meter.hpp"

namespace tome::api::internal {

class RequestMetrics {
public:
    /// Measurements one Record() makes (the duration, the response count, the response time).
    static constexpr std::uint64_t kMeasurementsPerRecord = 3;

    explicit RequestMetrics(telemetry::metrics::Meter meter);

    /// `route` is the template ("/api/tomes/{id}"), empty when no route matched; `error_type`
    /// is set for 5xx answers.
    void Record(const std::string& method, const std::string& route, int status,
                const std::string& operation, const std::string& error_type,
                double seconds) const noexcept;

private:
    telemetry::metrics::Histogram<double> duration_seconds_;
    telemetry::metrics::Counter<std::uint64_t> responses_;
    telemetry::metrics::Histogram<double> response_time_ms_;
};

}  // namespace tome::api::internal
