// Span start+end cost through the batch processor to an exporter that drops everything.
//
// Reference run: 2026-11-24, 2-core Debian 12 VM (shared: load average 5-7 from other builds,
// so wall times are inflated; CPU times are quoted), g++ 12.2, RelWithDebInfo (-O2),
// --benchmark_repetitions=5, median CPU time. "before" = commit 20b339d, built the same way.
//                                           before     after
//   BM_SpanSampledNoAttributes              141 ns     131-136 ns   target -
//   BM_SpanSampledFiveAttributes            226-234    215-224 ns   target < 300 ns: met
//   BM_SpanUnsampled                         28-29 ns   13.1-13.5 ns target < 20 ns: met
//   BM_BatchProcessorTwoProducers/threads:2 194-206    185 ns CPU/span
//   BM_SpanTailSampledTrace                  (new)     671 ns/trace of 3 spans (224 ns/span)
// The unsampled path lost: Span::~Span/End/SetAttribute out-of-line calls (now inline null
// checks; ~Span also built a std::optional whose partial store stalled the End call's load),
// the virtual sampler call and SamplingResult for AlwaysOn/AlwaysOff/ratio/ParentBased-of-those
// (src/sampler_plan.hpp decides inline, same thresholds), and TraceId::IsValid's byte loop on
// the parent. What remains (about 13 ns): the relaxed atomic spans_started counter (about 5 ns,
// a lock-prefixed add; it lives in telemetry/api SelfStats, outside this change), the two id
// draws (about 2.5 ns), the thread-local current Context, and one 16-byte store-to-load
// forward of the trace id around the GenerateSpanId call (GCC's choice of spill).
// Before SpanData recycling (span_data_pool.cpp) the sampled figures were 864 and 1190 ns:
// the worker freeing records made producers contend on malloc's arena lock.
#include <benchmark/benchmark.h>

#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/tail_sampling_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::trace {
namespace {

class DroppingExporter final : public SpanExporter {
public:
    ExportResult Export(std::span<const std::unique_ptr<SpanData>>,
                        Clock::time_point) noexcept override {
        return ExportResult::kSuccess;
    }
    bool Shutdown(std::chrono::milliseconds) noexcept override { return true; }
};

std::shared_ptr<TracerProvider> MakeProvider(std::unique_ptr<Sampler> sampler) {
    TracerProviderOptions o;
    o.sampler = std::move(sampler);
    BatchSpanProcessorOptions bo;
    bo.max_queue_size = 1 << 16;  // the drain keeps up; measure the producer path
    bo.scheduled_delay = std::chrono::milliseconds(50);
    o.processors.push_back(
        std::make_unique<BatchSpanProcessor>(std::make_unique<DroppingExporter>(), bo));
    o.resource = std::make_shared<const Resource>();
    return std::make_shared<TracerProvider>(std::move(o));
}

void BM_SpanSampledNoAttributes(benchmark::State& state) {
    auto provider = MakeProvider(MakeAlwaysOnSampler());
    Tracer tracer = provider->GetTracer("bench");
    for (auto _ : state) {
        Span span = tracer.StartSpan("GET /connections/{id}");
        span.End();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpanSampledNoAttributes);

void BM_SpanSampledFiveAttributes(benchmark::State& state) {
    auto provider = MakeProvider(MakeAlwaysOnSampler());
    Tracer tracer = provider->GetTracer("bench");
    for (auto _ : state) {
        Span span = tracer.StartSpan("GET /connections/{id}",
                                     {{"http.request.method", "GET"},
                                      {"http.route", "/connections/{id}"},
                                      {"http.response.status_code", 200},
                                      {"url.scheme", "http"},
                                      {"server.port", 8080}},
                                     StartSpanOptions{.kind = SpanKind::kServer});
        span.End();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpanSampledFiveAttributes);

void BM_SpanUnsampled(benchmark::State& state) {
    auto provider = MakeProvider(MakeAlwaysOffSampler());
    Tracer tracer = provider->GetTracer("bench");
    for (auto _ : state) {
        Span span = tracer.StartSpan("GET /connections/{id}");
        span.SetAttribute("http.route", "/connections/{id}");
        span.End();
        benchmark::DoNotOptimize(span);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpanUnsampled);

// A three-span local trace (root + two children, one with an attribute the custom rule reads)
// through the tail processor (AlwaysOn head, normal rate 10%) into the batch processor.
void BM_SpanTailSampledTrace(benchmark::State& state) {
    TracerProviderOptions o;
    o.resource = std::make_shared<const Resource>();
    BatchSpanProcessorOptions bo;
    bo.max_queue_size = 1 << 16;
    bo.scheduled_delay = std::chrono::milliseconds(50);
    TailSamplingOptions to;
    to.normal_sampling_rate = 0.1;
    to.custom_rules.push_back(
        {Condition::Parse("business.order_value > 1000").value(), 1.0, "order_value"});
    UseTailSampling(o, std::make_unique<BatchSpanProcessor>(
                           std::make_unique<DroppingExporter>(), bo), std::move(to));
    auto provider = std::make_shared<TracerProvider>(std::move(o));
    Tracer tracer = provider->GetTracer("bench");
    for (auto _ : state) {
        Span root = tracer.StartSpan("GET /orders", StartSpanOptions{.root = true});
        const Context ctx = root.ToContext();
        Span a = tracer.StartSpan("db", StartSpanOptions{.parent = &ctx});
        a.SetAttribute("business.order_value", 250);
        a.End();
        Span b = tracer.StartSpan("cache", StartSpanOptions{.parent = &ctx});
        b.End();
        root.End();
    }
    state.SetItemsProcessed(state.iterations() * 3);
}
BENCHMARK(BM_SpanTailSampledTrace);

// Two producer threads share one provider (and its batch processor queue).
void BM_BatchProcessorTwoProducers(benchmark::State& state) {
    static std::shared_ptr<TracerProvider> provider;
    if (state.thread_index() == 0) provider = MakeProvider(MakeAlwaysOnSampler());
    // Google Benchmark synchronises threads before the timed loop starts.
    for (auto _ : state) {
        Tracer tracer = provider->GetTracer("bench");
        Span span = tracer.StartSpan("op", {{"i", 1}});
        span.End();
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) provider.reset();
}
BENCHMARK(BM_BatchProcessorTwoProducers)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace tome::telemetry::trace

BENCHMARK_MAIN();
