// OtlpHttpMetricExporter against the loopback receiver (bodies decoded with libprotobuf), and
// the metrics export env config (ReadMetricsEnvConfig / BuildMetricsExportFromEnv).
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <set>

#include "loopback_receiver.hpp"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "tome/telemetry/export/metrics_env_config.hpp"
#include "tome/telemetry/export/otlp_metric_exporter.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackReceiver;
namespace pb = opentelemetry::proto;
using Clock = metrics::MetricExporter::Clock;

metrics::MetricsData Sample() {
    metrics::MetricsData d;
    d.resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("tome")}});
    metrics::ScopeMetrics s;
    s.scope.name = "tome.test";
    metrics::Metric m;
    m.name = "requests";
    m.unit = "{request}";
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

// Every (route, value) pair in a decoded request.
std::multiset<std::pair<std::string, std::int64_t>> Points(const std::string& body) {
    std::multiset<std::pair<std::string, std::int64_t>> out;
    pb::collector::metrics::v1::ExportMetricsServiceRequest req;
    if (!req.ParseFromString(body)) return out;
    for (const auto& rm : req.resource_metrics())
        for (const auto& sm : rm.scope_metrics())
            for (const auto& m : sm.metrics())
                for (const auto& p : m.sum().data_points())
                    out.emplace(p.attributes(0).value().string_value(), p.as_int());
    return out;
}

const std::multiset<std::pair<std::string, std::int64_t>> kExpected = {
    {"/r1", 10}, {"/r2", 20}, {"/r3", 30}};

OtlpHttpTransportOptions To(const LoopbackReceiver& rx) {
    OtlpHttpTransportOptions o;
    o.endpoint = rx.url("/v1/metrics");
    o.initial_backoff = 1ms;
    o.max_backoff = 2ms;
    return o;
}

TEST(OtlpHttpMetricExporter, DefaultEndpointIsV1Metrics) {
    OtlpHttpMetricExporter e(OtlpHttpTransportOptions{});
    EXPECT_EQ(e.options().endpoint, "http://localhost:4318/v1/metrics");
}

TEST(OtlpHttpMetricExporter, PostsProtobufThatDecodes) {
    LoopbackReceiver rx;
    OtlpHttpMetricExporter e(To(rx));
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].target, "/v1/metrics");
    EXPECT_EQ(reqs[0].content_type, "application/x-protobuf");
    pb::collector::metrics::v1::ExportMetricsServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(reqs[0].body));
    ASSERT_EQ(req.resource_metrics_size(), 1);
    EXPECT_EQ(req.resource_metrics(0).scope_metrics(0).scope().name(), "tome.test");
    EXPECT_EQ(req.resource_metrics(0).scope_metrics(0).metrics(0).name(), "requests");
    EXPECT_EQ(Points(reqs[0].body), kExpected);
    EXPECT_EQ(e.stats().exported_points, 3u);
}

TEST(OtlpHttpMetricExporter, TwoUnavailableThenOkDeliversEachPointOnce) {
    LoopbackReceiver rx({{503, "", ""}, {503, "", ""}});
    OtlpHttpMetricExporter e(To(rx));
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(Points(reqs[2].body), kExpected);  // the accepted request: each point once
    EXPECT_EQ(e.stats().exported_points, 3u);
    EXPECT_EQ(e.stats().retries, 2u);
    EXPECT_EQ(e.stats().failures, 0u);
}

TEST(OtlpHttpMetricExporter, GzipBodyInflatesToTheEncodedRequest) {
    LoopbackReceiver rx;
    auto o = To(rx);
    o.compression = OtlpCompression::kGzip;
    OtlpHttpMetricExporter e(o);
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].content_encoding, "gzip");
    std::string plain(1 << 16, '\0');
    uLongf n = plain.size();
    z_stream zs{};
    ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(reqs[0].body.data()));
    zs.avail_in = static_cast<uInt>(reqs[0].body.size());
    zs.next_out = reinterpret_cast<Bytef*>(plain.data());
    zs.avail_out = static_cast<uInt>(n);
    ASSERT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
    plain.resize(zs.total_out);
    inflateEnd(&zs);
    EXPECT_EQ(Points(plain), kExpected);
}

TEST(OtlpHttpMetricExporter, CountsRejectedPointsAndDoesNotRetryThem) {
    pb::collector::metrics::v1::ExportMetricsServiceResponse resp;
    resp.mutable_partial_success()->set_rejected_data_points(2);
    LoopbackReceiver rx({{200, resp.SerializeAsString(), ""}});
    OtlpHttpMetricExporter e(To(rx));
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kSuccess);
    EXPECT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(e.stats().rejected_points, 2u);
    EXPECT_EQ(e.stats().exported_points, 1u);
}

TEST(OtlpHttpMetricExporter, BadRequestFailsAndShutdownRefuses) {
    LoopbackReceiver rx({{400, "", ""}});
    OtlpHttpMetricExporter e(To(rx));
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kFailureNonRetryable);
    EXPECT_TRUE(e.Shutdown(1s));
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kFailureNonRetryable);
    EXPECT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(e.stats().failures, 1u);
}

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

TEST(MetricsEnvConfig, DefaultsAndGenericEndpointGetsV1Metrics) {
    auto d = ReadMetricsEnvConfig(FakeEnv({}));
    ASSERT_TRUE(d.ok()) << d.message();
    EXPECT_EQ(d.value().exporters, std::vector<SignalExporterKind>{SignalExporterKind::kOtlp});
    EXPECT_EQ(d.value().otlp.protocol, OtlpSignalProtocol::kHttpProtobuf);
    EXPECT_EQ(d.value().otlp.http.endpoint, "http://localhost:4318/v1/metrics");
    EXPECT_EQ(d.value().otlp.http.timeout, 10s);
    EXPECT_EQ(d.value().reader.interval, 60s);
    EXPECT_EQ(d.value().reader.timeout, 30s);
    auto g = ReadMetricsEnvConfig(FakeEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/base"},
                                           {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                                           {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
                                           {"OTEL_METRIC_EXPORT_INTERVAL", "1000"},
                                           {"OTEL_METRIC_EXPORT_TIMEOUT", "500"}}));
    ASSERT_TRUE(g.ok()) << g.message();
    EXPECT_EQ(g.value().otlp.http.endpoint, "http://c:4318/base/v1/metrics");
    EXPECT_EQ(g.value().otlp.http.timeout, 2500ms);
    EXPECT_EQ(g.value().otlp.http.compression, OtlpCompression::kGzip);
    EXPECT_EQ(g.value().reader.interval, 1000ms);
    EXPECT_EQ(g.value().reader.timeout, 500ms);
}

TEST(MetricsEnvConfig, MetricsVariablesWinAndAreUsedAsIs) {
    auto s = ReadMetricsEnvConfig(
        FakeEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                 {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "https://m.example:4318"},
                 {"OTEL_EXPORTER_OTLP_HEADERS", "a=1"},
                 {"OTEL_EXPORTER_OTLP_METRICS_HEADERS", "api-key=s%20t"},
                 {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
                 {"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "none"},
                 {"OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE", "/etc/ca.pem"}}));
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(s.value().otlp.http.endpoint, "https://m.example:4318/");  // empty path: "/"
    ASSERT_EQ(s.value().otlp.http.headers.size(), 1u);
    EXPECT_EQ(s.value().otlp.http.headers[0].second, "s t");
    EXPECT_EQ(s.value().otlp.http.compression, OtlpCompression::kNone);
    EXPECT_EQ(s.value().otlp.http.certificate_file, "/etc/ca.pem");
    auto n = ReadMetricsEnvConfig(FakeEnv({{"OTEL_METRICS_EXPORTER", "none"}}));
    ASSERT_TRUE(n.ok());
    EXPECT_TRUE(n.value().exporters.empty());
    auto b = BuildMetricsExportFromEnv(FakeEnv({{"OTEL_METRICS_EXPORTER", "none"}}));
    ASSERT_TRUE(b.ok());
    EXPECT_TRUE(b.value().exporters.empty());
}

TEST(MetricsEnvConfig, ErrorsNameTheVariable) {
    const std::pair<const char*, const char*> bad[] = {
        {"OTEL_METRICS_EXPORTER", "prometheus2"},
        {"OTEL_METRICS_EXPORTER", "console"},
        {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/xml"},
        {"OTEL_EXPORTER_OTLP_PROTOCOL", "udp"},
        {"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "-1"},
        {"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "zstd"},
        {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "c:1"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://c"},
        {"OTEL_EXPORTER_OTLP_METRICS_HEADERS", "novalue"},
    };
    for (const auto& [var, value] : bad) {
        auto r = ReadMetricsEnvConfig(FakeEnv({{var, value}}));
        ASSERT_FALSE(r.ok()) << var << "=" << value;
        EXPECT_NE(r.message().find(var), std::string::npos) << r.message();
    }
    auto w = ReadMetricsEnvConfig(FakeEnv({{"OTEL_METRIC_EXPORT_INTERVAL", "soon"}}));
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w.value().reader.interval, 60s);
    ASSERT_FALSE(w.value().warnings.empty());
    EXPECT_NE(w.value().warnings[0].find("OTEL_METRIC_EXPORT_INTERVAL"), std::string::npos);
}

TEST(MetricsEnvConfig, BuildsAnHttpExporterThatReachesTheEndpoint) {
    LoopbackReceiver rx;
    auto b = BuildMetricsExportFromEnv(
        FakeEnv({{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", rx.url("/custom/metrics")}}));
    ASSERT_TRUE(b.ok()) << b.message();
    ASSERT_EQ(b.value().exporters.size(), 1u);
    EXPECT_EQ(b.value().exporters[0]->Export(Sample(), Clock::now() + 10s),
              metrics::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].target, "/custom/metrics");
    EXPECT_EQ(Points(reqs[0].body), kExpected);
}

}  // namespace
}  // namespace tome::telemetry::exporter
