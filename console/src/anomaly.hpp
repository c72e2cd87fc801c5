// AnomalyDetector: for each service (its entry spans) and each edge, a baseline of p95 latency
// and error rate over the trailing half hour in one-minute slices (median and median absolute
// deviation: robust to the odd spike), and an anomaly flagged when the last minute is clearly
// outside it. Anomalies are kept (bounded) with when they began and ended, for the console.
// Thread-safety: Evaluate on one thread; Snapshot from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "service_graph.hpp"

namespace tome::console::internal {

struct Anomaly {
    std::string target;  ///< A node id ("service:payments") or an edge id ("a->b").
    std::string kind;    ///< "latency" | "errors"
    double value = 0;    ///< The last minute's p95 (ms) or error rate.
    double median = 0;   ///< The baseline's median.
    double mad = 0;      ///< Its median absolute deviation.
    std::int64_t since_ms = 0;
    std::int64_t until_ms = 0;  ///< 0 while active.
};

/// Median and median absolute deviation of `values` (not empty).
std::pair<double, double> MedianAndMad(std::vector<double> values);

class AnomalyDetector {
public:
    static constexpr std::size_t kMaxKept = 200;

    /// Re-evaluates every service and edge (at most every 10 s).
    void Evaluate(const ServiceGraph& graph, std::int64_t now_ms);
    std::vector<Anomaly> Snapshot() const;

private:
    void Judge(const std::string& target, const std::vector<RedTotals>& minutes, const RedTotals& now,
               std::int64_t now_ms);
    void Set(const std::string& target, const std::string& kind, bool on, double value, double median,
             double mad, std::int64_t now_ms);

    std::int64_t last_ms_ = 0;
    mutable std::mutex mu_;
    std::map<std::pair<std::string, std::string>, Anomaly> active_;  // guarded by mu_
    std::deque<Anomaly> ended_;                                      // guarded by mu_
};

}  // namespace tome::console::internal
