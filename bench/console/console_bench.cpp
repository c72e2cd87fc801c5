// The console's costs: what the span tee adds to span end, ingest throughput in process and over
// OTLP/protobuf (one core), bytes per stored span, trace and log search latency with 1M spans and
// 1M log records retained, and the service graph of the last hour.
//
// Reference run (RelWithDebInfo, 2 x 2.7 GHz vCPU, idle, 2026-12-05, --benchmark_min_time=1):
//   span start+end, tee vs export chain alone: 1272 vs 528 ns wall (2.4x; target 1.2x missed);
//     without the running-span view (running:0): 781 ns (1.48x)
//   ingest in process 498 k spans/s; OTLP/protobuf 254 k spans/s (one core)
//   211 B per stored span (242 B with indexes and derived data)
//   1 M spans / 1 M logs retained: trace search p95 0.10 ms, log search p95 0.13 ms
//   service graph of the last hour (40 edges): p95 5.4 ms
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "console_test_util.hpp"
#include "ingestor.hpp"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp_ingest.hpp"
#include "sdk_tees.hpp"
#include "store.hpp"
#include "tome/console/console.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::console::internal {
namespace {

namespace trace = telemetry::trace;

class DroppingExporter final : public trace::SpanExporter {
public:
    trace::ExportResult Export(std::span<const std::unique_ptr<trace::SpanData>>,
                               trace::SpanExporter::Clock::time_point) noexcept override {
        return trace::ExportResult::kSuccess;
    }
    bool Shutdown(std::chrono::milliseconds) noexcept override { return true; }
};

std::unique_ptr<trace::SpanProcessor> ExportChain() {
    trace::BatchSpanProcessorOptions bo;
    bo.max_queue_size = 1 << 16;
    bo.scheduled_delay = std::chrono::milliseconds(50);
    return std::make_unique<trace::BatchSpanProcessor>(std::make_unique<DroppingExporter>(), bo);
}

void SpanWithFiveAttributes(trace::Tracer& tracer) {
    trace::Span span = tracer.StartSpan("event.forward", {{"tome.event.type", "ORDER_PLACED"},
                                                          {"tome.hop", 1},
                                                          {"tome.target", "PaymentService"},
                                                          {"business.order_id", "o-12345"},
                                                          {"business.customer_tier", "premium"}});
    span.End();
}

// Span start + 5 attributes + end, exported through a batch processor (the usual chain).
void BM_SpanEndConsoleOff(benchmark::State& state) {
    trace::TracerProviderOptions o;
    o.processors.push_back(ExportChain());
    o.resource = std::make_shared<const trace::Resource>();
    auto provider = std::make_shared<trace::TracerProvider>(std::move(o));
    trace::Tracer tracer = provider->GetTracer("bench");
    for (auto _ : state) SpanWithFiveAttributes(tracer);
    state.SetItemsProcessed(state.iterations());
}

// The same with the console's tee in front of the chain (what `tome serve` runs); arg 0: without
// the running-span view (console.trackRunningSpans: false), to show what each part costs.
void BM_SpanEndConsoleOn(benchmark::State& state) {
    ConsoleOptions options;
    options.max_bytes = 256u << 20;
    options.track_running_spans = state.range(0) != 0;
    auto created = Console::Create(options, SystemClock::Get());
    auto console = std::move(*created);
    (void)console->Start();
    trace::TracerProviderOptions o;
    o.processors.push_back(console->TeeSpans(ExportChain()));
    o.resource = std::make_shared<const trace::Resource>();
    auto provider = std::make_shared<trace::TracerProvider>(std::move(o));
    trace::Tracer tracer = provider->GetTracer("bench");
    for (auto _ : state) SpanWithFiveAttributes(tracer);
    (void)provider->ForceFlush(std::chrono::seconds(30));
    const auto stats = console->StatsJson();
    const double stored = stats["signals"]["spans"]["ingested"].get<double>();
    const double full = stats["signals"]["spans"]["dropped"]["queue_full"].get<double>();
    state.counters["stored_fraction"] = stored / std::max(1.0, stored + full);
    state.SetItemsProcessed(state.iterations());
    provider.reset();
}

// Ingest on the console's thread: SpanData -> record -> indexes -> graph.
void BM_IngestInProcess(benchmark::State& state) {
    StoreOptions options;
    options.max_bytes = 512u << 20;
    Store store(options);
    SdkIngest ingest(store);
    trace::SpanData span;
    span.name = "event.forward";
    span.kind = trace::SpanKind::kInternal;
    span.resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("tome")}});
    span.scope = std::make_shared<const trace::InstrumentationScope>(trace::InstrumentationScope{"tome", "1", ""});
    span.attributes = {{"tome.event.type", std::string("ORDER_PLACED")},
                       {"tome.hop", std::int64_t{1}},
                       {"tome.target", std::string("PaymentService")},
                       {"business.order_id", std::string("o-1")},
                       {"business.customer_tier", std::string("premium")}};
    std::uint64_t n = 0;
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    for (auto _ : state) {
        ++n;
        span.context.trace_id = telemetry::GenerateTraceId();
        span.context.span_id = telemetry::GenerateSpanId();
        span.start_unix_nano = static_cast<std::uint64_t>(now_ms) * 1'000'000 + n;
        span.end_unix_nano = span.start_unix_nano + 1'000'000;
        std::get<std::string>(span.attributes[3].value) = "o-" + std::to_string(n);
        ingest.AddSpan(span, now_ms);
    }
    state.SetItemsProcessed(state.iterations());
}

std::string OtlpBatch(int spans, std::uint64_t first) {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
    auto* rs = request.add_resource_spans();
    auto* kv = rs->mutable_resource()->add_attributes();
    kv->set_key("service.name");
    kv->mutable_value()->set_string_value("peer");
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("bench");
    for (int i = 0; i < spans; ++i) {
        auto* s = ss->add_spans();
        const std::uint64_t n = first + static_cast<std::uint64_t>(i);
        std::string trace(16, '\x7f');
        std::memcpy(trace.data(), &n, 8);
        std::string span(8, '\x01');
        std::memcpy(span.data(), &n, 8);
        s->set_trace_id(trace);
        s->set_span_id(span);
        s->set_name("POST /pay");
        s->set_kind(opentelemetry::proto::trace::v1::Span::SPAN_KIND_SERVER);
        s->set_start_time_unix_nano(1'800'000'000'000'000'000ULL + n);
        s->set_end_time_unix_nano(1'800'000'000'001'000'000ULL + n);
        for (const char* key : {"http.request.method", "http.route", "url.path", "business.order_id", "peer.service"}) {
            auto* a = s->add_attributes();
            a->set_key(key);
            a->mutable_value()->set_string_value(std::string(key) == "business.order_id" ? "o-" + std::to_string(n)
                                                                                          : "value");
        }
    }
    return request.SerializeAsString();
}

// OTLP/HTTP protobuf on one core: decode (libprotobuf), check, store. 512 spans a request.
void BM_IngestOtlpProtobuf(benchmark::State& state) {
    StoreOptions options;
    options.max_bytes = 512u << 20;
    Store store(options);
    OtlpIngest ingest(store);
    std::vector<std::string> bodies;
    for (int i = 0; i < 16; ++i) bodies.push_back(OtlpBatch(512, static_cast<std::uint64_t>(i) * 512));
    std::size_t i = 0;
    for (auto _ : state) {
        otlp_trace::ExportTraceServiceRequest request;
        if (!DecodeOtlp(bodies[i++ % bodies.size()], OtlpEncoding::kProtobuf, OtlpSignal::kTraces, request).ok()) {
            state.SkipWithError("decode failed");
            break;
        }
        benchmark::DoNotOptimize(CheckTraces(request));
        ingest.AddTraces(request, 1'800'000'000'000);
    }
    state.SetItemsProcessed(state.iterations() * 512);
}

// What one stored span costs, indexes and derived data included (5 attributes).
void BM_BytesPerStoredSpan(benchmark::State& state) {
    for (auto _ : state) {
        StoreOptions options;
        options.max_bytes = 1u << 30;
        Store store(options);
        std::string record;
        const std::uint32_t resource = testing::Resource(store.resources(), store.strings(), "tome");
        constexpr int kSpans = 200'000;
        for (int n = 0; n < kSpans; ++n) {
            testing::SpanSpec s;
            s.resource = resource;
            s.trace = testing::TraceN(static_cast<std::uint64_t>(n / 8) + 1);
            s.span = testing::SpanN(static_cast<std::uint64_t>(n) + 1);
            if (n % 8) s.parent = testing::SpanN(static_cast<std::uint64_t>(n));
            s.name = n % 8 ? "event.forward" : "order.workflow";
            s.start_ns = 1'800'000'000'000'000'000ULL + static_cast<std::uint64_t>(n) * 1000;
            s.attributes = {{"tome.event.type", "ORDER_PLACED"},
                            {"tome.target", "PaymentService"},
                            {"business.order_id", "o-" + std::to_string(n / 8)},
                            {"business.customer_tier", n % 3 ? "standard" : "premium"}};
            s.int_attributes = {{"tome.hop", n % 8}};
            store.AddSpan(testing::EncodeSpan(store.strings(), s), 1'800'000'000'000);
        }
        store.SealAll();
        const StoreStats stats = store.Stats();
        state.counters["bytes_per_span"] = static_cast<double>(stats.spans.bytes) / kSpans;
        state.counters["bytes_per_span_all"] = static_cast<double>(stats.used_bytes()) / kSpans;
    }
}

// A store holding 1M spans (125k traces of 8, 4 services) and 1M log records.
struct BigStore {
    BigStore() {
        StoreOptions options;
        options.max_bytes = 3u << 30;
        store = std::make_unique<Store>(options);
        std::mt19937_64 rng(1);
        const char* services[] = {"orders", "payments", "inventory", "notify"};
        std::uint32_t resources[4];
        for (int i = 0; i < 4; ++i) resources[i] = testing::Resource(store->resources(), store->strings(), services[i]);
        const char* words[] = {"payment", "declined", "accepted", "order", "stock", "reserved", "retry", "timeout"};
        for (int n = 0; n < 1'000'000; ++n) {
            testing::SpanSpec s;
            s.resource = resources[n % 4];
            s.trace = testing::TraceN(static_cast<std::uint64_t>(n / 8) + 1);
            s.span = testing::SpanN(static_cast<std::uint64_t>(n) + 1);
            if (n % 8) s.parent = testing::SpanN(static_cast<std::uint64_t>(n));
            s.name = n % 8 ? "event.forward" : "order.workflow";
            s.status = rng() % 50 == 0 ? 2 : 0;
            s.duration_ns = 100'000 + rng() % 500'000'000;
            s.start_ns = 1'800'000'000'000'000'000ULL + static_cast<std::uint64_t>(n) * 1'000'000;
            s.attributes = {{"business.order_id", "o-" + std::to_string(n / 8)},
                            {"business.customer_tier", rng() % 10 == 0 ? "premium" : "standard"}};
            store->AddSpan(testing::EncodeSpan(store->strings(), s), 1'800'000'000'000);
            testing::LogSpec l;
            l.resource = resources[n % 4];
            l.severity = static_cast<std::uint8_t>(rng() % 20 == 0 ? 17 : 9);
            l.body = std::string(words[rng() % 8]) + " " + words[rng() % 8] + " for order o-" + std::to_string(n / 8);
            l.trace = s.trace;
            l.span = s.span;
            l.time_ns = s.start_ns;
            l.attributes = {{"business.order_id", "o-" + std::to_string(n / 8)}};
            store->AddLog(testing::EncodeLog(store->strings(), l));
        }
        store->SealAll();
    }
    std::unique_ptr<Store> store;
};

BigStore& Big() {
    static BigStore big;  // built once for the search benchmarks
    return big;
}

// Runs `query` over a rotating set of parameters; reports p50/p95 in ms.
template <class Fn>
void Latencies(benchmark::State& state, Fn&& query) {
    std::vector<double> ms;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        query(i++);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    state.counters["p50_ms"] = ms[ms.size() / 2];
    state.counters["p95_ms"] = ms[ms.size() * 95 / 100];
}

void BM_TraceSearch1M(benchmark::State& state) {
    Store& store = *Big().store;
    Latencies(state, [&](std::size_t i) {
        TraceQuery q;
        q.limit = 20;
        switch (i % 5) {
            case 0: q.service = "orders"; break;
            case 1: q.service = "payments"; q.errors_only = true; break;
            case 2: q.attributes = {{"business.customer_tier", "premium"}}; break;
            case 3: q.service = "orders"; q.operation = "order.workflow"; q.min_duration_ns = 450'000'000; break;
            case 4: q.attributes = {{"business.order_id", "o-" + std::to_string(1000 + i * 37 % 120'000)}}; break;
        }
        auto found = store.spans().Search(q);
        benchmark::DoNotOptimize(store.spans().Traces(found.traces));
    });
}

void BM_LogSearch1M(benchmark::State& state) {
    Store& store = *Big().store;
    Latencies(state, [&](std::size_t i) {
        LogQuery q;
        q.limit = 100;
        switch (i % 4) {
            case 0: ParseSearchText("payment declined", q); break;
            case 1: q.min_severity_range = 5; break;
            case 2: q.attributes = {{"business.order_id", "o-" + std::to_string(1000 + i * 37 % 120'000)}}; break;
            case 3: q.trace_id = testing::TraceN(1 + i * 53 % 120'000); break;
        }
        benchmark::DoNotOptimize(store.logs().Search(q));
    });
}

// The graph of the last hour: 40 edges with traffic in every 10 s bucket.
void BM_ServiceGraphLastHour(benchmark::State& state) {
    ServiceGraph graph({64u << 20, 10'000, 100'000});
    StringTable strings;
    const std::int64_t now_ms = 1'800'000'000'000;
    std::mt19937_64 rng(3);
    std::uint64_t n = 1;
    for (std::int64_t t = now_ms - 3'600'000 + 10'000; t <= now_ms; t += 1'000) {
        for (int e = 0; e < 40; ++e) {
            testing::SpanSpec s;
            s.trace = testing::TraceN(n);
            s.span = testing::SpanN(n++);
            s.parent = testing::SpanN(1);
            s.name = "event.forward";
            s.start_ns = static_cast<std::uint64_t>(t) * 1'000'000;
            s.duration_ns = 100'000 + rng() % 50'000'000;
            s.attributes = {{"tome.source", "T" + std::to_string(e)}, {"tome.target", "T" + std::to_string(e + 1)}};
            const std::string r = testing::EncodeSpan(strings, s);
            graph.Observe(*SpanView::Parse(r, strings), "tome", now_ms);
        }
    }
    Latencies(state, [&](std::size_t) { benchmark::DoNotOptimize(graph.Snapshot(now_ms - 3'600'000, now_ms + 1)); });
    state.counters["edges"] = static_cast<double>(graph.Snapshot(now_ms - 3'600'000, now_ms + 1).edges.size());
}

BENCHMARK(BM_SpanEndConsoleOff);
BENCHMARK(BM_SpanEndConsoleOn)->Arg(1)->Arg(0)->ArgName("running");
BENCHMARK(BM_IngestInProcess);
BENCHMARK(BM_IngestOtlpProtobuf);
BENCHMARK(BM_BytesPerStoredSpan)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TraceSearch1M)->Iterations(200)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogSearch1M)->Iterations(200)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ServiceGraphLastHour)->Iterations(50)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tome::console::internal

BENCHMARK_MAIN();
