#include <gtest/gtest.h>

#include <condition_variable>
#include <latch>
#include <thread>

#include "test_util.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/span_attributes_processor.hpp"

namespace tome::telemetry::trace {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<SpanData> SampledSpan(std::string name = "s") {
    auto d = std::make_unique<SpanData>();
    d->context = SpanContext{GenerateTraceId(), GenerateSpanId(), kTraceFlagSampled, {}, false};
    d->name = std::move(name);
    return d;
}

// An exporter that blocks inside Export until released (or shut down), to test queue limits
// and shutdown deadlines. Counts concurrent calls to prove Export is never concurrent.
class GateExporter final : public SpanExporter {
public:
    struct State {
        std::mutex mu;
        std::condition_variable cv;
        bool open = false;
        bool shut = false;
        int in_export = 0;
        int max_concurrent = 0;
        int entered = 0;
        std::size_t exported = 0;
    };
    explicit GateExporter(std::shared_ptr<State> s) : s_(std::move(s)) {}
    ExportResult Export(std::span<const std::unique_ptr<SpanData>> batch,
                        Clock::time_point) noexcept override {
        std::unique_lock lock(s_->mu);
        ++s_->entered;
        s_->max_concurrent = std::max(s_->max_concurrent, ++s_->in_export);
        s_->cv.notify_all();
        s_->cv.wait(lock, [&] { return s_->open || s_->shut; });
        --s_->in_export;
        if (s_->shut) return ExportResult::kFailureNonRetryable;
        s_->exported += batch.size();
        return ExportResult::kSuccess;
    }
    bool Shutdown(std::chrono::milliseconds) noexcept override {
        std::lock_guard lock(s_->mu);
        s_->shut = true;
        s_->cv.notify_all();
        return true;
    }

private:
    std::shared_ptr<State> s_;
};

TEST(TelemetryBatchProcessor, ForceFlushExportsEverything) {
    auto store = std::make_shared<CollectingExporter::Store>();
    SelfStats stats;
    BatchSpanProcessorOptions o;
    o.scheduled_delay = 1h;  // only flush triggers an export
    o.max_export_batch_size = 3;
    o.stats = &stats;
    BatchSpanProcessor p(std::make_unique<CollectingExporter>(store), o);
    for (int i = 0; i < 10; ++i) p.OnEnd(SampledSpan());
    auto unsampled = SampledSpan();
    unsampled->context.trace_flags = 0;
    p.OnEnd(std::move(unsampled));  // record-only spans are not exported
    EXPECT_TRUE(p.ForceFlush(5s));
    {
        std::lock_guard lock(store->mu);
        EXPECT_EQ(store->spans.size(), 10u);
    }
    EXPECT_EQ(stats.Snapshot().spans_exported, 10u);
    EXPECT_TRUE(p.Shutdown(5s));
    EXPECT_TRUE(p.Shutdown(5s));  // idempotent
    EXPECT_EQ(store->shutdowns, 1);
    p.OnEnd(SampledSpan());
    EXPECT_EQ(stats.Snapshot().dropped_shutdown, 1u);
    EXPECT_FALSE(p.ForceFlush(1s));
}

TEST(TelemetryBatchProcessor, FullQueueDropsNewSpansWithoutBlocking) {
    auto gate = std::make_shared<GateExporter::State>();
    SelfStats stats;
    BatchSpanProcessorOptions o;
    o.max_queue_size = 4;
    o.max_export_batch_size = 1;
    o.scheduled_delay = 1h;
    o.stats = &stats;
    BatchSpanProcessor p(std::make_unique<GateExporter>(gate), o);
    p.OnEnd(SampledSpan("first"));  // reaches the batch size: the worker takes it and blocks
    {
        std::unique_lock lock(gate->mu);
        gate->cv.wait(lock, [&] { return gate->entered == 1; });
    }
    for (int i = 0; i < 10; ++i) p.OnEnd(SampledSpan());  // never blocks
    EXPECT_EQ(p.QueueSizeForTesting(), 4u);
    EXPECT_EQ(stats.Snapshot().dropped_queue_full, 6u);
    {
        std::lock_guard lock(gate->mu);
        gate->open = true;
        gate->cv.notify_all();
    }
    EXPECT_TRUE(p.ForceFlush(5s));
    std::lock_guard lock(gate->mu);
    EXPECT_EQ(gate->exported, 5u);
    EXPECT_EQ(gate->max_concurrent, 1);
}

TEST(TelemetryBatchProcessor, ShutdownWithStuckExporterReturnsAtDeadline) {
    auto gate = std::make_shared<GateExporter::State>();
    SelfStats stats;
    BatchSpanProcessorOptions o;
    o.max_export_batch_size = 1;
    o.stats = &stats;
    auto p = std::make_unique<BatchSpanProcessor>(std::make_unique<GateExporter>(gate), o);
    p->OnEnd(SampledSpan());
    {
        std::unique_lock lock(gate->mu);
        gate->cv.wait(lock, [&] { return gate->entered == 1; });
    }
    p->OnEnd(SampledSpan());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(p->Shutdown(50ms));  // the exporter never finishes by itself
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    p.reset();  // joins the worker: exporter shutdown released it
    const auto s = stats.Snapshot();
    EXPECT_EQ(s.export_failures, 1u);
    EXPECT_EQ(s.dropped_export_failed + s.dropped_shutdown, 2u);
}

TEST(TelemetryBatchProcessor, ScheduledDelayAndBatchSizeTriggerExports) {
    auto store = std::make_shared<CollectingExporter::Store>();
    BatchSpanProcessorOptions o;
    o.scheduled_delay = 1ms;
    BatchSpanProcessor p(std::make_unique<CollectingExporter>(store), o);
    p.OnEnd(SampledSpan());
    // Without a flush the timer exports it; ForceFlush only confirms the state.
    EXPECT_TRUE(p.ForceFlush(5s));
    std::lock_guard lock(store->mu);
    EXPECT_EQ(store->spans.size(), 1u);
}

TEST(TelemetryBatchProcessor, ConcurrentProducersAllArrive) {
    auto store = std::make_shared<CollectingExporter::Store>();
    SelfStats stats;
    BatchSpanProcessorOptions o;
    o.max_queue_size = 100000;
    o.max_export_batch_size = 64;
    o.stats = &stats;
    TracerProviderOptions po;
    po.sampler = MakeAlwaysOnSampler();
    po.stats = &stats;
    po.processors.push_back(
        std::make_unique<BatchSpanProcessor>(std::make_unique<CollectingExporter>(store), o));
    TracerProvider provider(std::move(po));
    Tracer tracer = provider.GetTracer("t");
    std::latch start(3);
    auto produce = [&] {
        start.arrive_and_wait();
        for (int i = 0; i < 2000; ++i) tracer.StartSpan("s", {{"i", i}}).End();
    };
    std::thread a(produce), b(produce);
    start.arrive_and_wait();
    a.join();
    b.join();
    EXPECT_TRUE(provider.ForceFlush(10s));
    std::lock_guard lock(store->mu);
    EXPECT_EQ(store->spans.size(), 4000u);
    EXPECT_EQ(stats.Snapshot().spans_exported, 4000u);
}

TEST(TelemetryBatchProcessor, RecycledRecordsCarryNothingOver) {
    auto store = std::make_shared<CollectingExporter::Store>();
    TracerProviderOptions po;
    po.sampler = MakeAlwaysOnSampler();
    po.processors.push_back(std::make_unique<BatchSpanProcessor>(
        std::make_unique<CollectingExporter>(store), BatchSpanProcessorOptions{}));
    TracerProvider provider(std::move(po));
    Tracer tracer = provider.GetTracer("t");
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 100; ++i) {
            Span s = tracer.StartSpan("full", {{"k", "v"}});
            s.AddEvent("e");
            s.AddLink(SpanContext{GenerateTraceId(), GenerateSpanId(), 1, {}, false});
            s.SetStatus(StatusCode::kError, "x");
            s.End();
        }
        ASSERT_TRUE(provider.ForceFlush(5s));  // records go back to the pool
    }
    for (int i = 0; i < 100; ++i) tracer.StartSpan("bare").End();
    ASSERT_TRUE(provider.ForceFlush(5s));
    std::lock_guard lock(store->mu);
    ASSERT_EQ(store->spans.size(), 400u);
    for (std::size_t i = 300; i < 400; ++i) {
        const SpanData& d = *store->spans[i];
        EXPECT_EQ(d.name, "bare");
        EXPECT_TRUE(d.attributes.empty());
        EXPECT_TRUE(d.events.empty());
        EXPECT_TRUE(d.links.empty());
        EXPECT_EQ(d.status.code, StatusCode::kUnset);
        EXPECT_FALSE(d.parent_span_id.IsValid());
        EXPECT_NE(d.scope, nullptr);
    }
}

TEST(TelemetryMultiProcessor, EveryProcessorGetsEverySpan) {
    auto s1 = std::make_shared<CollectingExporter::Store>();
    auto s2 = std::make_shared<CollectingExporter::Store>();
    TracerProviderOptions po;
    po.sampler = MakeAlwaysOnSampler();
    po.processors.push_back(
        std::make_unique<SimpleSpanProcessor>(std::make_unique<CollectingExporter>(s1)));
    po.processors.push_back(std::make_unique<BatchSpanProcessor>(
        std::make_unique<CollectingExporter>(s2), BatchSpanProcessorOptions{}));
    TracerProvider provider(std::move(po));
    provider.GetTracer("t").StartSpan("a", {{"k", "v"}}).End();
    EXPECT_TRUE(provider.ForceFlush(5s));
    EXPECT_EQ(s1->spans.size(), 1u);
    {
        std::lock_guard lock(s2->mu);
        ASSERT_EQ(s2->spans.size(), 1u);
        EXPECT_EQ(s2->spans[0]->attributes, s1->spans[0]->attributes);
    }
    EXPECT_TRUE(provider.Shutdown(5s));
    EXPECT_EQ(s1->shutdowns, 1);
    EXPECT_EQ(s2->shutdowns, 1);
}

// Every span gets the stamps; an attribute the instrumentation set keeps its value; a full span
// counts the stamp as dropped; flush and shutdown reach the next processor.
TEST(TelemetrySpanAttributesProcessor, StampsEverySpanWithoutOverriding) {
    auto store = std::make_shared<CollectingExporter::Store>();
    TracerProviderOptions po;
    po.sampler = MakeAlwaysOnSampler();
    po.limits.attribute_count = 2;
    po.processors.push_back(std::make_unique<SpanAttributesProcessor>(
        std::vector<Attribute>{{"robotcopy.service", std::string("svc")},
                               {"robotcopy.environment", std::string("staging")}},
        std::make_unique<SimpleSpanProcessor>(std::make_unique<CollectingExporter>(store)), 2));
    TracerProvider provider(std::move(po));
    Tracer tracer = provider.GetTracer("t");
    tracer.StartSpan("plain").End();
    tracer.StartSpan("own", {{"robotcopy.service", "mine"}}).End();
    tracer.StartSpan("full", {{"a", "1"}, {"b", "2"}}).End();
    EXPECT_TRUE(provider.ForceFlush(5s));
    ASSERT_EQ(store->spans.size(), 3u);
    auto value = [](const SpanData& d, std::string_view key) -> std::string {
        for (const auto& a : d.attributes)
            if (a.key == key) return std::get<std::string>(a.value);
        return "<absent>";
    };
    EXPECT_EQ(value(*store->spans[0], "robotcopy.service"), "svc");
    EXPECT_EQ(value(*store->spans[0], "robotcopy.environment"), "staging");
    EXPECT_EQ(value(*store->spans[1], "robotcopy.service"), "mine");
    EXPECT_EQ(value(*store->spans[1], "robotcopy.environment"), "staging");
    EXPECT_EQ(value(*store->spans[2], "robotcopy.service"), "<absent>");
    EXPECT_EQ(store->spans[2]->dropped_attributes_count, 2u);
    EXPECT_TRUE(provider.Shutdown(5s));
    EXPECT_EQ(store->shutdowns, 1);
}

}  // namespace
}  // namespace tome::telemetry::trace
