// The one-line summaries `tome demo` prints: order rate, duration percentiles, error rate and
// the telemetry SDK's span counters. DemoSummary keeps the previous sample to report per
// interval; it is not thread-safe (one printing thread owns it). Percentile is a pure function.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "demo_workload.hpp"
#include "tome/facade/telemetry.hpp"

namespace tome::app {

/// The `q` quantile (0..1, nearest rank) of `values`, which it sorts; 0 when empty.
double Percentile(std::vector<double>& values, double q);

class DemoSummary {
public:
    /// `all_limit`: how many durations the final summary keeps (the rest are not in its
    /// percentiles). Default 1M (8 MB).
    explicit DemoSummary(std::size_t all_limit = 1u << 20) : all_limit_(all_limit) {}

    /// The line for the interval since the previous call (or since construction):
    /// "[  10.0s] 9.8 orders/s  p50 112ms p95 181ms p99 196ms  error rate 10.2%  spans ended 2440
    /// exported 1200 sampled out 1240 dropped 0  (total 98 orders)" (spans: tome::Telemetry's
    /// counts, totals since start; exported stays 0 when no exporter is configured). `durations`
    /// are that interval's, in seconds.
    std::string Interval(const DemoStats& stats, std::vector<double> durations,
                         const facade::TelemetryStats& spans);
    /// Marks the end of the workload: Final's rate is over the time until now, not until the
    /// flush after it. Optional (without it, Final measures until it is called).
    void MarkDone() { done_ = std::chrono::steady_clock::now(); }
    /// The line for the whole run; call after the last Interval (or instead of it).
    std::string Final(const DemoStats& stats, std::vector<double> durations,
                      const facade::TelemetryStats& spans);

private:
    void Keep(const std::vector<double>& durations);

    std::size_t all_limit_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_ = start_;
    std::optional<std::chrono::steady_clock::time_point> done_;
    DemoStats previous_;
    std::vector<double> all_;  // every duration so far, up to all_limit_
};

}  // namespace tome::app
