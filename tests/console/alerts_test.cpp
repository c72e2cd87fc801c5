// Alert rules: the state machine, each expression kind against hand-computed values, the
// baseline detector on synthetic series, root-cause hints, rule checks and the Prometheus export.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "alert_engine.hpp"
#include "alert_eval.hpp"
#include "alert_notifier.hpp"
#include "anomaly.hpp"
#include "console_test_util.hpp"
#include "root_cause.hpp"
#include "store.hpp"
#include "tome/console/alerts.hpp"
#include "tome/core/clock.hpp"

namespace tome::console::internal {
namespace {

using Stat = AlertQuantity::Stat;
using std::chrono::milliseconds;

constexpr std::int64_t kT0 = 1'800'000'000'000;  // ms
constexpr std::uint64_t Ns(std::int64_t ms) { return static_cast<std::uint64_t>(ms) * 1'000'000; }

// ---------------------------------------------------------------------------------------------
// The state machine of one rule.

TEST(AlertStep, PendingThenFiringAfterForThenResolved) {
    AlertState s;
    auto t = Step(s, true, 2.0, milliseconds(60'000), kT0);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, AlertPhase::kPending);
    EXPECT_FALSE(Step(s, true, 2.5, milliseconds(60'000), kT0 + 30'000)) << "still pending before for";
    EXPECT_EQ(s.phase, AlertPhase::kPending);
    t = Step(s, true, 3.0, milliseconds(60'000), kT0 + 60'000);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, AlertPhase::kFiring);
    EXPECT_EQ(s.firing_since_ms, kT0 + 60'000);
    EXPECT_EQ(s.active_since_ms, kT0);
    t = Step(s, false, 0.1, milliseconds(60'000), kT0 + 90'000);
    ASSERT_TRUE(t);
    EXPECT_TRUE(t->resolved);
    EXPECT_EQ(s.phase, AlertPhase::kInactive);
    EXPECT_EQ(s.resolved_at_ms, kT0 + 90'000);
    EXPECT_EQ(s.history.size(), 3u);
}

TEST(AlertStep, PendingThatStopsHoldingIsNotResolved) {
    AlertState s;
    Step(s, true, 1.0, milliseconds(60'000), kT0);
    auto t = Step(s, false, 0.0, milliseconds(60'000), kT0 + 10'000);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->resolved) << "it never fired";
    EXPECT_EQ(s.resolved_at_ms, 0);
    // Holding again restarts the `for` clock.
    Step(s, true, 1.0, milliseconds(60'000), kT0 + 20'000);
    EXPECT_FALSE(Step(s, true, 1.0, milliseconds(60'000), kT0 + 70'000));
    EXPECT_EQ(s.phase, AlertPhase::kPending);
}

TEST(AlertStep, ForZeroFiresAtOnce) {
    AlertState s;
    auto t = Step(s, true, 5.0, milliseconds(0), kT0);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, AlertPhase::kFiring);
}

TEST(AlertStep, ThreeResolutionsInTenMinutesIsFlapping) {
    AlertState s;
    std::int64_t now = kT0;
    for (int i = 0; i < 2; ++i) {
        Step(s, true, 1, milliseconds(0), now += 60'000);
        Step(s, false, 0, milliseconds(0), now += 60'000);
    }
    EXPECT_FALSE(s.flapping);
    Step(s, true, 1, milliseconds(0), now += 60'000);
    Step(s, false, 0, milliseconds(0), now += 60'000);
    EXPECT_TRUE(s.flapping);
    // Quiet for long enough: the old resolutions leave the window at the next transition.
    Step(s, true, 1, milliseconds(0), now += 11 * 60'000);
    EXPECT_FALSE(s.flapping);
}

// ---------------------------------------------------------------------------------------------
// Expressions over a store.

class AlertDataTest : public ::testing::Test {
protected:
    AlertDataTest() : store_(StoreOptions{}) {
        resource_ = testing::Resource(store_.resources(), store_.strings(), "shop");
    }

    std::uint32_t Series(const std::string& name, MetricKind kind, nlohmann::json attributes,
                         Temporality temporality = Temporality::kCumulative) {
        SeriesInfo info;
        info.resource_id = resource_;
        info.name = name;
        info.kind = kind;
        info.monotonic = kind == MetricKind::kSum;
        info.temporality = temporality;
        RecordWriter w(info.encoded_attributes, &store_.strings());
        w.MapHeader(attributes.size());
        for (const auto& [k, v] : attributes.items()) {
            w.StrRef(k);
            w.StringValue(v.get<std::string>());
        }
        info.attributes = std::move(attributes);
        auto id = store_.InternSeries(std::move(info));
        EXPECT_TRUE(id);
        return *id;
    }
    void Point(std::uint32_t series, std::int64_t at_ms, double value, std::int64_t start_ms = kT0 - 3'600'000) {
        MetricPoint p;
        p.series = series;
        p.start_ns = Ns(start_ms);
        p.time_ns = Ns(at_ms);
        p.value = value;
        store_.AddPoint(p);
    }
    void Histogram(std::uint32_t series, std::int64_t at_ms, std::vector<std::uint64_t> counts,
                   std::vector<double> bounds = {0.1, 0.5, 1.0}) {
        MetricPoint p;
        p.series = series;
        p.start_ns = Ns(kT0 - 3'600'000);
        p.time_ns = Ns(at_ms);
        p.bounds = std::move(bounds);
        p.bucket_counts = std::move(counts);
        for (auto c : p.bucket_counts) p.count += c;
        store_.AddPoint(p);
    }
    static AlertQuantity Metric(std::string name, Stat stat, std::map<std::string, std::vector<std::string>> match = {}) {
        AlertQuantity q;
        q.metric = std::move(name);
        q.stat = stat;
        q.match = std::move(match);
        return q;
    }

    Store store_;
    std::uint32_t resource_ = 0;
};

TEST_F(AlertDataTest, IncreaseOfACumulativeCounterIsTheGainInsideTheWindowAcrossAReset) {
    const auto ok = Series("orders", MetricKind::kSum, {{"outcome", "completed"}});
    const auto failed = Series("orders", MetricKind::kSum, {{"outcome", "payment_failed"}});
    // Every 10 s: completed grows by 10, payment_failed by 1; the process restarts at +40 s.
    for (int i = 0; i <= 6; ++i) {
        const std::int64_t at = kT0 + i * 10'000;
        if (i < 4) {
            Point(ok, at, 100 + 10.0 * i);
            Point(failed, at, 5 + 1.0 * i);
        } else {
            Point(ok, at, 10.0 * (i - 3), kT0 + 35'000);  // reset: counts from 0 again
            Point(failed, at, 1.0 * (i - 3), kT0 + 35'000);
        }
    }
    store_.SealAll();
    AlertEvaluator eval(store_);
    // (kT0+10 s, kT0+60 s]: completed 110->120->130, reset to 10, 20, 30: 10+10+10+10+10 = 50.
    EXPECT_DOUBLE_EQ(*eval.Quantity(Metric("orders", Stat::kIncrease, {{"outcome", {"completed"}}}), kT0 + 10'000,
                                    kT0 + 60'000),
                     50.0);
    AlertExpression ratio;
    ratio.terms.push_back(Metric("orders", Stat::kIncrease, {{"outcome", {"payment_failed"}}}));
    ratio.denominator = Metric("orders", Stat::kIncrease);
    EXPECT_NEAR(*eval.Evaluate(ratio, kT0 + 10'000, kT0 + 60'000), 5.0 / 55.0, 1e-12);
    // Rate: 50 / 50 s.
    EXPECT_DOUBLE_EQ(*eval.Quantity(Metric("orders", Stat::kRate, {{"outcome", {"completed"}}}), kT0 + 10'000,
                                    kT0 + 60'000),
                     1.0);
    // A metric nobody reports is no value, not zero; a ratio over nothing is no value.
    EXPECT_FALSE(eval.Quantity(Metric("refunds", Stat::kIncrease), kT0, kT0 + 60'000));
    AlertExpression empty = ratio;
    EXPECT_FALSE(eval.Evaluate(empty, kT0 + 100'000, kT0 + 200'000));
}

TEST_F(AlertDataTest, QuantilesOfAHistogramInterpolateInsideTheBucket) {
    const auto h = Series("order.duration", MetricKind::kHistogram, {{"outcome", "completed"}});
    // Cumulative buckets (<=0.1, <=0.5, <=1, +inf).
    Histogram(h, kT0, {10, 0, 0, 0});
    Histogram(h, kT0 + 60'000, {90, 0, 10, 0});  // the window gained 80 fast and 10 in (0.5, 1]
    store_.SealAll();
    AlertEvaluator eval(store_);
    // p95 of 90 gained: rank 85.5 > 80, inside (0.5, 1]: 0.5 + 0.5 * (5.5 / 10) = 0.775.
    EXPECT_NEAR(*eval.Quantity(Metric("order.duration", Stat::kP95), kT0 + 1, kT0 + 60'000), 0.775, 1e-9);
    // p50: rank 45 in the first bucket [0, 0.1]: 0.1 * 45 / 80.
    EXPECT_NEAR(*eval.Quantity(Metric("order.duration", Stat::kP50), kT0 + 1, kT0 + 60'000), 0.05625, 1e-9);
    EXPECT_DOUBLE_EQ(*eval.Quantity(Metric("order.duration", Stat::kCount), kT0 + 1, kT0 + 60'000), 90.0);
}

TEST_F(AlertDataTest, LastOfAGaugeIsTheLatestValueInTheWindowAndStaleOutsideIt) {
    const auto unhealthy = Series("tome.connections.active", MetricKind::kGauge, {{"tome.health", "unhealthy"}});
    const auto healthy = Series("tome.connections.active", MetricKind::kGauge, {{"tome.health", "healthy"}});
    Point(unhealthy, kT0 + 5'000, 0);
    Point(healthy, kT0 + 5'000, 4);
    Point(unhealthy, kT0 + 15'000, 1);
    Point(healthy, kT0 + 15'000, 3);
    store_.SealAll();
    AlertEvaluator eval(store_);
    const auto q = Metric("tome.connections.active", Stat::kLast, {{"tome.health", {"unhealthy"}}});
    EXPECT_DOUBLE_EQ(*eval.Quantity(q, kT0, kT0 + 20'000), 1.0);
    EXPECT_DOUBLE_EQ(*eval.Quantity(Metric("tome.connections.active", Stat::kLast), kT0, kT0 + 20'000), 4.0);
    EXPECT_FALSE(eval.Quantity(q, kT0 + 20'000, kT0 + 80'000)) << "no point in the window: stale";
}

TEST_F(AlertDataTest, RedOfAServiceComesFromItsEntrySpans) {
    const std::int64_t now = kT0 + 60'000;
    for (int i = 0; i < 20; ++i) {
        testing::SpanSpec s;
        s.trace = testing::TraceN(static_cast<std::uint64_t>(i) + 1);
        s.span = testing::SpanN(static_cast<std::uint64_t>(i) + 1);
        s.resource = resource_;
        s.name = "POST /pay";
        s.kind = 2;  // SERVER
        s.status = i % 4 == 0 ? 2 : 0;
        s.start_ns = Ns(kT0 + 1000 * i);
        s.duration_ns = Ns(i < 10 ? 10 : 100);
        store_.AddSpan(testing::EncodeSpan(store_.strings(), s), now);
    }
    store_.SealAll();
    AlertEvaluator eval(store_);
    AlertQuantity q;
    q.source = AlertQuantity::Source::kRed;
    q.service = "shop";
    q.operation = "POST /pay";
    q.stat = Stat::kRequests;
    EXPECT_DOUBLE_EQ(*eval.Quantity(q, kT0 - 1, now), 20.0);
    q.stat = Stat::kErrorRate;
    EXPECT_DOUBLE_EQ(*eval.Quantity(q, kT0 - 1, now), 5.0 / 20.0);
    q.stat = Stat::kP95;  // milliseconds; half the spans took 100 ms (1 % sketch)
    EXPECT_NEAR(*eval.Quantity(q, kT0 - 1, now), 100.0, 2.0);
}

// ---------------------------------------------------------------------------------------------
// The baseline detector: a step is flagged within a bounded number of intervals; noise is not.

class BaselineTest : public AlertDataTest {
protected:
    // p95 of inventory.reserve: every 10 s a cumulative histogram gains 100 observations.
    // Before `step_at` they spread over 20-80 ms with noise; after it, 600-700 ms.
    void Feed(std::int64_t until_ms, std::int64_t step_at_ms) {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> jitter(-3, 3);
        std::vector<std::uint64_t> cumulative(bounds_.size() + 1, 0);
        for (std::int64_t at = kT0; at <= until_ms; at += 10'000) {
            if (at < step_at_ms) {
                cumulative[1] += static_cast<std::uint64_t>(40 + jitter(rng));  // (0.01, 0.025]
                cumulative[2] += static_cast<std::uint64_t>(50 + jitter(rng));  // (0.025, 0.05]
                cumulative[3] += static_cast<std::uint64_t>(10 + jitter(rng));  // (0.05, 0.1]
            } else {
                cumulative[5] += 100;  // (0.5, 0.75]
            }
            Histogram(series_, at, cumulative, bounds_);
        }
        store_.SealAll();
    }
    AlertRule Rule() const {
        AlertRule rule;
        rule.name = "InventoryResponseDegraded";
        AlertQuantity q = Metric("order.step.duration", Stat::kP95, {{"step", {"inventory.reserve"}}});
        rule.expr.terms.push_back(q);
        rule.baseline = AlertBaseline{};
        rule.window = milliseconds(60'000);
        rule.for_duration = milliseconds(60'000);
        return rule;
    }
    std::vector<double> bounds_{0.01, 0.025, 0.05, 0.1, 0.5, 0.75, 1};
    std::uint32_t series_ = Series("order.step.duration", MetricKind::kHistogram, {{"step", "inventory.reserve"}});
};

TEST_F(BaselineTest, SteadyNoiseStaysQuietAndALatencyStepFiresWithinBoundedIntervals) {
    const std::int64_t step_at = kT0 + 30 * 60'000;
    // Four minutes after the step (later, the step becomes the baseline itself: a baseline
    // rule resolves once the new level has lasted half the baseline's span).
    const std::int64_t end = step_at + 4 * 60'000;
    Feed(end, step_at);
    AlertingOptions options;
    options.rules = {Rule()};
    options.detect_anomalies = false;
    AlertEngine engine(store_, options, SystemClock::Get());
    std::int64_t fired_at = 0;
    for (std::int64_t now = kT0 + 16 * 60'000; now <= end; now += 10'000) {
        engine.EvaluateNow(now);
        const auto firing = engine.Firing();
        ASSERT_EQ(firing.size(), 1u);
        if (now < step_at) {
            ASSERT_FALSE(firing[0].second) << "steady noise fired at +" << (now - kT0) / 1000 << " s: "
                                           << engine.StateJson(now).dump();
        } else if (firing[0].second && fired_at == 0) {
            fired_at = now;
        }
    }
    ASSERT_NE(fired_at, 0) << engine.StateJson(end).dump();
    // The window must be mostly past the step to move its p95 (about half a window), then `for`.
    const std::int64_t delay = fired_at - step_at;
    EXPECT_LE(delay, 60'000 + 60'000 + 20'000) << "fired " << delay / 1000 << " s after the step";
    const auto state = engine.StateJson(end)["rules"][0];
    EXPECT_EQ(state["state"], "firing");
    EXPECT_NEAR(state["baseline"]["median"].get<double>(), 0.05, 0.03) << state.dump();
}

TEST_F(BaselineTest, TooLittleHistoryGivesNoVerdict) {
    Feed(kT0 + 3 * 60'000, kT0 + 2 * 60'000);
    AlertingOptions options;
    options.rules = {Rule()};
    options.detect_anomalies = false;
    AlertEngine engine(store_, options, SystemClock::Get());
    engine.EvaluateNow(kT0 + 3 * 60'000);
    const auto state = engine.StateJson(kT0 + 3 * 60'000)["rules"][0];
    EXPECT_EQ(state["state"], "inactive");
    EXPECT_NE(state["noData"].get<std::string>().find("baseline"), std::string::npos) << state.dump();
}

TEST(MedianAndMad, AreRobustToOneOutlier) {
    auto [median, mad] = MedianAndMad({10, 11, 9, 10, 1000, 10, 12});
    EXPECT_DOUBLE_EQ(median, 10);
    EXPECT_DOUBLE_EQ(mad, 1);
}

// ---------------------------------------------------------------------------------------------
// Root-cause hints: the span whose self time grew most in the affected traces.

TEST_F(AlertDataTest, RootCauseNamesTheStepWhoseSelfTimeGrew) {
    const auto inventory = testing::Resource(store_.resources(), store_.strings(), "tome");
    std::vector<TraceIdBytes> before, after;
    std::uint64_t n = 1;
    for (int t = 0; t < 20; ++t) {
        const bool slow = t >= 10;
        const auto trace = testing::TraceN(static_cast<std::uint64_t>(t) + 100);
        (slow ? after : before).push_back(trace);
        const std::uint64_t start = Ns(kT0 + t * 1000);
        testing::SpanSpec root;
        root.trace = trace;
        root.span = testing::SpanN(n++);
        root.resource = inventory;
        root.name = "order.workflow";
        root.start_ns = start;
        root.duration_ns = Ns(slow ? 700 : 100);
        root.status = slow ? 2 : 0;  // failed because payment.process failed
        store_.AddSpan(testing::EncodeSpan(store_.strings(), root), kT0 + 60'000);
        std::uint64_t at = start;
        for (const char* step : {"order.place", "payment.process", "inventory.reserve", "notification.send"}) {
            testing::SpanSpec s;
            s.trace = trace;
            s.span = testing::SpanN(n++);
            s.parent = root.span;
            s.resource = inventory;
            s.name = step;
            s.start_ns = at;
            s.duration_ns = Ns(std::string(step) == "inventory.reserve" && slow ? 625 : 25);
            s.attributes = {{"tome.id", std::string(step) == "inventory.reserve" ? "InventoryService" : "Other"}};
            s.status = slow && std::string(step) == "payment.process" ? 2 : 0;
            at += s.duration_ns;
            store_.AddSpan(testing::EncodeSpan(store_.strings(), s), kT0 + 60'000);
        }
    }
    store_.SealAll();
    const auto hint = FindRootCause(store_, after, before, false);
    ASSERT_TRUE(hint);
    EXPECT_EQ(hint->operation, "inventory.reserve");
    EXPECT_EQ(hint->service, "tome");
    EXPECT_EQ(hint->tome, "InventoryService");
    EXPECT_NEAR(hint->before, 25.0, 0.5);
    EXPECT_NEAR(hint->after, 625.0, 0.5);
    EXPECT_NE(hint->text.find("inventory.reserve"), std::string::npos) << hint->text;
    // Errors count where they began: payment.process, not the root marked failed after it.
    const auto errors = FindRootCause(store_, after, before, true);
    ASSERT_TRUE(errors);
    EXPECT_EQ(errors->operation, "payment.process") << errors->text;
    EXPECT_DOUBLE_EQ(errors->after, 1.0);
    EXPECT_DOUBLE_EQ(errors->before, 0.0);
}

// ---------------------------------------------------------------------------------------------
// Notifications: a dead receiver is retried with backoff, then counted as failed; a full queue
// drops the oldest (counted); Post never waits on the network.

TEST(AlertNotifier, RetriesADeadReceiverThenCountsItFailedAndBoundsItsQueue) {
    AlertNotifyOptions options;
    options.max_attempts = 3;
    options.timeout = milliseconds(500);
    options.max_queue = 2;
    AlertNotifier notifier(options);
    // Port 1 on loopback: nothing listens, every attempt is refused.
    for (int i = 0; i < 5; ++i) notifier.Post("http://127.0.0.1:1/api/v2/alerts", "[]");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    NotifierStats stats = notifier.Stats();
    while (stats.failed + stats.dropped < 5 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(milliseconds(20));  // polling the counters the notifier publishes
        stats = notifier.Stats();
    }
    EXPECT_EQ(stats.failed + stats.dropped, 5u);
    EXPECT_GE(stats.dropped, 2u) << "two queued and at most one in flight";
    EXPECT_EQ(stats.retried, 2 * stats.failed) << "each delivery tried max_attempts times";
    EXPECT_EQ(stats.sent, 0u);
    EXPECT_FALSE(stats.last_error.empty());
    notifier.Shutdown(milliseconds(100));
}

// ---------------------------------------------------------------------------------------------
// Rule checks and the Prometheus export.

AlertRule ValidRule() {
    AlertRule r;
    r.name = "OrderProcessingSlow";
    r.where = "tome.yaml:12";
    AlertQuantity q;
    q.metric = "order.duration";
    q.unit = "s";
    q.stat = Stat::kP95;
    r.expr.terms.push_back(q);
    r.threshold = 0.5;
    return r;
}

TEST(ValidateRule, NamesTheFileLineAndField) {
    EXPECT_TRUE(ValidateRule(ValidRule()).ok());
    AlertRule bad = ValidRule();
    bad.name = "order-slow";
    EXPECT_NE(ValidateRule(bad).message().find("tome.yaml:12: alert name 'order-slow'"), std::string::npos);
    bad = ValidRule();
    bad.op = ">=";
    EXPECT_NE(ValidateRule(bad).message().find("above (>) or below (<)"), std::string::npos);
    bad = ValidRule();
    bad.expr.denominator = bad.expr.terms[0];  // p95 / p95 is no ratio of counts
    EXPECT_NE(ValidateRule(bad).message().find("ratio divides counts"), std::string::npos) << ValidateRule(bad).message();
    bad = ValidRule();
    bad.baseline = AlertBaseline{};
    bad.baseline->span = milliseconds(120'000);  // two windows, five needed
    EXPECT_NE(ValidateRule(bad).message().find("baseline"), std::string::npos);
}

TEST(ExportPrometheusRules, UsesTheNamesPrometheusScrapesAndSaysWhatItCannotExport) {
    AlertRule ratio;
    ratio.name = "PaymentFailureRateHigh";
    AlertQuantity failed;
    failed.metric = "orders";
    failed.unit = "{order}";
    failed.stat = Stat::kIncrease;
    failed.match = {{"outcome", {"payment_failed", "error"}}};
    AlertQuantity all = failed;
    all.match.clear();
    ratio.expr.terms.push_back(failed);
    ratio.expr.denominator = all;
    ratio.threshold = 0.01;
    ratio.window = milliseconds(300'000);
    ratio.for_duration = milliseconds(60'000);
    ratio.annotations = {{"summary", "{{value}} of payments failed over {{window}}"}};
    AlertRule red;
    red.name = "CheckoutErrors";
    AlertQuantity q;
    q.source = AlertQuantity::Source::kRed;
    q.service = "frontend";
    q.stat = Stat::kErrorRate;
    red.expr.terms.push_back(q);
    const std::string text = ExportPrometheusRules({ValidRule(), ratio, red});
    EXPECT_NE(text.find("histogram_quantile(0.95, sum by (le) (rate(order_duration_seconds_bucket[1m]))) > 0.5"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("(sum(increase(orders_total{outcome=~\"payment_failed|error\"}[5m])) or vector(0)) / "
                        "sum(increase(orders_total[5m])) > 0.01"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("for: 1m"), std::string::npos);
    EXPECT_NE(text.find("of payments failed over 5m"), std::string::npos) << "placeholders become PromQL templates";
    EXPECT_NE(text.find("{{ $value"), std::string::npos);
    EXPECT_EQ(text.find("alert: CheckoutErrors"), std::string::npos);
    EXPECT_NE(text.find("CheckoutErrors: not exported"), std::string::npos) << text;
}

}  // namespace
}  // namespace tome::console::internal
