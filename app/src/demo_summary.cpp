#include "demo_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tome::app {

namespace {

std::string Percentiles(std::vector<double>& d) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "p50 %.0fms p95 %.0fms p99 %.0fms", Percentile(d, 0.50) * 1e3,
                  Percentile(d, 0.95) * 1e3, Percentile(d, 0.99) * 1e3);
    return buf;
}

std::string Spans(const facade::TelemetryStats& s) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "spans ended %llu exported %llu sampled out %llu dropped %llu",
                  static_cast<unsigned long long>(s.spans_ended),
                  static_cast<unsigned long long>(s.spans_exported),
                  static_cast<unsigned long long>(s.spans_sampled_out),
                  static_cast<unsigned long long>(s.spans_dropped));
    return buf;
}

double Ratio(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

double Percentile(std::vector<double>& values, double q) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const double rank = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size()));
    const std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    return values[std::min(i, values.size() - 1)];
}

void DemoSummary::Keep(const std::vector<double>& durations) {
    for (double d : durations) {
        if (all_.size() >= all_limit_) break;
        all_.push_back(d);
    }
}

std::string DemoSummary::Interval(const DemoStats& stats, std::vector<double> durations,
                                  const facade::TelemetryStats& spans) {
    Keep(durations);
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - last_).count();
    const std::uint64_t finished = stats.finished() - previous_.finished();
    const std::uint64_t failed = stats.failed() - previous_.failed();
    char head[96];
    std::snprintf(head, sizeof head, "[%7.1fs] %.1f orders/s  ",
                  std::chrono::duration<double>(now - start_).count(),
                  secs > 0 ? static_cast<double>(finished) / secs : 0.0);
    char tail[96];
    std::snprintf(tail, sizeof tail, "  error rate %.1f%%  ", Ratio(failed, finished));
    char total[64];
    std::snprintf(total, sizeof total, "  (total %llu orders)",
                  static_cast<unsigned long long>(stats.finished()));
    last_ = now;
    previous_ = stats;
    return head + Percentiles(durations) + tail + Spans(spans) + total;
}

std::string DemoSummary::Final(const DemoStats& stats, std::vector<double> durations,
                               const facade::TelemetryStats& spans) {
    Keep(durations);
    const double secs =
        std::chrono::duration<double>(done_.value_or(std::chrono::steady_clock::now()) - start_)
            .count();
    char head[192];
    std::snprintf(head, sizeof head,
                  "%llu orders in %.1fs (%.1f orders/s): %llu completed, %llu payment failed, "
                  "%llu errors; error rate %.1f%%  ",
                  static_cast<unsigned long long>(stats.finished()), secs,
                  secs > 0 ? static_cast<double>(stats.finished()) / secs : 0.0,
                  static_cast<unsigned long long>(stats.completed),
                  static_cast<unsigned long long>(stats.payment_failed),
                  static_cast<unsigned long long>(stats.errors),
                  Ratio(stats.failed(), stats.finished()));
    std::vector<double> all = all_;
    return head + Percentiles(all) + "  " + Spans(spans);
}

}  // namespace tome::app
