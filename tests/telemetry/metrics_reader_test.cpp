// The periodic exporting reader (lifecycle, bounds), the in-memory exporter, env options and
// the self-observation metrics.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>

#include "metrics_test_util.hpp"
#include "tome/telemetry/metrics/periodic_reader.hpp"
#include "tome/telemetry/metrics/self_metrics.hpp"

namespace tome::telemetry::metrics {
namespace {

using namespace std::chrono_literals;
using testing::FindPoint;
using testing::TestMetrics;

PeriodicReaderOptions NeverTicks() {
    PeriodicReaderOptions o;
    o.interval = std::chrono::hours(1);  // exports only on ForceFlush/Shutdown
    o.timeout = 2s;
    return o;
}

TEST(PeriodicReader, ExportsEveryIntervalOnItsThread) {
    TestMetrics t;
    t.meter.CreateCounter<std::uint64_t>("c").instrument.Add(1);
    auto store = std::make_shared<InMemoryMetricExporter::Store>();
    PeriodicReaderOptions o;
    o.interval = 1ms;
    PeriodicExportingMetricReader periodic(t.reader,
                                           std::make_unique<InMemoryMetricExporter>(store), o);
    ASSERT_TRUE(store->WaitForExports(2, 10s));
    std::lock_guard lock(store->mu);
    ASSERT_NE(store->exports[0].Find("c"), nullptr);
    EXPECT_EQ(store->exports[0].Find("c")->number_points[0].as_int, 1);
}

TEST(PeriodicReader, ForceFlushExportsNowAndShutdownIsIdempotent) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<std::uint64_t>("c").instrument;
    auto store = std::make_shared<InMemoryMetricExporter::Store>();
    PeriodicExportingMetricReader periodic(
        t.reader, std::make_unique<InMemoryMetricExporter>(store), NeverTicks());
    c.Add(5);
    EXPECT_TRUE(periodic.ForceFlush(2s));
    EXPECT_EQ(store->size(), 1u);
    c.Add(1);
    EXPECT_TRUE(periodic.Shutdown(2s));  // exports a last time
    EXPECT_EQ(store->size(), 2u);
    EXPECT_TRUE(periodic.Shutdown(2s));
    EXPECT_FALSE(periodic.ForceFlush(1s));
    std::lock_guard lock(store->mu);
    EXPECT_EQ(store->shutdowns, 1);
    EXPECT_EQ(store->exports[1].Find("c")->number_points[0].as_int, 6);
}

TEST(PeriodicReader, ForceFlushReportsExportFailure) {
    TestMetrics t;
    auto store = std::make_shared<InMemoryMetricExporter::Store>();
    store->result = ExportResult::kFailureRetryable;
    PeriodicExportingMetricReader periodic(
        t.reader, std::make_unique<InMemoryMetricExporter>(store), NeverTicks());
    EXPECT_FALSE(periodic.ForceFlush(1s));
}

// An exporter whose Export blocks until Shutdown: Shutdown must still return in time.
class BlockingExporter final : public MetricExporter {
  public:
    ExportResult Export(const MetricsData&, Clock::time_point) noexcept override {
        std::unique_lock lock(mu_);
        entered_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return shut_; });
        return ExportResult::kFailureNonRetryable;
    }
    bool Shutdown(std::chrono::milliseconds) noexcept override {
        std::lock_guard lock(mu_);
        shut_ = true;
        cv_.notify_all();
        return true;
    }
    void WaitEntered() {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return entered_; });
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool entered_ = false;
    bool shut_ = false;
};

TEST(PeriodicReader, ShutdownAbortsAHangingExport) {
    TestMetrics t;
    auto exporter = std::make_unique<BlockingExporter>();
    BlockingExporter* raw = exporter.get();
    PeriodicReaderOptions o;
    o.interval = 1ms;
    o.timeout = 0ms;  // no limit: only Shutdown can end the Export
    PeriodicExportingMetricReader periodic(t.reader, std::move(exporter), o);
    raw->WaitEntered();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(periodic.Shutdown(100ms));  // the final export fails: exporter is shut
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(PeriodicReader, OptionsFromEnvironment) {
    auto env = [](std::string interval, std::string timeout) {
        return [=](std::string_view name) -> std::optional<std::string> {
            if (name == "OTEL_METRIC_EXPORT_INTERVAL") return interval;
            if (name == "OTEL_METRIC_EXPORT_TIMEOUT") return timeout;
            return std::nullopt;
        };
    };
    std::vector<std::string> warnings;
    auto d = PeriodicReaderOptionsFromEnv(env("", ""), &warnings);
    EXPECT_EQ(d.interval, 60000ms);
    EXPECT_EQ(d.timeout, 30000ms);
    auto s = PeriodicReaderOptionsFromEnv(env("1500", "0"), &warnings);
    EXPECT_EQ(s.interval, 1500ms);
    EXPECT_EQ(s.timeout, 0ms);
    EXPECT_TRUE(warnings.empty());
    auto bad = PeriodicReaderOptionsFromEnv(env("-5", "abc"), &warnings);
    EXPECT_EQ(bad.interval, 60000ms);
    EXPECT_EQ(bad.timeout, 30000ms);
    EXPECT_EQ(warnings.size(), 2u);
}

TEST(SelfMetrics, PublishesSdkCountersAndOverflow) {
    TestMetrics t;
    SelfStats stats;
    stats.Add(SelfStats::Counter::kSpansExported, 7);
    stats.Add(SelfStats::Counter::kDroppedQueueFull, 2);
    stats.Add(SelfStats::Counter::kExportFailures, 1);
    stats.Add(SelfStats::Counter::kSpansQueued, 5);
    stats.Subtract(SelfStats::Counter::kSpansQueued, 2);
    stats.Add(SelfStats::Counter::kDroppedPersistentQueueFull, 4);
    stats.Add(SelfStats::Counter::kPersistentQueueBytes, 4096);
    auto handles = RegisterSelfMetrics(t.meter, stats, t.provider.get());
    EXPECT_EQ(handles.size(), 8u);
    const auto data = t.Collect();
    ASSERT_NE(data.Find("otel.sdk.exporter.span.exported"), nullptr);
    EXPECT_EQ(data.Find("otel.sdk.exporter.span.exported")->number_points[0].as_int, 7);
    EXPECT_TRUE(data.Find("otel.sdk.exporter.span.exported")->is_monotonic);
    const auto& dropped = data.Find("otel.sdk.span.dropped")->number_points;
    EXPECT_EQ(FindPoint(dropped, "reason", "queue_full")->as_int, 2);
    EXPECT_EQ(FindPoint(dropped, "reason", "shutdown")->as_int, 0);
    EXPECT_EQ(FindPoint(dropped, "reason", "persistent_queue_full")->as_int, 4);
    EXPECT_EQ(data.Find("otel.sdk.exporter.failures")->number_points[0].as_int, 1);
    EXPECT_EQ(data.Find("otel.sdk.metric.overflowed")->number_points[0].as_int, 0);
    ASSERT_NE(data.Find("otel.sdk.span.queued"), nullptr);
    EXPECT_EQ(data.Find("otel.sdk.span.queued")->number_points[0].as_int, 3);
    EXPECT_FALSE(data.Find("otel.sdk.span.queued")->is_monotonic) << "a gauge of what waits";
    EXPECT_EQ(data.Find("otel.sdk.persistent_queue.size")->number_points[0].as_int, 4096);
}

}  // namespace
}  // namespace tome::telemetry::metrics
