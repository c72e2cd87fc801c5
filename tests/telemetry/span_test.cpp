#include <gtest/gtest.h>

#include <latch>
#include <stdexcept>
#include <thread>

#include "test_util.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::trace {
namespace {

TEST(TelemetrySpan, SampledSpanRecordsEverything) {
    TestProvider tp;
    Tracer tracer = tp.provider->GetTracer("lib", "1.2");
    {
        Span span = tracer.StartSpan("op", {{"a", 1}, {"b", "x"}},
                                     StartSpanOptions{.kind = SpanKind::kServer});
        ASSERT_TRUE(span.IsRecording());
        EXPECT_TRUE(span.GetContext().IsValid());
        EXPECT_TRUE(span.GetContext().IsSampled());
        span.SetAttribute("c", true);
        span.SetAttribute("d", 2.5);
        const std::int64_t ints[] = {1, 2, 3};
        span.SetAttribute("e", std::span<const std::int64_t>(ints));
        span.SetAttribute("a", 7);  // replaces
        span.AddEvent("ev", {{"k", "v"}}, 42);
        span.SetStatus(StatusCode::kError, "boom");
        span.End(1000);
        EXPECT_FALSE(span.IsRecording());
    }
    ASSERT_EQ(tp.spans().size(), 1u);
    const SpanData& d = *tp.spans()[0];
    EXPECT_EQ(d.name, "op");
    EXPECT_EQ(d.kind, SpanKind::kServer);
    EXPECT_EQ(d.end_unix_nano, 1000u);
    EXPECT_EQ(d.scope->name, "lib");
    EXPECT_EQ(d.scope->version, "1.2");
    ASSERT_EQ(d.attributes.size(), 5u);
    EXPECT_EQ(std::get<std::int64_t>(*FindAttribute(d.attributes, "a")), 7);
    EXPECT_EQ(std::get<std::string>(*FindAttribute(d.attributes, "b")), "x");
    EXPECT_EQ(std::get<bool>(*FindAttribute(d.attributes, "c")), true);
    EXPECT_EQ(std::get<std::vector<std::int64_t>>(*FindAttribute(d.attributes, "e")),
              (std::vector<std::int64_t>{1, 2, 3}));
    ASSERT_EQ(d.events.size(), 1u);
    EXPECT_EQ(d.events[0].time_unix_nano, 42u);
    EXPECT_EQ(d.status.code, StatusCode::kError);
    EXPECT_EQ(d.status.description, "boom");
    EXPECT_FALSE(d.parent_span_id.IsValid());
}

TEST(TelemetrySpan, StatusOkIsFinalAndUnsetIgnored) {
    TestProvider tp;
    Span span = tp.tracer().StartSpan("s");
    span.SetStatus(StatusCode::kOk, "ignored");
    span.SetStatus(StatusCode::kError, "late");
    span.SetStatus(StatusCode::kUnset);
    span.End();
    ASSERT_EQ(tp.spans().size(), 1u);
    EXPECT_EQ(tp.spans()[0]->status.code, StatusCode::kOk);
    EXPECT_EQ(tp.spans()[0]->status.description, "");
}

TEST(TelemetrySpan, RecordExceptionAddsEvent) {
    TestProvider tp;
    Span span = tp.tracer().StartSpan("s");
    span.RecordException(std::runtime_error("bad thing"));
    span.End();
    ASSERT_EQ(tp.spans().size(), 1u);
    const auto& ev = tp.spans()[0]->events.at(0);
    EXPECT_EQ(ev.name, "exception");
    EXPECT_EQ(std::get<std::string>(*FindAttribute(ev.attributes, "exception.type")),
              "std::runtime_error");
    EXPECT_EQ(std::get<std::string>(*FindAttribute(ev.attributes, "exception.message")),
              "bad thing");
}

TEST(TelemetrySpan, LimitsDropAndCount) {
    SpanLimits limits;
    limits.attribute_count = 2;
    limits.event_count = 1;
    limits.link_count = 1;
    limits.attribute_value_length = 3;
    limits.attributes_per_event = 1;
    TestProvider tp(MakeAlwaysOnSampler(), limits);
    Span span = tp.tracer().StartSpan("s");
    span.SetAttribute("a", "abcdef");
    span.SetAttribute("b", "h\xC3\xA9llo");  // 'é' is 2 bytes, one character
    span.SetAttribute("c", 1);
    span.SetAttribute("d", 1);
    span.AddEvent("e1", {{"x", 1}, {"y", 2}});
    span.AddEvent("e2");
    SpanContext other{GenerateTraceId(), GenerateSpanId(), 1, {}, false};
    span.AddLink(other);
    span.AddLink(other);
    span.End();
    const SpanData& d = *tp.spans().at(0);
    EXPECT_EQ(d.attributes.size(), 2u);
    EXPECT_EQ(d.dropped_attributes_count, 2u);
    EXPECT_EQ(std::get<std::string>(d.attributes[0].value), "abc");
    EXPECT_EQ(std::get<std::string>(d.attributes[1].value), "h\xC3\xA9l");
    EXPECT_EQ(d.events.size(), 1u);
    EXPECT_EQ(d.dropped_events_count, 1u);
    EXPECT_EQ(d.events[0].dropped_attributes_count, 1u);
    EXPECT_EQ(d.links.size(), 1u);
    EXPECT_EQ(d.dropped_links_count, 1u);
}

TEST(TelemetrySpan, UnsampledSpanIsNonRecordingAndCarriesContext) {
    TestProvider tp(MakeAlwaysOffSampler());
    Span span = tp.tracer().StartSpan("s", {{"a", 1}});
    EXPECT_FALSE(span.IsRecording());
    EXPECT_TRUE(span.GetContext().IsValid());
    EXPECT_FALSE(span.GetContext().IsSampled());
    EXPECT_EQ(span.DataForTesting(), nullptr);
    span.SetAttribute("b", 2);
    span.End();
    EXPECT_TRUE(tp.spans().empty());
}

TEST(TelemetrySpan, RecordOnlySpansReachProcessorButNotExporter) {
    class RecordOnly final : public Sampler {
    public:
        SamplingResult ShouldSample(const SamplingParams&) const noexcept override {
            return {SamplingDecision::kRecordOnly, {}, std::nullopt};
        }
        std::string Description() const override { return "RecordOnly"; }
    };
    TestProvider tp(std::make_unique<RecordOnly>());
    Span span = tp.tracer().StartSpan("s");
    EXPECT_TRUE(span.IsRecording());
    EXPECT_FALSE(span.GetContext().IsSampled());
    span.End();
    EXPECT_TRUE(tp.spans().empty());  // the simple processor exports sampled spans only
}

TEST(TelemetrySpan, ChildUsesCurrentContextAndScopeRestores) {
    TestProvider tp;
    Span parent = tp.tracer().StartSpan("parent");
    {
        Scope scope = MakeScope(parent);
        EXPECT_EQ(Context::Current().span_context, parent.GetContext());
        Span child = tp.tracer().StartSpan("child");
        EXPECT_EQ(child.GetContext().trace_id, parent.GetContext().trace_id);
        child.End();
        Span root = tp.tracer().StartSpan("root", StartSpanOptions{.root = true});
        EXPECT_NE(root.GetContext().trace_id, parent.GetContext().trace_id);
    }
    EXPECT_FALSE(Context::Current().span_context.IsValid());
    parent.End();
    ASSERT_EQ(tp.spans().size(), 3u);
    EXPECT_EQ(tp.spans()[0]->name, "child");
    EXPECT_EQ(tp.spans()[0]->parent_span_id, parent.GetContext().span_id);
    EXPECT_FALSE(tp.spans()[0]->parent_is_remote);
}

TEST(TelemetrySpan, ContextHandOverToAnotherThread) {
    TestProvider tp;
    Span parent = tp.tracer().StartSpan("parent");
    Context captured;
    {
        Scope scope = MakeScope(parent);
        captured = Context::Current();
    }
    SpanId child_parent;
    std::thread worker([&] {
        EXPECT_FALSE(Context::Current().span_context.IsValid());
        Scope scope(captured);
        Span child = tp.tracer().StartSpan("child");
        child_parent = parent.GetContext().span_id;
        child.End();
    });
    worker.join();
    parent.End();
    ASSERT_EQ(tp.spans().size(), 2u);
    EXPECT_EQ(tp.spans()[0]->parent_span_id, child_parent);
}

TEST(TelemetrySpan, RemoteParentSetsFlags) {
    TestProvider tp;
    Context remote;
    remote.span_context = SpanContext{GenerateTraceId(), GenerateSpanId(), 1, {}, true};
    Span span = tp.tracer().StartSpan("s", StartSpanOptions{.parent = &remote});
    span.End();
    const SpanData& d = *tp.spans().at(0);
    EXPECT_TRUE(d.parent_is_remote);
    EXPECT_EQ(d.OtlpFlags(), 0x301u);
}

TEST(TelemetrySpan, GlobalProviderIsNoopUntilSet) {
    auto p = GetTracerProvider();
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(p->is_noop());
    Span s = p->GetTracer("x").StartSpan("s");
    EXPECT_FALSE(s.IsRecording());
    Context parent;
    parent.span_context = SpanContext{GenerateTraceId(), GenerateSpanId(), 1, {}, true};
    Span child = p->GetTracer("x").StartSpan("c", StartSpanOptions{.parent = &parent});
    EXPECT_EQ(child.GetContext(), parent.span_context);  // no-op propagates the parent

    TestProvider tp;
    SetTracerProvider(tp.provider);
    EXPECT_FALSE(GetTracerProvider()->is_noop());
    SetTracerProvider(nullptr);
    EXPECT_TRUE(GetTracerProvider()->is_noop());
}

TEST(TelemetrySpan, ShutdownMakesTracersNoop) {
    TestProvider tp;
    Tracer t = tp.tracer();
    EXPECT_TRUE(tp.provider->Shutdown(std::chrono::seconds(1)));
    EXPECT_TRUE(tp.provider->Shutdown(std::chrono::seconds(1)));  // idempotent
    EXPECT_FALSE(t.StartSpan("late").IsRecording());
    EXPECT_FALSE(tp.provider->GetTracer("x").Enabled());
}

TEST(TelemetrySpan, StatsCountStartedSampledEnded) {
    SelfStats stats;
    TestProvider tp(MakeTraceIdRatioSampler(0.5), SpanLimits{}, &stats);
    for (int i = 0; i < 200; ++i) tp.tracer().StartSpan("s").End();
    const auto s = stats.Snapshot();
    EXPECT_EQ(s.spans_started, 200u);
    EXPECT_EQ(s.spans_ended, s.spans_sampled);
    EXPECT_GT(s.spans_sampled, 50u);
    EXPECT_LT(s.spans_sampled, 150u);
    EXPECT_EQ(s.spans_exported, s.spans_sampled);
}

}  // namespace
}  // namespace tome::telemetry::trace
