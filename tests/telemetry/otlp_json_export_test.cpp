// OTLP/HTTP JSON for metrics and logs: the exporters send application/json that parses to the
// same request as their protobuf form, count partialSuccess from JSON responses, and the env
// readers accept http/json (generic and per-signal PROTOCOL). DecodeOtlpRejectedCountJson as a
// table.
#include <gtest/gtest.h>

#include <map>

#include "loopback_receiver.hpp"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "otlp_json_test_util.hpp"
#include "tome/telemetry/export/logs_env_config.hpp"
#include "tome/telemetry/export/metrics_env_config.hpp"
#include "tome/telemetry/export/otlp_metric_exporter.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"
#include "tome/telemetry/metrics/otlp_metrics_encoder.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using telemetry::testing::LoopbackReceiver;
using telemetry::testing::ParseOtlpJson;
using telemetry::testing::ProtoDiff;
using MetricsRequest = opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using LogsRequest = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

metrics::MetricsData Snapshot() {
    metrics::MetricsData d;
    d.resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("tome")}});
    metrics::ScopeMetrics s;
    s.scope.name = "tome.test";
    metrics::Metric m;
    m.name = "requests";
    m.is_monotonic = true;
    for (std::int64_t i = 1; i <= 3; ++i) {
        metrics::NumberPoint p;
        p.attributes = {{"route", "/r" + std::to_string(i)}};
        p.is_int = true;
        p.as_int = i * 10;
        p.time_unix_nano = 100;
        m.number_points.push_back(p);
    }
    s.metrics.push_back(std::move(m));
    d.scope_metrics.push_back(std::move(s));
    return d;
}

std::vector<std::unique_ptr<logs::LogRecord>> LogBatch() {
    auto resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("tome")}});
    auto scope = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"tome.logs", "1", ""});
    std::vector<std::unique_ptr<logs::LogRecord>> out;
    for (int i = 1; i <= 3; ++i) {
        auto r = std::make_unique<logs::LogRecord>();
        r->body = "record-" + std::to_string(i);
        r->severity = logs::Severity::kWarn;
        r->time_unix_nano = 1'000 + static_cast<std::uint64_t>(i);
        r->trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
        r->span_id = *SpanId::FromHex("00f067aa0ba902b7");
        r->resource = resource;
        r->scope = scope;
        out.push_back(std::move(r));
    }
    return out;
}

OtlpHttpTransportOptions To(const LoopbackReceiver& rx, const std::string& path) {
    OtlpHttpTransportOptions o;
    o.endpoint = rx.url(path);
    o.initial_backoff = 1ms;
    o.max_backoff = 2ms;
    return o;
}

logs::OtlpHttpLogExporterOptions LogOptions(const LoopbackReceiver& rx) {
    logs::OtlpHttpLogExporterOptions o;
    o.endpoint = rx.url("/v1/logs");
    o.protocol = OtlpProtocol::kHttpJson;
    o.initial_backoff = 1ms;
    o.max_backoff = 2ms;
    return o;
}

TEST(OtlpHttpMetricExporterJson, PostsJsonThatParsesToTheProtobufRequest) {
    LoopbackReceiver rx;
    OtlpHttpMetricExporter e(To(rx, "/v1/metrics"), OtlpProtocol::kHttpJson);
    EXPECT_EQ(e.protocol(), OtlpProtocol::kHttpJson);
    const metrics::MetricsData data = Snapshot();
    EXPECT_EQ(e.Export(data, metrics::MetricExporter::Clock::now() + 10s),
              metrics::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].target, "/v1/metrics");
    EXPECT_EQ(reqs[0].content_type, "application/json");
    EXPECT_EQ(reqs[0].body, metrics::EncodeOtlpMetricsJson(data));
    MetricsRequest from_json, from_proto;
    ASSERT_EQ(ParseOtlpJson(reqs[0].body, from_json), "");
    ASSERT_TRUE(from_proto.ParseFromString(metrics::EncodeOtlpMetricsProto(data)));
    EXPECT_EQ(ProtoDiff(from_proto, from_json), "");
    EXPECT_EQ(e.stats().exported_points, 3u);
}

TEST(OtlpHttpMetricExporterJson, CountsRejectedPointsFromAJsonResponse) {
    LoopbackReceiver rx(
        {{200, R"({"partialSuccess":{"rejectedDataPoints":"2","errorMessage":"too old"}})", ""}});
    OtlpHttpMetricExporter e(To(rx, "/v1/metrics"), OtlpProtocol::kHttpJson);
    EXPECT_EQ(e.Export(Snapshot(), metrics::MetricExporter::Clock::now() + 10s),
              metrics::ExportResult::kSuccess);
    EXPECT_EQ(rx.requests().size(), 1u);  // partial success is never retried
    EXPECT_EQ(e.stats().rejected_points, 2u);
    EXPECT_EQ(e.stats().exported_points, 1u);
}

TEST(OtlpHttpLogExporterJson, PostsJsonAndCountsRejectedRecords) {
    LoopbackReceiver rx({{200, R"({"partialSuccess":{"rejectedLogRecords":1}})", ""}});
    logs::OtlpHttpLogExporter e(LogOptions(rx));
    const auto batch = LogBatch();
    EXPECT_EQ(e.Export(batch, logs::LogExporter::Clock::now() + 10s), logs::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].content_type, "application/json");
    EXPECT_NE(reqs[0].body.find(R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736")"),
              std::string::npos);
    EXPECT_NE(reqs[0].body.find(R"("severityNumber":13)"), std::string::npos);
    std::string bytes;
    logs::EncodeOtlpLogs(batch, bytes);
    LogsRequest from_json, from_proto;
    ASSERT_EQ(ParseOtlpJson(reqs[0].body, from_json), "");
    ASSERT_TRUE(from_proto.ParseFromString(bytes));
    EXPECT_EQ(ProtoDiff(from_proto, from_json), "");
    EXPECT_EQ(e.stats().rejected, 1u);
    EXPECT_EQ(e.stats().exported, 2u);
}

TEST(OtlpHttpLogExporterJson, RetriesUnavailableThenDeliversOnce) {
    LoopbackReceiver rx({{503, "", "0"}});
    logs::OtlpHttpLogExporter e(LogOptions(rx));
    EXPECT_EQ(e.Export(LogBatch(), logs::LogExporter::Clock::now() + 10s),
              logs::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[0].body, reqs[1].body);
    EXPECT_EQ(e.stats().retries, 1u);
    EXPECT_EQ(e.stats().exported, 3u);
}

TEST(OtlpJsonEnv, MetricsAcceptHttpJsonAndBuildAJsonExporter) {
    for (const char* var : {"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"}) {
        auto c = ReadMetricsEnvConfig(FakeEnv({{var, "http/json"}}));
        ASSERT_TRUE(c.ok()) << var << ": " << c.message();
        EXPECT_EQ(c.value().otlp.protocol, OtlpSignalProtocol::kHttpJson);
        EXPECT_EQ(c.value().otlp.http.endpoint, "http://localhost:4318/v1/metrics");
    }
    LoopbackReceiver rx;
    auto b = BuildMetricsExportFromEnv(
        FakeEnv({{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
                 {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json"},
                 {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", rx.url("/v1/metrics")}}));
    ASSERT_TRUE(b.ok()) << b.message();
    ASSERT_EQ(b.value().exporters.size(), 1u);
    EXPECT_EQ(b.value().exporters[0]->Export(Snapshot(),
                                             metrics::MetricExporter::Clock::now() + 10s),
              metrics::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].content_type, "application/json");
}

TEST(OtlpJsonEnv, LogsAcceptHttpJsonAndBuildAJsonExporter) {
    for (const char* var : {"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL"}) {
        auto c = ReadLogsEnvConfig(FakeEnv({{var, "http/json"}}));
        ASSERT_TRUE(c.ok()) << var << ": " << c.message();
        EXPECT_EQ(c.value().otlp.protocol, OtlpSignalProtocol::kHttpJson);
        auto o = logs::ReadOtlpHttpLogExporterOptions(FakeEnv({{var, "http/json"}}));
        ASSERT_TRUE(o.ok()) << var << ": " << o.message();
        EXPECT_EQ(o.value().protocol, OtlpProtocol::kHttpJson);
    }
    auto p = logs::ReadOtlpHttpLogExporterOptions(FakeEnv({}));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.value().protocol, OtlpProtocol::kHttpProtobuf);

    LoopbackReceiver rx;
    auto b = BuildLogsExportFromEnv(FakeEnv({{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
                                             {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                                              rx.url("/v1/logs")}}));
    ASSERT_TRUE(b.ok()) << b.message();
    ASSERT_EQ(b.value().exporters.size(), 1u);
    auto* e = dynamic_cast<logs::OtlpHttpLogExporter*>(b.value().exporters[0].get());
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->options().protocol, OtlpProtocol::kHttpJson);
    EXPECT_EQ(e->Export(LogBatch(), logs::LogExporter::Clock::now() + 10s),
              logs::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].content_type, "application/json");
}

TEST(DecodeOtlpRejectedCountJson, ReadsEveryResponseShape) {
    const std::pair<const char*, std::uint64_t> cases[] = {
        {R"({"partialSuccess":{"rejectedDataPoints":"2"}})", 2},
        {R"({"partialSuccess":{"rejectedLogRecords":7,"errorMessage":"x"}})", 7},
        {R"({"partialSuccess":{"errorMessage":"a \"quoted\" {brace}","rejectedSpans":"3"}})", 3},
        {R"( { "other" : [1, {"a": null}, "s"], "partialSuccess" : { "rejectedSpans" : 4 } } )", 4},
        {R"({"partial_success":{"rejected_data_points":"5"}})", 5},
        {R"({"partialSuccess":{"rejectedDataPoints":"18446744073709551615"}})",
         18446744073709551615ull},
        {R"({"partialSuccess":null})", 0},
        {R"({"partialSuccess":{}})", 0},
        {R"({})", 0},
        {"", 0},
        {R"({"partialSuccess":{"rejectedDataPoints":"-1"}})", 0},
        {R"({"partialSuccess":{"rejectedDataPoints":"2x"}})", 0},
        {R"({"partialSuccess":{"rejectedDataPoints":)", 0},
        {R"({"errorMessage":"partialSuccess","x":1})", 0},
        {"\x0a\x02\x08\x03", 0},  // a protobuf body
    };
    for (const auto& [body, want] : cases) {
        EXPECT_EQ(DecodeOtlpRejectedCountJson(body), want) << body;
    }
    std::string deep(200, '[');
    EXPECT_EQ(DecodeOtlpRejectedCountJson(R"({"x":)" + deep), 0u);
}

}  // namespace
}  // namespace tome::telemetry::exporter
