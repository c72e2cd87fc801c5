// The metrics of every API request: the standard http.server.request.duration (seconds) and
// the original system's proxy.responses.total. (Its proxy.response_time_ms is left out: a
// millisecond-named series fails `promtool check metrics`; the seconds histogram carries the
// same latencies.) Instruments are created once; Record() may be called concurrently.
#pragma once

#include <string>

#include "tome/telemetry/metrics/meter.hpp"

namespace tome::api::internal {

class RequestMetrics {
public:
    explicit RequestMetrics(telemetry::metrics::Meter meter);

    /// `route` is the template ("/api/tomes/{id}"), empty when no route matched; `error_type`
    /// is set for 5xx answers.
    void Record(const std::string& method, const std::string& route, int status,
                const std::string& operation, const std::string& error_type,
                double seconds) const noexcept;

private:
    telemetry::metrics::Histogram<double> duration_seconds_;
    telemetry::metrics::Counter<std::uint64_t> responses_;
};

}  // namespace tome::api::internal
