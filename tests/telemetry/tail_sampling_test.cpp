// TailSamplingProcessor: trace-level decisions (error, latency, rules, normal rate), their
// trace-id consistency, memory bounds, the decision timeout on an injected clock, and flushing.
// No sleeps: the sweeper thread's interval is an hour, and tests tick DecideExpired themselves.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <random>

#include "tome/telemetry/trace/tail_sampling_processor.hpp"
#include "test_util.hpp"

namespace tome::telemetry::trace {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::uint64_t kMs = 1'000'000;  // nanoseconds

/// Records what the tail processor forwards.
class CollectingProcessor final : public SpanProcessor {
public:
    struct Store {
        std::mutex mu;
        std::vector<std::unique_ptr<SpanData>> spans;
        int flushes = 0;
        int shutdowns = 0;
        std::size_t size() {
            std::lock_guard lock(mu);
            return spans.size();
        }
    };
    explicit CollectingProcessor(std::shared_ptr<Store> store) : store_(std::move(store)) {}
    void OnEnd(std::unique_ptr<SpanData> span) noexcept override {
        std::lock_guard lock(store_->mu);
        store_->spans.push_back(std::move(span));
    }
    bool ForceFlush(milliseconds) noexcept override {
        std::lock_guard lock(store_->mu);
        ++store_->flushes;
        return true;
    }
    bool Shutdown(milliseconds) noexcept override {
        std::lock_guard lock(store_->mu);
        ++store_->shutdowns;
        return true;
    }

private:
    std::shared_ptr<Store> store_;
};

struct FakeClock {
    std::shared_ptr<std::atomic<std::int64_t>> ms = std::make_shared<std::atomic<std::int64_t>>(0);
    std::function<std::chrono::steady_clock::time_point()> Fn() const {
        auto p = ms;
        return [p] { return std::chrono::steady_clock::time_point(milliseconds(p->load())); };
    }
    void Advance(milliseconds d) const { ms->fetch_add(d.count()); }
};

TailSamplingOptions BaseOptions(const FakeClock& clock, double normal = 0.0) {
    TailSamplingOptions o;
    o.normal_sampling_rate = normal;
    o.sweep_interval = std::chrono::hours(1);  // the test ticks DecideExpired itself
    o.now = clock.Fn();
    return o;
}

struct Harness {
    explicit Harness(TailSamplingOptions o)
        : store(std::make_shared<CollectingProcessor::Store>()),
          tail(std::make_unique<CollectingProcessor>(store), std::move(o)) {}
    std::shared_ptr<CollectingProcessor::Store> store;
    TailSamplingProcessor tail;
};

TraceId IdFrom(std::uint64_t hi, std::uint64_t lo) {
    TraceId id;
    for (int i = 0; i < 8; ++i) {
        id.bytes[static_cast<std::size_t>(7 - i)] = static_cast<std::uint8_t>(hi >> (8 * i));
        id.bytes[static_cast<std::size_t>(15 - i)] = static_cast<std::uint8_t>(lo >> (8 * i));
    }
    if (!id.IsValid()) id.bytes[0] = 1;
    return id;
}

/// A trace id whose randomness is the highest value: kept at any rate above 0.
TraceId AlwaysLuckyId() { return IdFrom(0x1111, 0x00ffffffffffffffULL); }

std::uint64_t next_span = 1;

std::unique_ptr<SpanData> MakeSpan(const TraceId& trace, const SpanData* parent,
                                   std::uint64_t start_ms = 0, std::uint64_t end_ms = 1,
                                   StatusCode status = StatusCode::kUnset) {
    auto s = std::make_unique<SpanData>();
    s->context.trace_id = trace;
    std::uint64_t v = next_span++;
    for (std::size_t i = 0; i < 8; ++i)
        s->context.span_id.bytes[7 - i] = static_cast<std::uint8_t>(v >> (8 * i));
    s->context.trace_flags = kTraceFlagSampled;
    if (parent != nullptr) s->parent_span_id = parent->context.span_id;
    s->name = "op";
    s->start_unix_nano = 1'000'000'000'000 + start_ms * kMs;
    s->end_unix_nano = 1'000'000'000'000 + end_ms * kMs;
    s->status.code = status;
    return s;
}

/// Ends a child (with `status`) then its root; returns how many spans were forwarded.
std::size_t RunTrace(Harness& h, const TraceId& id, StatusCode child_status) {
    const std::size_t before = h.store->size();
    auto root = MakeSpan(id, nullptr);
    h.tail.OnEnd(MakeSpan(id, root.get(), 0, 1, child_status));
    EXPECT_EQ(h.store->size(), before) << "held until the root ends";
    h.tail.OnEnd(std::move(root));
    return h.store->size() - before;
}

TEST(TelemetryTailSampling, ErrorTraceKeptNormalTraceDropped) {
    FakeClock clock;
    Harness h(BaseOptions(clock, /*normal=*/0.0));
    for (int i = 0; i < 50; ++i) {
        const TraceId id = IdFrom(static_cast<std::uint64_t>(i) + 1, 0x1234);
        EXPECT_EQ(RunTrace(h, id, StatusCode::kError), 2u);
        EXPECT_EQ(RunTrace(h, IdFrom(999, static_cast<std::uint64_t>(i)), StatusCode::kOk), 0u);
    }
    const auto s = h.tail.Stats();
    EXPECT_EQ(s.traces_kept, 50u);
    EXPECT_EQ(s.traces_dropped, 50u);
    EXPECT_EQ(s.tail_not_sampled, 100u);
    EXPECT_EQ(s.traces_held, 0u);
    EXPECT_EQ(s.spans_held, 0u);
}

// A root that ends first in its trace (a one-span trace, or one whose children come later) is
// decided at once; a late span of a kept trace passes straight through while the trace is in
// the kept cache, and is held once the cache (2 ids here) has forgotten it.
TEST(TelemetryTailSampling, RootFirstTracesDecidedAtOnceAndKeptCacheForgetsTheOldest) {
    FakeClock clock;
    TailSamplingOptions o = BaseOptions(clock, /*normal=*/1.0);
    o.kept_cache_size = 2;
    Harness h(std::move(o));
    std::vector<std::unique_ptr<SpanData>> roots;
    for (std::uint64_t i = 1; i <= 3; ++i) {
        roots.push_back(MakeSpan(IdFrom(i, 0x00ffffffffffffffULL), nullptr));
        auto copy = std::make_unique<SpanData>(*roots.back());
        h.tail.OnEnd(std::move(copy));
        EXPECT_EQ(h.store->size(), i) << "a lone root is forwarded at once";
    }
    auto s = h.tail.Stats();
    EXPECT_EQ(s.traces_kept, 3u);
    EXPECT_EQ(s.spans_forwarded, 3u);
    EXPECT_EQ(s.traces_held, 0u);
    EXPECT_EQ(s.spans_held, 0u);

    h.tail.OnEnd(MakeSpan(roots[2]->context.trace_id, roots[2].get()));  // newest: remembered
    EXPECT_EQ(h.store->size(), 4u);
    h.tail.OnEnd(MakeSpan(roots[1]->context.trace_id, roots[1].get()));  // still remembered
    EXPECT_EQ(h.store->size(), 5u);
    h.tail.OnEnd(MakeSpan(roots[0]->context.trace_id, roots[0].get()));  // forgotten: held
    EXPECT_EQ(h.store->size(), 5u);
    s = h.tail.Stats();
    EXPECT_EQ(s.traces_held, 1u);
    EXPECT_EQ(s.spans_held, 1u);
}

TEST(TelemetryTailSampling, LoneRootOfADroppedTraceIsNotForwarded) {
    FakeClock clock;
    Harness h(BaseOptions(clock, /*normal=*/0.0));
    h.tail.OnEnd(MakeSpan(IdFrom(5, 0x1234), nullptr));
    EXPECT_EQ(h.store->size(), 0u);
    const auto s = h.tail.Stats();
    EXPECT_EQ(s.traces_dropped, 1u);
    EXPECT_EQ(s.tail_not_sampled, 1u);
    EXPECT_EQ(s.spans_received, 1u);
    EXPECT_EQ(s.traces_held, 0u);
}

TEST(TelemetryTailSampling, NormalRateWithinFourSigma) {
    FakeClock clock;
    Harness h(BaseOptions(clock, /*normal=*/0.1));
    std::mt19937_64 rng(20261124);
    constexpr int kTraces = 20000;
    for (int i = 0; i < kTraces; ++i) h.tail.OnEnd(MakeSpan(IdFrom(rng(), rng()), nullptr));
    const double kept = static_cast<double>(h.store->size());
    const double mean = kTraces * 0.1;
    const double sigma = std::sqrt(kTraces * 0.1 * 0.9);
    EXPECT_NEAR(kept, mean, 4 * sigma);
    EXPECT_EQ(h.tail.Stats().traces_kept + h.tail.Stats().traces_dropped, 20000u);
}

TEST(TelemetryTailSampling, HighValueRuleKeepsTrace) {
    auto parsed = ParseTailSamplingOptions(R"({"normalSamplingRate": 0,
        "customRules": [{"condition": "business.order_value > 1000", "rate": 1.0}]})");
    ASSERT_TRUE(parsed.ok()) << parsed.message();
    FakeClock clock;
    TailSamplingOptions o = std::move(parsed).value();
    o.sweep_interval = std::chrono::hours(1);
    o.now = clock.Fn();
    Harness h(std::move(o));

    auto run = [&](std::int64_t order_value) {
        const TraceId id = IdFrom(static_cast<std::uint64_t>(order_value), 7);
        auto root = MakeSpan(id, nullptr);
        auto child = MakeSpan(id, root.get());
        child->attributes.push_back({"business.order_value", order_value});
        const std::size_t before = h.store->size();
        h.tail.OnEnd(std::move(child));
        h.tail.OnEnd(std::move(root));
        return h.store->size() - before;
    };
    EXPECT_EQ(run(1500), 2u);
    EXPECT_EQ(run(1000), 0u);
    EXPECT_EQ(run(500), 0u);
}

TEST(TelemetryTailSampling, RuleWithoutRateUsesHighValueRate) {
    FakeClock clock;
    TailSamplingOptions o = BaseOptions(clock, 1.0);
    o.high_value_sampling_rate = 0.0;
    o.custom_rules.push_back({Condition::Parse("span.name == \"GET /health\"").value(), {}, ""});
    Harness h(std::move(o));
    auto span = MakeSpan(AlwaysLuckyId(), nullptr);
    span->name = "GET /health";
    h.tail.OnEnd(std::move(span));
    h.tail.OnEnd(MakeSpan(IdFrom(3, 0x00ffffffffffffffULL), nullptr));  // normal rate 1.0
    EXPECT_EQ(h.store->size(), 1u);
    EXPECT_EQ(h.tail.Stats().traces_dropped, 1u);
}

TEST(TelemetryTailSampling, SameDecisionAcrossInstancesAndAsTraceIdRatio) {
    FakeClock clock;
    Harness a(BaseOptions(clock, 0.3));
    Harness b(BaseOptions(clock, 0.3));
    auto ratio = MakeTraceIdRatioSampler(0.3);
    std::mt19937_64 rng(7);
    int kept = 0;
    for (int i = 0; i < 2000; ++i) {
        const TraceId id = IdFrom(rng(), rng());
        const std::size_t ka = RunTrace(a, id, StatusCode::kUnset);
        const std::size_t kb = RunTrace(b, id, StatusCode::kUnset);
        ASSERT_EQ(ka, kb) << id.ToHex();
        SamplingParams p;
        p.trace_id = id;
        const bool head = ratio->ShouldSample(p).decision == SamplingDecision::kRecordAndSample;
        ASSERT_EQ(ka == 2, head) << id.ToHex();
        kept += ka == 2 ? 1 : 0;
    }
    EXPECT_GT(kept, 400);
    EXPECT_LT(kept, 800);
}

TEST(TelemetryTailSampling, LatencyThreshold) {
    FakeClock clock;
    TailSamplingOptions o = BaseOptions(clock, 0.0);
    o.latency_threshold = milliseconds(100);
    Harness h(std::move(o));
    h.tail.OnEnd(MakeSpan(IdFrom(1, 1), nullptr, 0, 100));  // exactly 100 ms: not slower
    EXPECT_EQ(h.store->size(), 0u);
    h.tail.OnEnd(MakeSpan(IdFrom(1, 2), nullptr, 0, 101));
    EXPECT_EQ(h.store->size(), 1u);
    // A slow child inside a fast-looking root: its duration counts.
    const TraceId id = IdFrom(1, 3);
    auto root = MakeSpan(id, nullptr, 0, 10);
    h.tail.OnEnd(MakeSpan(id, root.get(), 0, 150));
    h.tail.OnEnd(std::move(root));
    EXPECT_EQ(h.store->size(), 3u);
}

TEST(TelemetryTailSampling, BufferFullDropsAndCounts) {
    FakeClock clock;
    TailSamplingOptions o = BaseOptions(clock, 0.0);
    o.max_traces = 2;
    o.max_spans_per_trace = 2;
    Harness h(std::move(o));
    auto r1 = MakeSpan(IdFrom(1, 1), nullptr);
    auto r2 = MakeSpan(IdFrom(2, 1), nullptr);
    auto r3 = MakeSpan(IdFrom(3, 1), nullptr);
    h.tail.OnEnd(MakeSpan(IdFrom(1, 1), r1.get()));
    h.tail.OnEnd(MakeSpan(IdFrom(2, 1), r2.get()));
    h.tail.OnEnd(MakeSpan(IdFrom(3, 1), r3.get()));  // a third trace: dropped
    EXPECT_EQ(h.tail.Stats().tail_buffer_full, 1u);
    EXPECT_EQ(h.tail.Stats().traces_held, 2u);
    // Trace 1 is full after one more span; the error in the dropped third still counts.
    h.tail.OnEnd(MakeSpan(IdFrom(1, 1), r1.get()));
    h.tail.OnEnd(MakeSpan(IdFrom(1, 1), r1.get(), 0, 1, StatusCode::kError));
    EXPECT_EQ(h.tail.Stats().tail_buffer_full, 2u);
    h.tail.OnEnd(std::move(r1));  // the root: decided (kept for the error), root itself dropped
    EXPECT_EQ(h.store->size(), 2u);
    EXPECT_EQ(h.tail.Stats().tail_buffer_full, 3u);
    // A root whose trace is new is decided at once even when the map is full.
    h.tail.OnEnd(MakeSpan(IdFrom(5, 1), r3.get()));
    ASSERT_EQ(h.tail.Stats().traces_held, 2u);
    h.tail.OnEnd(MakeSpan(IdFrom(4, 1), nullptr, 0, 1, StatusCode::kError));
    EXPECT_EQ(h.store->size(), 3u);
    const auto counts = h.tail.DropCounts();
    ASSERT_EQ(counts.size(), 3u);
    EXPECT_EQ(counts[0].first, "tail_buffer_full");
    EXPECT_EQ(counts[0].second, 3u);
}

TEST(TelemetryTailSampling, DecisionTimeoutDecidesWithWhatItHas) {
    FakeClock clock;
    Harness h(BaseOptions(clock, 0.0));  // decision_timeout defaults to 30 s
    auto root = MakeSpan(IdFrom(5, 5), nullptr);
    h.tail.OnEnd(MakeSpan(IdFrom(5, 5), root.get(), 0, 1, StatusCode::kError));
    clock.Advance(seconds(10));
    h.tail.OnEnd(MakeSpan(IdFrom(6, 6), root.get()));  // a younger, normal trace
    clock.Advance(seconds(19));
    EXPECT_EQ(h.tail.DecideExpired(), 0u);  // 29 s
    clock.Advance(seconds(1));
    EXPECT_EQ(h.tail.DecideExpired(), 1u);  // 30 s: the error trace, kept
    EXPECT_EQ(h.store->size(), 1u);
    clock.Advance(seconds(10));
    EXPECT_EQ(h.tail.DecideExpired(), 1u);  // the normal one, dropped
    EXPECT_EQ(h.store->size(), 1u);
    const auto s = h.tail.Stats();
    EXPECT_EQ(s.tail_decision_timeout, 2u);
    EXPECT_EQ(s.tail_not_sampled, 1u);
    EXPECT_EQ(s.traces_held, 0u);
    // The root ending late follows the kept decision at once (kept-trace cache).
    h.tail.OnEnd(std::move(root));
    EXPECT_EQ(h.store->size(), 2u);
}

/// Signals each forwarded span, so a test can wait for the sweeper thread without sleeping.
class SignallingProcessor final : public SpanProcessor {
public:
    void OnEnd(std::unique_ptr<SpanData>) noexcept override {
        std::lock_guard lock(mu);
        ++forwarded;
        cv.notify_all();
    }
    bool ForceFlush(milliseconds) noexcept override { return true; }
    bool Shutdown(milliseconds) noexcept override { return true; }
    std::mutex mu;
    std::condition_variable cv;
    int forwarded = 0;
};

TEST(TelemetryTailSampling, SweeperThreadDecidesTimedOutTraces) {
    FakeClock clock;
    TailSamplingOptions o = BaseOptions(clock, 0.0);
    o.sweep_interval = milliseconds(1);
    auto owned = std::make_unique<SignallingProcessor>();
    SignallingProcessor* sink = owned.get();
    TailSamplingProcessor tail(std::move(owned), std::move(o));
    auto root = MakeSpan(IdFrom(12, 12), nullptr);
    tail.OnEnd(MakeSpan(IdFrom(12, 12), root.get(), 0, 1, StatusCode::kError));
    clock.Advance(seconds(31));  // the thread's next sweep decides it
    std::unique_lock lock(sink->mu);
    ASSERT_TRUE(sink->cv.wait_for(lock, seconds(20), [&] { return sink->forwarded == 1; }));
    lock.unlock();
    EXPECT_EQ(tail.Stats().tail_decision_timeout, 1u);
    EXPECT_TRUE(tail.Shutdown(seconds(1)));
}

TEST(TelemetryTailSampling, ShutdownForwardsWhatIsHeld) {
    FakeClock clock;
    Harness h(BaseOptions(clock, 0.0));
    auto root = MakeSpan(IdFrom(8, 8), nullptr);
    h.tail.OnEnd(MakeSpan(IdFrom(8, 8), root.get(), 0, 1, StatusCode::kError));
    h.tail.OnEnd(MakeSpan(IdFrom(8, 8), root.get()));
    h.tail.OnEnd(MakeSpan(IdFrom(9, 9), root.get()));  // normal: dropped at shutdown
    EXPECT_EQ(h.store->size(), 0u);
    EXPECT_TRUE(h.tail.Shutdown(seconds(1)));
    EXPECT_EQ(h.store->size(), 2u);
    EXPECT_EQ(h.store->shutdowns, 1);
    EXPECT_TRUE(h.tail.Shutdown(seconds(1)));  // idempotent
    EXPECT_EQ(h.store->shutdowns, 1);
    h.tail.OnEnd(std::move(root));
    EXPECT_EQ(h.tail.Stats().dropped_shutdown, 1u);
    EXPECT_FALSE(h.tail.ForceFlush(seconds(1)));
}

TEST(TelemetryTailSampling, ForceFlushDecidesHeldTraces) {
    FakeClock clock;
    Harness h(BaseOptions(clock, 1.0));
    auto root = MakeSpan(IdFrom(10, 10), nullptr);
    h.tail.OnEnd(MakeSpan(IdFrom(10, 10), root.get()));
    EXPECT_TRUE(h.tail.ForceFlush(seconds(1)));
    EXPECT_EQ(h.store->size(), 1u);
    EXPECT_EQ(h.store->flushes, 1);
    EXPECT_EQ(h.tail.Stats().traces_held, 0u);
}

TEST(TelemetryTailSampling, EndToEndThroughProvider) {
    auto exported = std::make_shared<CollectingExporter::Store>();
    TracerProviderOptions po;
    po.resource = std::make_shared<const Resource>();
    TailSamplingOptions o;
    o.normal_sampling_rate = 0.0;
    o.sweep_interval = std::chrono::hours(1);
    TailSamplingProcessor* tail = UseTailSampling(
        po, std::make_unique<SimpleSpanProcessor>(std::make_unique<CollectingExporter>(exported)),
        std::move(o));
    ASSERT_NE(tail, nullptr);
    EXPECT_EQ(po.sampler->Description(), "AlwaysOnSampler");
    TracerProvider provider(std::move(po));
    Tracer tracer = provider.GetTracer("tail");
    for (int i = 0; i < 20; ++i) {
        Span root = tracer.StartSpan("request", StartSpanOptions{.root = true});
        Scope scope = MakeScope(root);
        Span child = tracer.StartSpan("db");
        if (i % 4 == 0) child.SetStatus(StatusCode::kError, "boom");
        child.End();
        root.End();
    }
    EXPECT_EQ(exported->spans.size(), 10u);  // 5 error traces x 2 spans
    EXPECT_EQ(tail->Stats().traces_kept, 5u);
    EXPECT_EQ(tail->Stats().traces_dropped, 15u);
}

}  // namespace
}  // namespace tome::telemetry::trace
