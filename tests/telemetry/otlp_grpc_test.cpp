// OtlpGrpcExporter against a real in-test gRPC server (grpc_loopback_receiver.hpp). Only built
// with TOME_WITH_GRPC. Requests are decoded with libprotobuf from our /proto files.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>

#include "grpc_loopback_receiver.hpp"
#include "grpc_status_util.hpp"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tome/telemetry/export/env_config.hpp"
#include "tome/telemetry/export/otlp_grpc_exporter.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"
#include "tome/testing/sanitizer_scale.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::GrpcLoopbackReceiver;
using trace::ExportResult;
namespace pb = opentelemetry::proto;
using Reply = GrpcLoopbackReceiver::Reply;

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

OtlpGrpcExporterOptions Options(const GrpcLoopbackReceiver& rx, SelfStats* stats) {
    OtlpGrpcExporterOptions o;
    o.endpoint = rx.endpoint();
    o.initial_backoff = 1ms;
    o.max_backoff = 4ms;
    o.timeout = 10s;
    o.stats = stats;
    o.headers = {{"Authorization", "Bearer t0k"}, {"grpc-reserved", "dropped"}};
    return o;
}

std::vector<std::string> SpanNames(const std::string& body) {
    pb::collector::trace::v1::ExportTraceServiceRequest req;
    EXPECT_TRUE(req.ParseFromString(body));
    std::vector<std::string> names;
    for (const auto& rs : req.resource_spans())
        for (const auto& ss : rs.scope_spans())
            for (const auto& s : ss.spans()) names.push_back(s.name());
    return names;
}

// Runs 25 spans through a batch processor into an OtlpGrpcExporter; returns the stats.
void RunPipeline(const OtlpGrpcExporterOptions& options, SelfStats& stats, int spans) {
    trace::TracerProviderOptions po;
    po.stats = &stats;
    trace::BatchSpanProcessorOptions bo;
    bo.stats = &stats;
    po.processors.push_back(std::make_unique<trace::BatchSpanProcessor>(
        std::make_unique<OtlpGrpcExporter>(options), bo));
    trace::TracerProvider provider(std::move(po));
    auto tracer = provider.GetTracer("t");
    for (int i = 0; i < spans; ++i) tracer.StartSpan("span" + std::to_string(i)).End();
    EXPECT_TRUE(provider.ForceFlush(10s));
}

TEST(TelemetryOtlpGrpc, EverySpanArrivesOnceWithMetadataAndDeadline) {
    GrpcLoopbackReceiver rx;
    ASSERT_TRUE(rx.ok());
    SelfStats stats;
    RunPipeline(Options(rx, &stats), stats, 25);
    const auto reqs = rx.requests();
    ASSERT_GE(reqs.size(), 1u);
    std::multiset<std::string> names;
    for (const auto& r : reqs) {
        EXPECT_EQ(r.method, kOtlpGrpcTraceExportMethod);
        EXPECT_EQ(r.authorization, "Bearer t0k");
        EXPECT_NE(r.user_agent.find("OTel-OTLP-Exporter-Cpp/"), std::string::npos) << r.user_agent;
        EXPECT_TRUE(r.has_deadline);
        EXPECT_FALSE(r.gzip);
        for (auto& n : SpanNames(r.body)) names.insert(n);
    }
    EXPECT_EQ(names.size(), 25u);
    for (int i = 0; i < 25; ++i) EXPECT_EQ(names.count("span" + std::to_string(i)), 1u) << i;
    const auto snap = stats.Snapshot();
    EXPECT_EQ(snap.spans_exported, 25u);
    EXPECT_EQ(snap.export_retries, 0u);
    EXPECT_EQ(snap.export_failures, 0u);
}

TEST(TelemetryOtlpGrpc, GzipIsOnTheWire) {
    GrpcLoopbackReceiver rx;
    auto o = Options(rx, nullptr);
    o.compression = OtlpCompression::kGzip;
    OtlpGrpcExporter exporter(o);
    auto batch = Batch(50);
    EXPECT_EQ(exporter.Export(batch, Clock::now() + 10s), ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_TRUE(reqs[0].gzip);
    const auto names = SpanNames(reqs[0].body);
    ASSERT_EQ(names.size(), 50u);
    EXPECT_EQ(names[49], "span49");
}

TEST(TelemetryOtlpGrpc, UnavailableTwiceThenOkDeliversEverySpanOnce) {
    GrpcLoopbackReceiver rx({Reply{grpc::StatusCode::UNAVAILABLE},
                             Reply{grpc::StatusCode::UNAVAILABLE}});
    SelfStats stats;
    RunPipeline(Options(rx, &stats), stats, 25);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 3u);  // UNAVAILABLE, UNAVAILABLE, OK
    for (const auto& r : reqs) EXPECT_EQ(r.body, reqs[0].body);  // the same batch is resent
    const auto accepted = SpanNames(reqs.back().body);  // only the OK call accepted spans
    const std::set<std::string> unique(accepted.begin(), accepted.end());
    EXPECT_EQ(accepted.size(), 25u);
    EXPECT_EQ(unique.size(), 25u);
    const auto snap = stats.Snapshot();
    EXPECT_EQ(snap.export_retries, 2u);
    EXPECT_EQ(snap.spans_exported, 25u);
    EXPECT_EQ(snap.export_failures, 0u);
}

TEST(TelemetryOtlpGrpc, ResourceExhaustedWithRetryInfoWaitsTheGivenDelay) {
    GrpcLoopbackReceiver rx({Reply{grpc::StatusCode::RESOURCE_EXHAUSTED,
                                   testing::StatusWithRetryInfo(8, 100ms)}});
    SelfStats stats;
    auto o = Options(rx, &stats);
    o.initial_backoff = 1ms;  // the 100 ms can only come from RetryInfo
    OtlpGrpcExporter exporter(o);
    auto batch = Batch(3);
    EXPECT_EQ(exporter.Export(batch, Clock::now() + 10s), ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_GE(reqs[1].arrived - reqs[0].arrived, 100ms);
    EXPECT_EQ(stats.Snapshot().export_retries, 1u);
}

TEST(TelemetryOtlpGrpc, RetryInfoBeyondTheTimeoutFailsRetryableWithoutWaiting) {
    GrpcLoopbackReceiver rx({Reply{grpc::StatusCode::UNAVAILABLE,
                                   testing::StatusWithRetryInfo(14, 60s)}});
    SelfStats stats;
    auto o = Options(rx, &stats);
    o.timeout = 2s;
    OtlpGrpcExporter exporter(o);
    auto batch = Batch(1);
    const auto t0 = Clock::now();
    EXPECT_EQ(exporter.Export(batch, Clock::now() + 10s), ExportResult::kFailureRetryable);
    EXPECT_LT(Clock::now() - t0, tome::testing::Scaled(1500ms));
    EXPECT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(stats.Snapshot().export_retries, 0u);
}

TEST(TelemetryOtlpGrpc, NonRetryableCodesAreNotRetried) {
    for (const auto code : {grpc::StatusCode::RESOURCE_EXHAUSTED,  // no RetryInfo
                            grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::UNAUTHENTICATED,
                            grpc::StatusCode::UNIMPLEMENTED, grpc::StatusCode::INTERNAL}) {
        GrpcLoopbackReceiver rx({Reply{code}});
        SelfStats stats;
        OtlpGrpcExporter exporter(Options(rx, &stats));
        auto batch = Batch(1);
        EXPECT_EQ(exporter.Export(batch, Clock::now() + 10s), ExportResult::kFailureNonRetryable)
            << code;
        EXPECT_EQ(rx.requests().size(), 1u) << code;
        EXPECT_EQ(stats.Snapshot().export_retries, 0u) << code;
    }
}

TEST(TelemetryOtlpGrpc, PartialSuccessIsCountedNotRetried) {
    pb::collector::trace::v1::ExportTraceServiceResponse resp;
    resp.mutable_partial_success()->set_rejected_spans(3);
    resp.mutable_partial_success()->set_error_message("3 spans too old");
    Reply ok;
    ok.response = resp.SerializeAsString();
    GrpcLoopbackReceiver rx({ok});
    SelfStats stats;
    OtlpGrpcExporter exporter(Options(rx, &stats));
    auto batch = Batch(5);
    EXPECT_EQ(exporter.Export(batch, Clock::now() + 10s), ExportResult::kSuccess);
    EXPECT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(stats.Snapshot().rejected_by_receiver, 3u);
    EXPECT_EQ(stats.Snapshot().export_retries, 0u);
}

TEST(TelemetryOtlpGrpc, ServerThatNeverAnswersTimesOutAsRetryable) {
    Reply never;
    never.never_answer = true;
    GrpcLoopbackReceiver rx({never, never, never, never, never});
    auto o = Options(rx, nullptr);
    o.timeout = 300ms;
    OtlpGrpcExporter exporter(o);
    auto batch = Batch(2);
    const auto t0 = Clock::now();
    EXPECT_EQ(exporter.Export(batch, Clock::now() + 30s), ExportResult::kFailureRetryable);
    const auto took = Clock::now() - t0;
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, tome::testing::Scaled(1500ms));
    EXPECT_GE(rx.requests().size(), 1u);
}

TEST(TelemetryOtlpGrpc, UnreachableCollectorFailsRetryableWithinTheTimeout) {
    std::string endpoint;
    {
        GrpcLoopbackReceiver gone;  // a port that was just free and now refuses connections
        endpoint = gone.endpoint();
    }
    OtlpGrpcExporterOptions o;
    o.endpoint = endpoint;
    o.initial_backoff = 10ms;
    o.timeout = 500ms;
    SelfStats stats;
    o.stats = &stats;
    OtlpGrpcExporter exporter(o);
    auto batch = Batch(1);
    const auto t0 = Clock::now();
    EXPECT_EQ(exporter.Export(batch, Clock::now() + 30s), ExportResult::kFailureRetryable);
    EXPECT_LT(Clock::now() - t0, tome::testing::Scaled(1500ms));
}

TEST(TelemetryOtlpGrpc, ShutdownDuringExportReturnsPromptly) {
    Reply never;
    never.never_answer = true;
    GrpcLoopbackReceiver rx({never});
    auto o = Options(rx, nullptr);
    o.timeout = 30s;
    OtlpGrpcExporter exporter(o);
    auto batch = Batch(2);
    auto result = std::async(std::launch::async,
                             [&] { return exporter.Export(batch, Clock::now() + 30s); });
    ASSERT_TRUE(rx.WaitForRequests(1, 10s));  // the call is in flight, unanswered
    const auto t0 = Clock::now();
    EXPECT_TRUE(exporter.Shutdown(1s));
    ASSERT_EQ(result.wait_for(5s), std::future_status::ready);
    EXPECT_LT(Clock::now() - t0, 2s);
    EXPECT_EQ(result.get(), ExportResult::kFailureNonRetryable);
    EXPECT_EQ(exporter.Export(batch, Clock::now() + 1s), ExportResult::kFailureNonRetryable);
}

TEST(TelemetryOtlpGrpc, EnvBuiltGrpcPipelineDelivers) {
    GrpcLoopbackReceiver rx;
    SelfStats stats;
    std::map<std::string, std::string, std::less<>> vars{
        {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", rx.endpoint()},
        {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20env"},
        {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
        {"OTEL_TRACES_SAMPLER", "always_on"}};
    auto sdk = BuildTracesSdkFromEnv(
        [&](std::string_view name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        },
        {}, &stats);
    ASSERT_TRUE(sdk.ok()) << sdk.message();
    auto tracer = sdk.value().provider->GetTracer("t");
    for (int i = 0; i < 10; ++i) tracer.StartSpan("e" + std::to_string(i)).End();
    ASSERT_TRUE(sdk.value().provider->ForceFlush(10s));
    std::multiset<std::string> names;
    for (const auto& r : rx.requests()) {
        EXPECT_EQ(r.method, kOtlpGrpcTraceExportMethod);
        EXPECT_EQ(r.authorization, "Bearer env");
        EXPECT_TRUE(r.gzip);
        for (auto& n : SpanNames(r.body)) names.insert(n);
    }
    EXPECT_EQ(names.size(), 10u);
    EXPECT_EQ(stats.Snapshot().spans_exported, 10u);
    EXPECT_TRUE(sdk.value().provider->Shutdown(5s));
}

}  // namespace
}  // namespace tome::telemetry::exporter
