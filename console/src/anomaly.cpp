#include "anomaly.hpp"

#include <algorithm>
#include <cmath>

namespace tome::console::internal {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::size_t kBaselineMinutes = 30;
constexpr double kMads = 5.0;
constexpr double kMinRatio = 1.5;

double Median(std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::pair<double, double> MedianAndMad(std::vector<double> values) {
    const double median = Median(values);
    for (double& v : values) v = std::abs(v - median);
    return {median, Median(values)};
}

void AnomalyDetector::Evaluate(const ServiceGraph& graph, std::int64_t now_ms) {
    if (now_ms - last_ms_ < 10'000) return;
    last_ms_ = now_ms;
    const std::int64_t from = now_ms - static_cast<std::int64_t>(kBaselineMinutes + 1) * kMinute;
    for (const auto& service : graph.ServiceNames()) {
        auto minutes = graph.ServiceSeries(service, "", from, now_ms - kMinute, kMinute);
        Judge("service:" + service, minutes, graph.Totals(service, "", "", now_ms - kMinute, now_ms + 1), now_ms);
    }
    for (const auto& edge : graph.EdgeIds()) {
        auto minutes = graph.EdgeSeries(edge, from, now_ms - kMinute, kMinute);
        Judge(edge, minutes, graph.Totals("", "", edge, now_ms - kMinute, now_ms + 1), now_ms);
    }
}

void AnomalyDetector::Judge(const std::string& target, const std::vector<RedTotals>& minutes,
                            const RedTotals& now, std::int64_t now_ms) {
    std::vector<double> p95, errors;
    for (const auto& m : minutes) {
        if (m.requests < 5) continue;
        p95.push_back(m.latency.Quantile(0.95) / 1000.0);
        errors.push_back(static_cast<double>(m.errors) / static_cast<double>(m.requests));
    }
    if (p95.size() < 5 || now.requests < 10) {
        Set(target, "latency", false, 0, 0, 0, now_ms);
        Set(target, "errors", false, 0, 0, 0, now_ms);
        return;
    }
    const double value = now.latency.Quantile(0.95) / 1000.0;
    auto [median, mad] = MedianAndMad(p95);
    const double spread = std::max(mad, 0.05 * median);
    Set(target, "latency", value > median + kMads * spread && value >= kMinRatio * median, value, median, mad, now_ms);
    const double rate = static_cast<double>(now.errors) / static_cast<double>(now.requests);
    auto [emedian, emad] = MedianAndMad(errors);
    Set(target, "errors", rate >= 0.05 && now.errors >= 3 && rate > emedian + kMads * std::max(emad, 0.01), rate,
        emedian, emad, now_ms);
}

void AnomalyDetector::Set(const std::string& target, const std::string& kind, bool on, double value,
                          double median, double mad, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    const auto key = std::make_pair(target, kind);
    auto it = active_.find(key);
    if (on) {
        if (it == active_.end()) it = active_.emplace(key, Anomaly{target, kind, 0, 0, 0, now_ms, 0}).first;
        it->second.value = value;
        it->second.median = median;
        it->second.mad = mad;
        return;
    }
    if (it == active_.end()) return;
    it->second.until_ms = now_ms;
    ended_.push_back(it->second);
    while (ended_.size() > kMaxKept) ended_.pop_front();
    active_.erase(it);
}

std::vector<Anomaly> AnomalyDetector::Snapshot() const {
    std::lock_guard lock(mu_);
    std::vector<Anomaly> out;
    for (const auto& [key, a] : active_) out.push_back(a);
    for (auto it = ended_.rbegin(); it != ended_.rend(); ++it) out.push_back(*it);
    return out;
}

}  // namespace tome::console::internal
