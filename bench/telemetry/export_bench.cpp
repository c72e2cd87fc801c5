// The export thread's cost: what the batch processor's worker does for each batch. A batch of
// 512 spans (a SERVER span's five attributes each, one resource, one scope) is encoded as
// OTLP/HTTP (protobuf or JSON) and POSTed by the OtlpHttpExporter over a keep-alive loopback
// connection to a receiver in this process (bench/support/otlp_loopback_receiver.hpp), which
// answers 200. The exporter runs on the benchmark's thread, so Google Benchmark's CPU time is
// the export thread's own: items_per_second is spans encoded and posted per second of one core.
// The receiver's thread (parsing the requests) is not counted; "bytes_per_span" is the body
// size the receiver read.
//
// Reference run: 2026-12-06, 2 x AMD EPYC vCPU at 2.7 GHz (a shared VM), Debian 12, g++ 12.2,
// Release (-O3), --benchmark_repetitions=5, median (CPU time is the exporting thread's):
//   protobuf  243-340 us CPU per 512-span batch (wall 1.1-1.4 ms): 1.5-2.1 M spans/s per core,
//             243 bytes per span
//   JSON      461-478 us CPU per batch (wall 2.6-2.8 ms): 1.07-1.11 M spans/s per core,
//             603 bytes per span
// So the export thread of a service sending 10,000 spans/s uses about 0.5% of a core (protobuf).
// The send without a body copy and the kept encode buffer (d0d05ea), against the commit before,
// in alternating runs on the same machine later that day (slower then), medians of 5:
//   protobuf  470-514 -> 402-438 us CPU per batch;  JSON  736-746 -> 605-609 us.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "otlp_loopback_receiver.hpp"
#include "tome/telemetry/export/otlp_http_exporter.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::exporter {
namespace {

constexpr std::size_t kBatch = 512;  // the default max_export_batch_size

std::vector<std::unique_ptr<trace::SpanData>> MakeBatch() {
    auto resource = std::make_shared<const trace::Resource>(std::vector<trace::Attribute>{
        {"service.name", std::string("tome")}, {"service.version", std::string("1.0.0")}});
    auto scope = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"tome.api", "1.0.0", ""});
    std::vector<std::unique_ptr<trace::SpanData>> batch;
    const TraceId trace_id = GenerateTraceId();
    for (std::size_t i = 0; i < kBatch; ++i) {
        auto d = std::make_unique<trace::SpanData>();
        d->context.trace_id = i % 8 == 0 ? GenerateTraceId() : trace_id;
        d->context.span_id = GenerateSpanId();
        d->context.trace_flags = 1;
        d->parent_span_id = GenerateSpanId();
        d->name = "POST /api/tomes/{id}/events";
        d->kind = trace::SpanKind::kServer;
        d->start_unix_nano = 1'765'000'000'000'000'000ULL + i * 1000;
        d->end_unix_nano = d->start_unix_nano + 250'000;
        d->attributes = {{"http.request.method", std::string("POST")},
                         {"http.route", std::string("/api/tomes/{id}/events")},
                         {"http.response.status_code", std::int64_t{200}},
                         {"url.scheme", std::string("http")},
                         {"server.port", std::int64_t{3000}}};
        d->resource = resource;
        d->scope = scope;
        batch.push_back(std::move(d));
    }
    return batch;
}

void BM_ExportBatchToLoopback(benchmark::State& state) {
    bench::OtlpReceiver receiver;
    OtlpHttpExporterOptions o;
    o.endpoint = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/v1/traces";
    o.protocol = state.range(0) == 0 ? OtlpProtocol::kHttpProtobuf : OtlpProtocol::kHttpJson;
    o.max_attempts = 1;
    SelfStats stats;
    o.stats = &stats;
    OtlpHttpExporter exporter(std::move(o));
    const auto batch = MakeBatch();
    for (auto _ : state) {
        const auto r =
            exporter.Export(batch, trace::SpanExporter::Clock::now() + std::chrono::seconds(10));
        if (r != trace::ExportResult::kSuccess) {
            state.SkipWithError("the loopback receiver refused a batch");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
    exporter.Shutdown(std::chrono::seconds(1));
    receiver.Stop();
    const std::uint64_t spans = receiver.requests() * kBatch;
    state.counters["bytes_per_span"] =
        spans > 0 ? static_cast<double>(receiver.bytes()) / spans : 0;
}
BENCHMARK(BM_ExportBatchToLoopback)->ArgName("json")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tome::telemetry::exporter

BENCHMARK_MAIN();
