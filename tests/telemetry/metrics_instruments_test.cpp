// Instruments, validation, providers and the aggregations (sum, last value, histogram).
#include <gtest/gtest.h>

#include <cmath>

#include "metrics_test_util.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::metrics {
namespace {

using testing::FindPoint;
using testing::TestMetrics;

TEST(MetricsValidation, AcceptsSpecNamesAndRejectsOthers) {
    EXPECT_TRUE(IsValidInstrumentName("http.server.request.duration"));
    EXPECT_TRUE(IsValidInstrumentName("a/b-c_d.E9"));
    EXPECT_TRUE(IsValidInstrumentName(std::string(255, 'a')));
    EXPECT_FALSE(IsValidInstrumentName(std::string(256, 'a')));
    EXPECT_FALSE(IsValidInstrumentName(""));
    EXPECT_FALSE(IsValidInstrumentName("9lives"));
    EXPECT_FALSE(IsValidInstrumentName("_x"));
    EXPECT_FALSE(IsValidInstrumentName("has space"));
    EXPECT_FALSE(IsValidInstrumentName("caf\xc3\xa9"));
    EXPECT_TRUE(IsValidInstrumentUnit("ms"));
    EXPECT_TRUE(IsValidInstrumentUnit(std::string(63, 'x')));
    EXPECT_FALSE(IsValidInstrumentUnit(std::string(64, 'x')));
    EXPECT_FALSE(IsValidInstrumentUnit("\xc2\xb5s"));
}

TEST(Meter, InvalidNameGivesErrorAndNoopInstrument) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<std::uint64_t>("1bad");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error->message.find("1bad"), std::string::npos);
    EXPECT_TRUE(c.instrument.is_noop());
    c.instrument.Add(5);  // harmless
    auto u = t.meter.CreateCounter<double>("ok", {.unit = std::string(64, 'u')});
    EXPECT_FALSE(u.ok());
    EXPECT_TRUE(t.Collect().scope_metrics.empty());
}

TEST(Meter, SameNameSameKindSharesSeriesAndConflictIsAnError) {
    TestMetrics t;
    auto a = t.meter.CreateCounter<std::uint64_t>("requests");
    auto b = t.meter.CreateCounter<std::uint64_t>("REQUESTS");
    ASSERT_TRUE(a.ok() && b.ok());
    a.instrument.Add(1);
    b.instrument.Add(2);
    auto clash = t.meter.CreateHistogram<double>("requests");
    EXPECT_FALSE(clash.ok());
    const auto data = t.Collect();
    const Metric* m = data.Find("requests");
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(m->number_points.size(), 1u);
    EXPECT_EQ(m->number_points[0].as_int, 3);
}

TEST(MeterProvider, GlobalIsNeverNullAndNoopUntilSet) {
    auto noop = GetMeterProvider();
    ASSERT_NE(noop, nullptr);
    EXPECT_TRUE(noop->is_noop());
    auto c = noop->GetMeter("x").CreateCounter<std::uint64_t>("x");
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE(c.instrument.is_noop());
    auto real = std::make_shared<MeterProvider>(MeterProviderOptions{});
    SetMeterProvider(real);
    EXPECT_EQ(GetMeterProvider(), real);
    SetMeterProvider(nullptr);
    EXPECT_TRUE(GetMeterProvider()->is_noop());
}

TEST(MeterProvider, ReaderBelongsToOneProviderAndShutdownEmptiesIt) {
    TestMetrics t;
    auto other = std::make_shared<MeterProvider>(MeterProviderOptions{});
    EXPECT_FALSE(other->AddReader(t.reader));
    EXPECT_FALSE(t.provider->AddReader(t.reader));
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    c.Add(1);
    EXPECT_EQ(t.Collect().scope_metrics.size(), 1u);
    t.provider->Shutdown();
    t.provider->Shutdown();
    EXPECT_TRUE(t.Collect().scope_metrics.empty());
    EXPECT_TRUE(t.provider->GetMeter("late").is_noop());
}

TEST(Counter, SumsPerAttributeSetIgnoringOrderAndNegatives) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<double>("bytes", {.description = "d", .unit = "By"}).instrument;
    c.Add(1.5, {{"a", "x"}, {"b", 2}});
    c.Add(2.5, {{"b", 2}, {"a", "x"}});  // same set, other order
    c.Add(4, {{"a", "y"}, {"b", 2}});
    c.Add(-3, {{"a", "x"}, {"b", 2}});  // ignored
    c.Add(std::nan(""), {{"a", "x"}, {"b", 2}});
    const auto data = t.Collect();
    const Metric* m = data.Find("bytes");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->type, MetricType::kSum);
    EXPECT_TRUE(m->is_monotonic);
    EXPECT_EQ(m->temporality, AggregationTemporality::kCumulative);
    EXPECT_EQ(m->unit, "By");
    ASSERT_EQ(m->number_points.size(), 2u);
    EXPECT_DOUBLE_EQ(FindPoint(m->number_points, "a", "x")->as_double, 4.0);
    EXPECT_DOUBLE_EQ(FindPoint(m->number_points, "a", "y")->as_double, 4.0);
    EXPECT_EQ(data.scope_metrics[0].scope.name, "tome.test");
    EXPECT_EQ(data.scope_metrics[0].scope.version, "1.2.3");
}

TEST(Counter, RepeatedKeyKeepsTheLastValue) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    c.Add(1, {{"k", "first"}, {"k", "last"}});
    c.Add(1, {{"k", "last"}});
    const auto data = t.Collect();
    ASSERT_EQ(data.Find("c")->number_points.size(), 1u);
    EXPECT_EQ(FindPoint(data.Find("c")->number_points, "k", "last")->as_int, 2);
}

TEST(Counter, BoundHandleAddsToTheSameSeries) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    auto bound = c.Bind({{"route", "/a"}});
    bound.Add(2);
    bound.Add(3);
    c.Add(5, {{"route", "/a"}});
    BoundCounter<std::uint64_t> noop;
    noop.Add(1);
    const auto data = t.Collect();
    ASSERT_EQ(data.Find("c")->number_points.size(), 1u);
    EXPECT_EQ(data.Find("c")->number_points[0].as_int, 10);
}

TEST(UpDownCounter, IsANonMonotonicCumulativeSum) {
    TestMetrics t;
    auto u = t.meter.CreateUpDownCounter<std::int64_t>("queue.depth").instrument;
    u.Add(5);
    u.Add(-7);
    auto b = u.Bind({});
    b.Add(1);
    const auto data = t.Collect();
    const Metric* m = data.Find("queue.depth");
    ASSERT_NE(m, nullptr);
    EXPECT_FALSE(m->is_monotonic);
    EXPECT_EQ(m->number_points[0].as_int, -1);
}

TEST(Gauge, ReportsTheLastValuePerSeries) {
    TestMetrics t;
    auto g = t.meter.CreateGauge<double>("temperature", {.unit = "Cel"}).instrument;
    g.Record(20.5, {{"room", "a"}});
    g.Record(21.0, {{"room", "a"}});
    g.Record(-3, {{"room", "b"}});
    const auto data = t.Collect();
    const Metric* m = data.Find("temperature");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->type, MetricType::kGauge);
    EXPECT_EQ(m->temporality, AggregationTemporality::kUnspecified);
    EXPECT_DOUBLE_EQ(FindPoint(m->number_points, "room", "a")->as_double, 21.0);
    EXPECT_DOUBLE_EQ(FindPoint(m->number_points, "room", "b")->as_double, -3.0);
}

TEST(Histogram, DefaultBoundariesMinMaxSumCount) {
    TestMetrics t;
    auto h = t.meter.CreateHistogram<double>("latency", {.unit = "ms"}).instrument;
    for (double v : {0.0, 5.0, 5.5, 10000.0, 10001.0, -1.0}) h.Record(v);
    h.Record(std::nan(""));
    const auto data = t.Collect();
    const Metric* m = data.Find("latency");
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(m->histogram_points.size(), 1u);
    const HistogramPoint& p = m->histogram_points[0];
    EXPECT_EQ(p.bounds, DefaultHistogramBoundaries());
    ASSERT_EQ(p.bucket_counts.size(), 16u);
    EXPECT_EQ(p.bucket_counts[0], 2u);   // -1 and 0 (bound 0 is inclusive)
    EXPECT_EQ(p.bucket_counts[1], 1u);   // 5
    EXPECT_EQ(p.bucket_counts[2], 1u);   // 5.5
    EXPECT_EQ(p.bucket_counts[14], 1u);  // 10000
    EXPECT_EQ(p.bucket_counts[15], 1u);  // +Inf
    EXPECT_EQ(p.count, 6u);
    EXPECT_DOUBLE_EQ(p.sum, 20010.5);
    EXPECT_TRUE(p.has_min_max);
    EXPECT_DOUBLE_EQ(p.min, -1.0);
    EXPECT_DOUBLE_EQ(p.max, 10001.0);
}

TEST(Histogram, ViewBoundariesWinOverAdvice) {
    MeterProviderOptions o;
    o.views.push_back({"db.latency", {0.1, 1, 10}, 0});
    TestMetrics t(std::move(o));
    auto viewed = t.meter.CreateHistogram<double>("db.latency", {.histogram_boundaries = {5, 6}});
    auto advised = t.meter.CreateHistogram<std::uint64_t>("size", {.histogram_boundaries = {1, 2}});
    auto bad = t.meter.CreateHistogram<double>("bad", {.histogram_boundaries = {2, 1}});
    EXPECT_FALSE(bad.ok());
    viewed.instrument.Record(0.5);
    advised.instrument.Record(2);
    const auto data = t.Collect();
    EXPECT_EQ(data.Find("db.latency")->histogram_points[0].bounds,
              (std::vector<double>{0.1, 1, 10}));
    EXPECT_EQ(data.Find("db.latency")->histogram_points[0].bucket_counts,
              (std::vector<std::uint64_t>{0, 1, 0, 0}));
    EXPECT_EQ(data.Find("size")->histogram_points[0].bucket_counts,
              (std::vector<std::uint64_t>{0, 1, 0}));
}

TEST(Histogram, KeepsAnExemplarFromTheSampledSpanOnly) {
    TestMetrics t;
    auto h = t.meter.CreateHistogram<double>("latency").instrument;
    h.Record(7);  // no span: no exemplar
    trace::SpanContext sc;
    sc.trace_id = GenerateTraceId();
    sc.span_id = GenerateSpanId();
    sc.trace_flags = trace::kTraceFlagSampled;
    {
        trace::Scope scope(trace::Context{}.WithSpanContext(sc));
        h.Record(3000);
    }
    trace::SpanContext unsampled = sc;
    unsampled.trace_flags = 0;
    {
        trace::Scope scope(trace::Context{}.WithSpanContext(unsampled));
        h.Record(1);
    }
    const auto data = t.Collect();
    const auto& p = data.Find("latency")->histogram_points[0];
    ASSERT_EQ(p.exemplars.size(), 1u);
    EXPECT_EQ(p.exemplars[0].trace_id, sc.trace_id);
    EXPECT_EQ(p.exemplars[0].span_id, sc.span_id);
    EXPECT_DOUBLE_EQ(p.exemplars[0].value, 3000);
    EXPECT_GT(p.exemplars[0].time_unix_nano, 0u);
}

TEST(Histogram, AlwaysOffFilterKeepsNoExemplar) {
    MeterProviderOptions o;
    o.exemplar_filter = ExemplarFilter::kAlwaysOff;
    TestMetrics t(std::move(o));
    auto h = t.meter.CreateHistogram<double>("latency").instrument;
    trace::SpanContext sc{GenerateTraceId(), GenerateSpanId(), trace::kTraceFlagSampled, {}, false};
    trace::Scope scope(trace::Context{}.WithSpanContext(sc));
    h.Record(1);
    EXPECT_TRUE(t.Collect().Find("latency")->histogram_points[0].exemplars.empty());
}

TEST(Observable, CallbacksRunAtCollectionUntilTheHandleIsReset) {
    TestMetrics t;
    int calls = 0;
    auto obs = t.meter.CreateObservableGauge<std::int64_t>("open.files", [&](ObserverResult& r) {
        ++calls;
        r.Observe(std::int64_t{42}, {{"kind", "socket"}});
        if (calls == 1) r.Observe(std::int64_t{1}, {{"kind", "pipe"}});
    });
    ASSERT_TRUE(obs.ok());
    auto d1 = t.Collect();
    EXPECT_EQ(d1.Find("open.files")->number_points.size(), 2u);
    auto d2 = t.Collect();  // `pipe` was not observed this time: gone
    ASSERT_EQ(d2.Find("open.files")->number_points.size(), 1u);
    EXPECT_EQ(d2.Find("open.files")->number_points[0].as_int, 42);
    obs.instrument.Reset();
    EXPECT_EQ(t.Collect().Find("open.files"), nullptr);
    EXPECT_EQ(calls, 2);
}

TEST(Observable, ThrowingCallbackDoesNotBreakCollection) {
    TestMetrics t;
    auto bad = t.meter.CreateObservableCounter<double>(
        "bad", [](ObserverResult&) { throw std::runtime_error("boom"); });
    auto good = t.meter.CreateObservableUpDownCounter<double>(
        "good", [](ObserverResult& r) { r.Observe(2.5); });
    auto missing = t.meter.CreateObservableCounter<double>("missing", nullptr);
    EXPECT_FALSE(missing.ok());
    const auto data = t.Collect();
    EXPECT_EQ(data.Find("bad"), nullptr);
    ASSERT_NE(data.Find("good"), nullptr);
    EXPECT_DOUBLE_EQ(data.Find("good")->number_points[0].as_double, 2.5);
}

}  // namespace
}  // namespace tome::telemetry::metrics
