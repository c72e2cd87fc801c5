// The tracer's inline sampling of AlwaysOn/AlwaysOff/TraceIdRatio/ParentBased providers must
// decide exactly as the samplers' ShouldSample, and non-recording spans must still carry a
// fresh valid span id, the trace id and the parent's tracestate.
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace tome::telemetry::trace {
namespace {

SpanContext Parent(bool remote, bool sampled) {
    SpanContext p;
    p.trace_id = GenerateTraceId();
    p.span_id = GenerateSpanId();
    p.trace_flags = sampled ? kTraceFlagSampled : 0;
    p.is_remote = remote;
    p.trace_state = TraceState::Parse("vendor=abc").value();
    return p;
}

bool Decide(const Sampler& s, const SpanContext* parent, const TraceId& id) {
    SamplingParams p;
    p.parent = parent;
    p.trace_id = id;
    p.name = "op";
    return s.ShouldSample(p).decision == SamplingDecision::kRecordAndSample;
}

void ExpectTracerMatchesSampler(std::unique_ptr<Sampler> for_tracer,
                                std::unique_ptr<Sampler> reference) {
    TestProvider tp(std::move(for_tracer));
    Tracer tracer = tp.tracer();
    for (int i = 0; i < 400; ++i) {
        Span root = tracer.StartSpan("root");
        ASSERT_TRUE(root.GetContext().IsValid());
        EXPECT_EQ(root.GetContext().IsSampled(),
                  Decide(*reference, nullptr, root.GetContext().trace_id));
        for (const bool remote : {false, true}) {
            for (const bool sampled : {false, true}) {
                const SpanContext parent = Parent(remote, sampled);
                const Context ctx = Context{}.WithSpanContext(parent);
                Span child = tracer.StartSpan("child", StartSpanOptions{.parent = &ctx});
                const SpanContext& c = child.GetContext();
                EXPECT_EQ(c.trace_id, parent.trace_id);
                EXPECT_TRUE(c.span_id.IsValid());
                EXPECT_NE(c.span_id, parent.span_id);
                EXPECT_EQ(c.trace_state, parent.trace_state);
                EXPECT_FALSE(c.is_remote);
                EXPECT_EQ(c.IsSampled(), Decide(*reference, &parent, parent.trace_id))
                    << "remote=" << remote << " sampled=" << sampled;
                EXPECT_EQ(child.IsRecording(), c.IsSampled());
            }
        }
    }
}

TEST(TelemetrySpanFastPath, AlwaysOnOffAndRatio) {
    ExpectTracerMatchesSampler(MakeAlwaysOnSampler(), MakeAlwaysOnSampler());
    ExpectTracerMatchesSampler(MakeAlwaysOffSampler(), MakeAlwaysOffSampler());
    ExpectTracerMatchesSampler(MakeTraceIdRatioSampler(0.3), MakeTraceIdRatioSampler(0.3));
}

TEST(TelemetrySpanFastPath, ParentBasedDelegates) {
    ExpectTracerMatchesSampler(MakeParentBasedSampler(MakeTraceIdRatioSampler(0.5)),
                               MakeParentBasedSampler(MakeTraceIdRatioSampler(0.5)));
    auto delegates = [] {
        ParentBasedDelegates d;
        d.remote_parent_sampled = MakeTraceIdRatioSampler(0.25);
        d.remote_parent_not_sampled = MakeAlwaysOnSampler();
        d.local_parent_sampled = MakeAlwaysOffSampler();
        d.local_parent_not_sampled = MakeTraceIdRatioSampler(0.75);
        return d;
    };
    ExpectTracerMatchesSampler(MakeParentBasedSampler(MakeAlwaysOffSampler(), delegates()),
                               MakeParentBasedSampler(MakeAlwaysOffSampler(), delegates()));
}

TEST(TelemetrySpanFastPath, UnsampledSpanIsCheapButComplete) {
    SelfStats stats;
    TestProvider tp(MakeAlwaysOffSampler(), SpanLimits{}, &stats);
    Span span = tp.tracer().StartSpan("op");
    EXPECT_FALSE(span.IsRecording());
    EXPECT_TRUE(span.GetContext().IsValid());
    span.SetAttribute("k", 1);
    span.End();
    span.End();
    EXPECT_EQ(stats.Snapshot().spans_started, 1u);
    EXPECT_EQ(stats.Snapshot().spans_ended, 0u);
    EXPECT_TRUE(tp.spans().empty());
}

}  // namespace
}  // namespace tome::telemetry::trace
