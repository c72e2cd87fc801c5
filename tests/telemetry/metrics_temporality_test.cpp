// Delta vs cumulative collection, temporality preferences, and the cardinality overflow series.
#include <gtest/gtest.h>

#include "metrics_test_util.hpp"

namespace tome::telemetry::metrics {
namespace {

using testing::FindPoint;
using testing::TestMetrics;

TEST(Temporality, CumulativeRepeatsStartTimeAndKeepsEverySeries) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    c.Add(2, {{"k", "a"}});
    const auto d1 = t.Collect();
    c.Add(3, {{"k", "b"}});
    const auto d2 = t.Collect();
    const auto& p1 = d1.Find("c")->number_points;
    const auto& p2 = d2.Find("c")->number_points;
    ASSERT_EQ(p2.size(), 2u);
    EXPECT_EQ(FindPoint(p2, "k", "a")->as_int, 2);  // unchanged series still exported
    EXPECT_EQ(FindPoint(p2, "k", "b")->as_int, 3);
    EXPECT_EQ(p1[0].start_time_unix_nano, p2[0].start_time_unix_nano);
    EXPECT_LT(p1[0].time_unix_nano, p2[0].time_unix_nano);
}

TEST(Temporality, DeltaMovesStartTimeAndSkipsUnchangedSeries) {
    TestMetrics t({}, TemporalityPreference::kDelta);
    auto c = t.meter.CreateCounter<double>("c").instrument;
    auto h = t.meter.CreateHistogram<double>("h").instrument;
    auto u = t.meter.CreateUpDownCounter<std::int64_t>("u").instrument;
    c.Add(2, {{"k", "a"}});
    h.Record(1);
    h.Record(100);
    u.Add(4);
    const auto d1 = t.Collect();
    c.Add(3, {{"k", "b"}});
    c.Add(1, {{"k", "b"}});
    h.Record(7);
    u.Add(1);
    const auto d2 = t.Collect();

    EXPECT_EQ(d1.Find("c")->temporality, AggregationTemporality::kDelta);
    const auto& c2 = d2.Find("c")->number_points;
    ASSERT_EQ(c2.size(), 1u);  // `a` did not change
    EXPECT_DOUBLE_EQ(FindPoint(c2, "k", "b")->as_double, 4);
    EXPECT_EQ(c2[0].start_time_unix_nano, d1.Find("c")->number_points[0].time_unix_nano);

    const auto& h2 = d2.Find("h")->histogram_points[0];
    EXPECT_EQ(h2.count, 1u);
    EXPECT_DOUBLE_EQ(h2.sum, 7);
    EXPECT_DOUBLE_EQ(h2.min, 7);  // the window's min/max, not the lifetime's
    EXPECT_DOUBLE_EQ(h2.max, 7);

    EXPECT_EQ(d2.Find("u")->temporality, AggregationTemporality::kCumulative);
    EXPECT_EQ(d2.Find("u")->number_points[0].as_int, 5);

    const auto d3 = t.Collect();
    EXPECT_EQ(d3.Find("c"), nullptr);  // nothing happened
    EXPECT_EQ(d3.Find("h"), nullptr);
}

TEST(Temporality, PreferencesMapInstrumentKinds) {
    TestMetrics delta({}, TemporalityPreference::kDelta);
    TestMetrics low({}, TemporalityPreference::kLowMemory);
    for (TestMetrics* t : {&delta, &low}) {
        t->meter.CreateCounter<std::uint64_t>("c").instrument.Add(1);
        t->meter.CreateHistogram<double>("h").instrument.Record(1);
        static_cast<void>(t->meter.CreateObservableCounter<std::int64_t>(
            "oc", [](ObserverResult& r) { r.Observe(std::int64_t{10}); }));
    }
    // The observable registrations above were released at once; register kept ones.
    auto keep_d = delta.meter.CreateObservableCounter<std::int64_t>(
        "oc2", [](ObserverResult& r) { r.Observe(std::int64_t{10}); });
    auto keep_l = low.meter.CreateObservableCounter<std::int64_t>(
        "oc2", [](ObserverResult& r) { r.Observe(std::int64_t{10}); });
    const auto d = delta.Collect();
    const auto l = low.Collect();
    EXPECT_EQ(d.Find("oc"), nullptr);  // its handle is gone, so is its callback
    EXPECT_EQ(d.Find("c")->temporality, AggregationTemporality::kDelta);
    EXPECT_EQ(d.Find("h")->temporality, AggregationTemporality::kDelta);
    EXPECT_EQ(d.Find("oc2")->temporality, AggregationTemporality::kDelta);
    EXPECT_EQ(l.Find("c")->temporality, AggregationTemporality::kDelta);
    EXPECT_EQ(l.Find("h")->temporality, AggregationTemporality::kDelta);
    EXPECT_EQ(l.Find("oc2")->temporality, AggregationTemporality::kCumulative);
    // Observable counter in delta: the difference between two observations.
    EXPECT_EQ(delta.Collect().Find("oc2")->number_points[0].as_int, 0);
}

TEST(Temporality, PreferenceFromEnvironment) {
    auto env = [](std::string v) {
        return [v](std::string_view) -> std::optional<std::string> { return v; };
    };
    std::vector<std::string> warnings;
    EXPECT_EQ(TemporalityPreferenceFromEnv(env("DELTA"), &warnings), TemporalityPreference::kDelta);
    EXPECT_EQ(TemporalityPreferenceFromEnv(env("lowmemory"), &warnings),
              TemporalityPreference::kLowMemory);
    EXPECT_EQ(TemporalityPreferenceFromEnv(env(""), &warnings), TemporalityPreference::kCumulative);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(TemporalityPreferenceFromEnv(env("sometimes"), &warnings),
              TemporalityPreference::kCumulative);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("sometimes"), std::string::npos);
    EXPECT_EQ(ExemplarFilterFromEnv(env("always_on"), nullptr), ExemplarFilter::kAlwaysOn);
}

TEST(Overflow, SeriesPastTheLimitGoToOneOverflowSeriesAndNothingIsLost) {
    MeterProviderOptions o;
    o.cardinality_limit = 4;  // 3 ordinary series + the overflow series
    TestMetrics t(std::move(o));
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    for (int round = 0; round < 3; ++round)
        for (int i = 0; i < 10; ++i) c.Add(1, {{"id", static_cast<std::int64_t>(i)}});
    const auto data = t.Collect();
    const auto& points = data.Find("c")->number_points;
    ASSERT_EQ(points.size(), 4u);
    std::int64_t total = 0, overflow = 0;
    for (const auto& p : points) {
        total += p.as_int;
        if (p.attributes.size() == 1 && p.attributes[0].key == "otel.metric.overflow") {
            EXPECT_EQ(std::get<bool>(p.attributes[0].value), true);
            overflow = p.as_int;
        }
    }
    EXPECT_EQ(total, 30);
    EXPECT_EQ(overflow, 21);  // ids 3..9, three rounds
    EXPECT_EQ(t.provider->overflowed_measurements(), 21u);
    ASSERT_EQ(t.diagnostics->size(), 1u);  // logged once
    EXPECT_NE((*t.diagnostics)[0].find("'c'"), std::string::npos);
}

TEST(Overflow, ViewLimitAppliesPerInstrumentAndToHistograms) {
    MeterProviderOptions o;
    o.views.push_back({"h", {}, 2});
    TestMetrics t(std::move(o));
    auto h = t.meter.CreateHistogram<double>("h").instrument;
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    for (int i = 0; i < 5; ++i) {
        h.Record(1, {{"id", static_cast<std::int64_t>(i)}});
        c.Add(1, {{"id", static_cast<std::int64_t>(i)}});
    }
    const auto data = t.Collect();
    ASSERT_EQ(data.Find("h")->histogram_points.size(), 2u);
    EXPECT_EQ(data.Find("h")->histogram_points[1].count, 4u);
    EXPECT_EQ(data.Find("c")->number_points.size(), 5u);
}

}  // namespace
}  // namespace tome::telemetry::metrics
