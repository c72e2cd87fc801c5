// TailSamplingProcessor under contention: producers on several threads, the sweeper deciding
// timed-out traces every millisecond, a small trace budget, then Shutdown. Every span must be
// accounted for exactly once (forwarded, not sampled, or dropped with a reason), and nothing
// may stay held. Run it under TOME_SANITIZE=thread as well.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tome/telemetry/trace/tail_sampling_processor.hpp"

namespace tome::telemetry::trace {
namespace {

class CountingProcessor final : public SpanProcessor {
public:
    explicit CountingProcessor(std::atomic<std::uint64_t>& count) : count_(count) {}
    void OnEnd(std::unique_ptr<SpanData>) noexcept override { count_.fetch_add(1); }
    bool ForceFlush(std::chrono::milliseconds) noexcept override { return true; }
    bool Shutdown(std::chrono::milliseconds) noexcept override { return true; }

private:
    std::atomic<std::uint64_t>& count_;
};

std::unique_ptr<SpanData> MakeSpan(const TraceId& trace, bool root, bool error) {
    auto s = std::make_unique<SpanData>();
    s->context.trace_id = trace;
    s->context.span_id = GenerateSpanId();
    if (!root) s->parent_span_id = GenerateSpanId();
    s->start_unix_nano = 1;
    s->end_unix_nano = 2;
    if (error) s->status.code = StatusCode::kError;
    return s;
}

TEST(TelemetryTailSamplingConcurrency, EverySpanAccountedOnce) {
    std::atomic<std::uint64_t> forwarded{0};
    TailSamplingOptions o;
    o.normal_sampling_rate = 0.5;
    o.max_traces = 64;
    o.max_spans_per_trace = 2;
    o.decision_timeout = std::chrono::milliseconds(1);
    o.sweep_interval = std::chrono::milliseconds(1);
    TailSamplingProcessor tail(std::make_unique<CountingProcessor>(forwarded), std::move(o));

    constexpr int kThreads = 4;
    constexpr int kTraces = 3000;
    std::atomic<std::uint64_t> sent{0};
    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t) {
        producers.emplace_back([&, t] {
            for (int i = 0; i < kTraces; ++i) {
                const TraceId id = GenerateTraceId();
                const int children = 1 + (i % 3);  // 3 children overflow maxSpansPerTrace
                for (int c = 0; c < children; ++c)
                    tail.OnEnd(MakeSpan(id, false, (i + t) % 7 == 0 && c == 0));
                sent.fetch_add(static_cast<std::uint64_t>(children));
                if (i % 5 != 0) {  // every fifth trace never sees its root end
                    tail.OnEnd(MakeSpan(id, true, false));
                    sent.fetch_add(1);
                }
            }
        });
    }
    for (auto& p : producers) p.join();
    ASSERT_TRUE(tail.Shutdown(std::chrono::seconds(5)));

    const TailSamplingStats s = tail.Stats();
    EXPECT_EQ(s.spans_received, sent.load());
    EXPECT_EQ(s.spans_forwarded, forwarded.load());
    EXPECT_EQ(s.spans_received,
              s.spans_forwarded + s.tail_not_sampled + s.tail_buffer_full + s.dropped_shutdown);
    EXPECT_EQ(s.traces_held, 0u);
    EXPECT_EQ(s.spans_held, 0u);
    EXPECT_GT(s.traces_kept, 0u);
    EXPECT_GT(s.traces_dropped, 0u);
    EXPECT_GT(s.tail_buffer_full, 0u);  // the third child of every third trace at least
}

}  // namespace
}  // namespace tome::telemetry::trace
