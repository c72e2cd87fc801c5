#include "alert_eval.hpp"

#include <algorithm>

namespace tome::console::internal {
namespace {

using Stat = AlertQuantity::Stat;

std::string Text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool Matches(const SeriesInfo& info, const std::map<std::string, std::vector<std::string>>& match) {
    for (const auto& [key, allowed] : match) {
        auto it = info.attributes.find(key);
        if (it == info.attributes.end()) return false;
        if (std::find(allowed.begin(), allowed.end(), Text(*it)) == allowed.end()) return false;
    }
    return true;
}

// What a cumulative series gained in (from, to]: the points are sorted by time and may start
// before `from` (the last of those is the base). A drop or a new start time is a reset.
struct Gain {
    double value = 0;
    std::vector<std::uint64_t> buckets;  // histograms
    double sum = 0;
    std::uint64_t count = 0;
    bool any = false;
};

Gain CumulativeGain(const std::vector<MetricPoint>& points, std::uint64_t from_ns, std::uint64_t to_ns,
                    bool histogram) {
    Gain g;
    const MetricPoint* prev = nullptr;
    for (const auto& p : points) {
        if (p.time_ns > to_ns) break;
        if (p.time_ns <= from_ns) {
            prev = &p;
            continue;
        }
        g.any = true;
        const bool reset = prev == nullptr ? p.start_ns >= from_ns
                                           : (p.start_ns != prev->start_ns ||
                                              (histogram ? p.count < prev->count : p.value < prev->value));
        if (prev == nullptr && !reset) {
            // The series began before the window but nothing older is held: count from here.
            prev = &p;
            continue;
        }
        if (histogram) {
            if (g.buckets.size() < p.bucket_counts.size()) g.buckets.resize(p.bucket_counts.size(), 0);
            for (std::size_t i = 0; i < p.bucket_counts.size(); ++i) {
                const std::uint64_t base = reset || prev == nullptr || i >= prev->bucket_counts.size()
                                               ? 0
                                               : prev->bucket_counts[i];
                g.buckets[i] += p.bucket_counts[i] >= base ? p.bucket_counts[i] - base : 0;
            }
            g.count += reset ? p.count : p.count - prev->count;
            g.sum += reset ? p.sum : p.sum - prev->sum;
        } else {
            g.value += reset ? p.value : p.value - prev->value;
        }
        prev = &p;
    }
    return g;
}

}  // namespace

std::string DurationText(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::optional<double> AlertEvaluator::Evaluate(const AlertExpression& expr, std::int64_t from_ms,
                                              std::int64_t to_ms) const {
    std::optional<double> total;
    for (const auto& q : expr.terms) {
        if (auto v = Quantity(q, from_ms, to_ms)) total = total.value_or(0) + *v;
    }
    if (!expr.denominator) return total;
    const auto d = Quantity(*expr.denominator, from_ms, to_ms);
    if (!d || *d == 0) return std::nullopt;
    return total.value_or(0) / *d;
}

std::optional<double> AlertEvaluator::Quantity(const AlertQuantity& q, std::int64_t from_ms, std::int64_t to_ms) const {
    return q.source == AlertQuantity::Source::kRed ? Red(q, from_ms, to_ms) : Metric(q, from_ms, to_ms);
}

std::optional<double> AlertEvaluator::Red(const AlertQuantity& q, std::int64_t from_ms, std::int64_t to_ms) const {
    const RedTotals red = store_.graph().Totals(q.service, q.operation, q.edge, from_ms, to_ms + 1);
    const double seconds = std::max(1e-3, static_cast<double>(to_ms - from_ms) / 1000.0);
    switch (q.stat) {
        case Stat::kRequests: case Stat::kCount: case Stat::kIncrease: return static_cast<double>(red.requests);
        case Stat::kErrors: return static_cast<double>(red.errors);
        case Stat::kRate: return static_cast<double>(red.requests) / seconds;
        default: break;
    }
    if (red.requests == 0) return std::nullopt;
    switch (q.stat) {
        case Stat::kErrorRate: return static_cast<double>(red.errors) / static_cast<double>(red.requests);
        case Stat::kP50: return red.latency.Quantile(0.50) / 1000.0;
        case Stat::kP95: return red.latency.Quantile(0.95) / 1000.0;
        case Stat::kP99: return red.latency.Quantile(0.99) / 1000.0;
        default: return std::nullopt;
    }
}

std::optional<double> AlertEvaluator::Metric(const AlertQuantity& q, std::int64_t from_ms, std::int64_t to_ms) const {
    // One window before `from` as well: the base of every cumulative series.
    const std::int64_t span = to_ms - from_ms;
    const auto points = store_.metrics().Points(q.metric, (from_ms - span) * 1000, to_ms * 1000 + 999);
    const auto from_ns = static_cast<std::uint64_t>(from_ms) * 1'000'000;
    const auto to_ns = static_cast<std::uint64_t>(to_ms) * 1'000'000 + 999'999;
    const double seconds = std::max(1e-3, static_cast<double>(span) / 1000.0);
    bool any_series = false;
    double total = 0;
    std::vector<double> bounds;
    std::vector<std::uint64_t> buckets;
    double sum = 0;
    std::uint64_t count = 0;
    bool any_last = false;
    for (const auto& [id, list] : points) {
        const SeriesInfo* info = store_.metrics().Series(id);
        if (info == nullptr || !Matches(*info, q.match) || list.empty()) continue;
        any_series = true;
        if (info->kind == MetricKind::kHistogram) {
            Gain g;
            if (info->temporality == Temporality::kDelta) {
                for (const auto& p : list) {
                    if (p.time_ns <= from_ns || p.time_ns > to_ns) continue;
                    if (g.buckets.size() < p.bucket_counts.size()) g.buckets.resize(p.bucket_counts.size(), 0);
                    for (std::size_t i = 0; i < p.bucket_counts.size(); ++i) g.buckets[i] += p.bucket_counts[i];
                    g.count += p.count;
                    g.sum += p.sum;
                }
            } else {
                g = CumulativeGain(list, from_ns, to_ns, true);
            }
            if (bounds.empty()) bounds = list.back().bounds;
            if (list.back().bounds == bounds) {  // series with other bounds cannot be merged
                if (buckets.size() < g.buckets.size()) buckets.resize(g.buckets.size(), 0);
                for (std::size_t i = 0; i < g.buckets.size(); ++i) buckets[i] += g.buckets[i];
            }
            count += g.count;
            sum += g.sum;
            continue;
        }
        const bool cumulative_sum = info->kind == MetricKind::kSum && info->temporality != Temporality::kDelta;
        if (q.stat == Stat::kLast || info->kind == MetricKind::kGauge) {
            // The latest value inside the window; a series silent for the whole window is stale.
            const MetricPoint* last = nullptr;
            for (const auto& p : list) {
                if (p.time_ns > from_ns && p.time_ns <= to_ns) last = &p;
            }
            if (last != nullptr) {
                total += last->value;
                any_last = true;
            }
            continue;
        }
        if (cumulative_sum) {
            total += CumulativeGain(list, from_ns, to_ns, false).value;
        } else {
            for (const auto& p : list) {
                if (p.time_ns > from_ns && p.time_ns <= to_ns) total += p.value;
            }
        }
    }
    if (!any_series) return std::nullopt;
    switch (q.stat) {
        case Stat::kLast: return any_last ? std::optional<double>(total) : std::nullopt;
        case Stat::kIncrease: return bounds.empty() ? total : static_cast<double>(count);
        case Stat::kRate: return (bounds.empty() ? total : static_cast<double>(count)) / seconds;
        case Stat::kCount: return static_cast<double>(count);
        case Stat::kMean: return count ? std::optional<double>(sum / static_cast<double>(count)) : std::nullopt;
        case Stat::kP50: case Stat::kP95: case Stat::kP99: {
            if (count == 0) return std::nullopt;
            const double qv = q.stat == Stat::kP50 ? 0.50 : q.stat == Stat::kP95 ? 0.95 : 0.99;
            return BucketQuantile(bounds, buckets, qv);
        }
        default: return std::nullopt;
    }
}

}  // namespace tome::console::internal
