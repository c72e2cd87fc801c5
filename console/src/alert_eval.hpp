// AlertEvaluator: computes an alert expression over the console's data for a time window:
// increases, rates, last values and quantiles of metric instruments (cumulative or delta,
// resets handled), and the RED of operations, services and edges. No data is "no value"
// (nullopt), never zero: an alert over a metric nobody reports stays inactive.
// Thread-safety: const methods over a Store read from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store.hpp"
#include "tome/console/alerts.hpp"

namespace tome::console::internal {

/// "1m", "30s", "1h", "250ms": the largest unit that divides `d` (rule texts, PromQL ranges).
std::string DurationText(std::chrono::milliseconds d);

class AlertEvaluator {
public:
    explicit AlertEvaluator(const Store& store) : store_(store) {}

    /// The expression's value over (from_ms, to_ms]; nullopt when there is nothing to say
    /// (no series, no requests, a ratio over zero).
    std::optional<double> Evaluate(const AlertExpression& expr, std::int64_t from_ms, std::int64_t to_ms) const;
    std::optional<double> Quantity(const AlertQuantity& q, std::int64_t from_ms, std::int64_t to_ms) const;

private:
    std::optional<double> Metric(const AlertQuantity& q, std::int64_t from_ms, std::int64_t to_ms) const;
    std::optional<double> Red(const AlertQuantity& q, std::int64_t from_ms, std::int64_t to_ms) const;

    const Store& store_;
};

}  // namespace tome::console::internal
