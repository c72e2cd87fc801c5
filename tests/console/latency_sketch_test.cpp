#include "latency_sketch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "red_ring.hpp"

namespace tome::console::internal {
namespace {

double Exact(std::vector<double> values, double q) {
    const auto rank = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
    return std::max(1.0, values[rank]);
}

TEST(LatencySketch, EveryQuantileOfAMillionSamplesIsWithinOnePercentOfExact) {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> latency(std::log(20'000.0), 1.2);  // µs: median 20 ms
    std::vector<double> values(1'000'000);
    LatencySketch sketch;
    for (double& v : values) {
        v = latency(rng);
        sketch.Add(v);
    }
    ASSERT_EQ(sketch.count(), values.size());
    for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
        const double exact = Exact(values, q);
        const double approx = sketch.Quantile(q);
        EXPECT_LE(std::abs(approx - exact) / exact, LatencySketch::kRelativeAccuracy + 1e-9)
            << "q=" << q << " exact=" << exact << " sketch=" << approx;
    }
    // Sparse: the buckets actually used, not a dense array over the whole range.
    EXPECT_LT(sketch.HeapBytes(), 16u * 1024);
}

TEST(LatencySketch, MergedSketchesAnswerLikeOneSketchOfEverything) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> fast(100, 2'000);
    std::uniform_real_distribution<double> slow(50'000, 400'000);
    LatencySketch a, b, all;
    for (int i = 0; i < 10'000; ++i) {
        const double x = fast(rng), y = slow(rng);
        a.Add(x);
        b.Add(y);
        all.Add(x);
        all.Add(y);
    }
    a.Merge(b);
    EXPECT_EQ(a.count(), all.count());
    for (double q : {0.1, 0.5, 0.75, 0.99}) EXPECT_DOUBLE_EQ(a.Quantile(q), all.Quantile(q)) << q;
}

TEST(LatencySketch, EmptyAndTinyValues) {
    LatencySketch s;
    EXPECT_EQ(s.Quantile(0.5), 0);
    s.Add(0.0);
    s.Add(-5.0);
    EXPECT_EQ(s.count(), 2u);
    EXPECT_NEAR(s.Quantile(0.5), 1.0, 0.02);  // below 1 µs counts as 1 µs
}

TEST(RedRing, SumsTheBucketsOfAWindowAndRefusesWhatIsOlderThanTheHour) {
    RedRing ring;
    const std::int64_t now = 1'800'000'000'000;  // unix ms
    EXPECT_TRUE(ring.Record(now - 5'000, now, 1000, false));
    EXPECT_TRUE(ring.Record(now - 15'000, now, 3000, true));
    EXPECT_TRUE(ring.Record(now - 30 * 60'000, now, 9000, false));
    EXPECT_FALSE(ring.Record(now - 2 * 3'600'000, now, 9000, false)) << "past the horizon";
    EXPECT_FALSE(ring.Record(now + 60'000, now, 9000, false)) << "far in the future";

    const RedTotals minute = ring.Sum(now - 60'000, now + 1);
    EXPECT_EQ(minute.requests, 2u);
    EXPECT_EQ(minute.errors, 1u);
    EXPECT_NEAR(minute.latency.Quantile(1.0), 3000, 30);
    EXPECT_EQ(ring.Sum(now - RedRing::kHorizonMs, now + 1).requests, 3u);

    const auto series = ring.Series(now - 60'000, now + 1, 30'000);
    ASSERT_EQ(series.size(), 3u);
    std::uint64_t total = 0;
    for (const auto& s : series) total += s.requests;
    EXPECT_EQ(total, 2u);
}

TEST(RedRing, ABucketIsReusedWhenTimeWrapsRoundToIt) {
    RedRing ring;
    const std::int64_t t0 = 1'800'000'000'000;
    ASSERT_TRUE(ring.Record(t0, t0, 100, false));
    const std::int64_t later = t0 + RedRing::kHorizonMs;  // the same slot, one hour on
    ASSERT_TRUE(ring.Record(later, later, 200, true));
    EXPECT_EQ(ring.Sum(later - RedRing::kHorizonMs + RedRing::kBucketMs, later + 1).requests, 1u);
    EXPECT_FALSE(ring.Record(t0, later, 100, false)) << "older data never overwrites newer";
}

}  // namespace
}  // namespace tome::console::internal
