#include <gtest/gtest.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "loopback_receiver.hpp"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tome/telemetry/export/otlp_http_exporter.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackReceiver;
using trace::ExportResult;
namespace pb = opentelemetry::proto;

std::vector<std::unique_ptr<trace::SpanData>> Batch(int n) {
    auto resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("svc")}});
    auto scope = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"scope", "", ""});
    std::vector<std::unique_ptr<trace::SpanData>> out;
    for (int i = 0; i < n; ++i) {
        auto s = std::make_unique<trace::SpanData>();
        s->context.trace_id = GenerateTraceId();
        s->context.span_id = GenerateSpanId();
        s->context.trace_flags = 1;
        s->name = "span" + std::to_string(i);
        s->start_unix_nano = 1;
        s->end_unix_nano = 2;
        s->resource = resource;
        s->scope = scope;
        out.push_back(std::move(s));
    }
    return out;
}

OtlpHttpExporterOptions Options(const LoopbackReceiver& rx, SelfStats* stats) {
    OtlpHttpExporterOptions o;
    o.endpoint = rx.url();
    o.initial_backoff = 1ms;
    o.max_backoff = 4ms;
    o.timeout = 10s;
    o.stats = stats;
    o.headers = {{"x-api-key", "secret"}};
    return o;
}

std::string Gunzip(const std::string& in) {
    z_stream zs{};
    EXPECT_EQ(inflateInit2(&zs, 15 + 32), Z_OK);
    std::string out(in.size() * 20 + 1024, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    return out;
}

TEST(TelemetryOtlpHttp, RetriesOn503ThenEverySpanArrivesExactlyOnce) {
    LoopbackReceiver rx({{503, "", "0"}, {503, "", ""}});
    SelfStats stats;
    {
        trace::TracerProviderOptions po;
        po.stats = &stats;
        trace::BatchSpanProcessorOptions bo;
        bo.stats = &stats;
        po.processors.push_back(std::make_unique<trace::BatchSpanProcessor>(
            std::make_unique<OtlpHttpExporter>(Options(rx, &stats)), bo));
        trace::TracerProvider provider(std::move(po));
        auto tracer = provider.GetTracer("t");
        for (int i = 0; i < 25; ++i) tracer.StartSpan("span" + std::to_string(i)).End();
        EXPECT_TRUE(provider.ForceFlush(10s));
    }
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 3u);  // 503, 503, 200
    std::set<std::string> names;
    int total = 0;
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        EXPECT_EQ(reqs[i].target, "/v1/traces");
        EXPECT_EQ(reqs[i].content_type, "application/x-protobuf");
        EXPECT_EQ(reqs[i].custom_header, "secret");
        EXPECT_NE(reqs[i].user_agent.find("OTel-OTLP-Exporter-Cpp/"), std::string::npos);
        EXPECT_EQ(reqs[i].body, reqs[0].body);  // the same batch is resent
    }
    pb::collector::trace::v1::ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(reqs.back().body));
    for (const auto& s : req.resource_spans(0).scope_spans(0).spans()) {
        names.insert(s.name());
        ++total;
    }
    EXPECT_EQ(total, 25);
    EXPECT_EQ(names.size(), 25u);
    const auto snap = stats.Snapshot();
    EXPECT_EQ(snap.export_retries, 2u);
    EXPECT_EQ(snap.spans_exported, 25u);
    EXPECT_EQ(snap.export_failures, 0u);
}

TEST(TelemetryOtlpHttp, GzipBodyDecompressesAndDecodes) {
    LoopbackReceiver rx;
    SelfStats stats;
    auto o = Options(rx, &stats);
    o.compression = OtlpCompression::kGzip;
    OtlpHttpExporter exporter(o);
    auto batch = Batch(50);
    EXPECT_EQ(exporter.Export(batch, std::chrono::steady_clock::now() + 10s), ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].content_encoding, "gzip");
    pb::collector::trace::v1::ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(Gunzip(reqs[0].body)));
    ASSERT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 50);
    EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans(49).name(), "span49");
    EXPECT_EQ(req.resource_spans(0).resource().attributes(0).value().string_value(), "svc");
}

TEST(TelemetryOtlpHttp, JsonProtocol) {
    LoopbackReceiver rx;
    auto o = Options(rx, nullptr);
    o.protocol = OtlpProtocol::kHttpJson;
    OtlpHttpExporter exporter(o);
    auto batch = Batch(2);
    EXPECT_EQ(exporter.Export(batch, std::chrono::steady_clock::now() + 10s), ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].content_type, "application/json");
    auto j = nlohmann::json::parse(reqs[0].body);
    EXPECT_EQ(j["resourceSpans"][0]["scopeSpans"][0]["spans"].size(), 2u);
}

TEST(TelemetryOtlpHttp, NonRetryableStatusIsNotRetried) {
    LoopbackReceiver rx({{400, "", ""}});
    SelfStats stats;
    OtlpHttpExporter exporter(Options(rx, &stats));
    auto batch = Batch(1);
    EXPECT_EQ(exporter.Export(batch, std::chrono::steady_clock::now() + 10s),
              ExportResult::kFailureNonRetryable);
    EXPECT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(stats.Snapshot().export_retries, 0u);
}

TEST(TelemetryOtlpHttp, PartialSuccessIsCountedNotRetried) {
    pb::collector::trace::v1::ExportTraceServiceResponse resp;
    resp.mutable_partial_success()->set_rejected_spans(2);
    resp.mutable_partial_success()->set_error_message("2 spans too old");
    LoopbackReceiver rx({{200, resp.SerializeAsString(), ""}});
    SelfStats stats;
    OtlpHttpExporter exporter(Options(rx, &stats));
    auto batch = Batch(5);
    EXPECT_EQ(exporter.Export(batch, std::chrono::steady_clock::now() + 10s), ExportResult::kSuccess);
    EXPECT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(stats.Snapshot().rejected_by_receiver, 2u);
}

TEST(TelemetryOtlpHttp, BlackHoledCollectorReturnsByTimeout) {
    LoopbackReceiver rx({{0, "", ""}, {0, "", ""}, {0, "", ""}});
    auto o = Options(rx, nullptr);
    o.timeout = 300ms;
    OtlpHttpExporter exporter(o);
    auto batch = Batch(1);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(exporter.Export(batch, start + 30s), ExportResult::kFailureRetryable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(TelemetryOtlpHttp, ShutdownAbortsRunningExport) {
    LoopbackReceiver rx({{0, "", ""}});
    auto o = Options(rx, nullptr);
    o.timeout = 60s;
    OtlpHttpExporter exporter(o);
    ExportResult result = ExportResult::kSuccess;
    std::thread t([&] {
        auto batch = Batch(1);
        result = exporter.Export(batch, std::chrono::steady_clock::now() + 60s);
    });
    ASSERT_TRUE(rx.WaitForRequests(1, 10s));
    const auto start = std::chrono::steady_clock::now();
    exporter.Shutdown(1s);
    t.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(result, ExportResult::kFailureNonRetryable);
    auto batch = Batch(1);
    EXPECT_EQ(exporter.Export(batch, std::chrono::steady_clock::now() + 1s),
              ExportResult::kFailureNonRetryable);
}

TEST(TelemetryOtlpHttp, ConnectionRefusedIsRetryableFailure) {
    unsigned short port = 0;
    {
        LoopbackReceiver rx;
        port = rx.port();
    }  // closed: nothing listens there now
    OtlpHttpExporterOptions o;
    o.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/v1/traces";
    o.initial_backoff = 1ms;
    o.max_attempts = 3;
    SelfStats stats;
    o.stats = &stats;
    OtlpHttpExporter exporter(o);
    auto batch = Batch(1);
    EXPECT_EQ(exporter.Export(batch, std::chrono::steady_clock::now() + 10s),
              ExportResult::kFailureRetryable);
    EXPECT_EQ(stats.Snapshot().export_retries, 2u);
}

}  // namespace
}  // namespace tome::telemetry::exporter
