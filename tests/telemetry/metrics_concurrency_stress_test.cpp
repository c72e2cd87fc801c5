// Exact totals when several threads record concurrently (run under TSAN in CI).
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "metrics_test_util.hpp"

namespace tome::telemetry::metrics {
namespace {

using testing::TestMetrics;

constexpr int kThreads = 4;
constexpr int kPerThread = 20000;

template <class F>
void RunThreads(F body) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
    for (auto& th : threads) th.join();
}

TEST(MetricsStress, CountersAndHistogramsAreExactUnderContention) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    auto d = t.meter.CreateCounter<double>("d").instrument;
    auto h = t.meter.CreateHistogram<std::uint64_t>("h").instrument;
    auto bound = c.Bind({{"shared", "bound"}});
    RunThreads([&](int id) {
        for (int i = 0; i < kPerThread; ++i) {
            // 8 series shared by every thread, created concurrently on first use.
            const std::int64_t key = i % 8;
            c.Add(1, {{"key", key}, {"method", "GET"}, {"status", 200}});
            d.Add(0.5, {{"key", key}});
            h.Record(static_cast<std::uint64_t>(i % 100), {{"key", key}});
            bound.Add(2);
            if (i % 1000 == 0) static_cast<void>(t.reader->Collect());  // collections race too
        }
        (void)id;
    });
    const auto data = t.Collect();
    std::int64_t c_total = 0, bound_total = 0;
    for (const auto& p : data.Find("c")->number_points) {
        if (p.attributes.size() == 1)
            bound_total += p.as_int;
        else
            c_total += p.as_int;
    }
    EXPECT_EQ(data.Find("c")->number_points.size(), 9u);
    EXPECT_EQ(c_total, kThreads * kPerThread);
    EXPECT_EQ(bound_total, 2 * kThreads * kPerThread);
    double d_total = 0;
    for (const auto& p : data.Find("d")->number_points) d_total += p.as_double;
    EXPECT_DOUBLE_EQ(d_total, 0.5 * kThreads * kPerThread);
    std::uint64_t h_count = 0;
    double h_sum = 0;
    for (const auto& p : data.Find("h")->histogram_points) {
        h_count += p.count;
        h_sum += p.sum;
        // Series `key` = k saw (k + 8j) % 100 for every j.
        const auto k = std::get<std::int64_t>(p.attributes[0].value);
        double expected_min = 100, expected_max = -1;
        for (std::int64_t i = k; i < kPerThread; i += 8) {
            expected_min = std::min(expected_min, static_cast<double>(i % 100));
            expected_max = std::max(expected_max, static_cast<double>(i % 100));
        }
        EXPECT_DOUBLE_EQ(p.min, expected_min);
        EXPECT_DOUBLE_EQ(p.max, expected_max);
    }
    EXPECT_EQ(h_count, static_cast<std::uint64_t>(kThreads * kPerThread));
    // Sum of i % 100 over 0..kPerThread-1 is 4950 per hundred values.
    EXPECT_DOUBLE_EQ(h_sum, kThreads * (kPerThread / 100) * 4950.0);
}

TEST(MetricsStress, OverflowUnderContentionLosesNothing) {
    MeterProviderOptions o;
    o.cardinality_limit = 50;
    TestMetrics t(std::move(o), TemporalityPreference::kDelta);
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    std::atomic<std::uint64_t> collected{0};
    auto sum_points = [](const MetricsData& data) {
        std::uint64_t s = 0;
        if (const Metric* m = data.Find("c"))
            for (const auto& p : m->number_points) s += static_cast<std::uint64_t>(p.as_int);
        return s;
    };
    RunThreads([&](int id) {
        for (int i = 0; i < kPerThread; ++i) {
            c.Add(1, {{"id", static_cast<std::int64_t>((i * 7 + id) % 500)}});
            if (id == 0 && i % 2000 == 0) collected += sum_points(t.reader->Collect());
        }
    });
    collected += sum_points(t.Collect());
    // Delta collections racing the writers must still add up to every measurement once.
    EXPECT_EQ(collected.load(), static_cast<std::uint64_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace tome::telemetry::metrics
