// OtlpGrpcMetricExporter against the in-suite gRPC receiver (TOME_WITH_GRPC builds only):
// method, libprotobuf decoding, UNAVAILABLE twice then OK, gzip, and gRPC env selection.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "grpc_loopback_receiver.hpp"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "tome/telemetry/export/metrics_env_config.hpp"
#include "tome/telemetry/export/otlp_metric_exporter.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::GrpcLoopbackReceiver;
namespace pb = opentelemetry::proto;
using Clock = metrics::MetricExporter::Clock;

metrics::MetricsData Sample() {
    metrics::MetricsData d;
    d.resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("tome")}});
    metrics::ScopeMetrics s;
    s.scope.name = "tome.grpc";
    metrics::Metric m;
    m.name = "latency";
    m.type = metrics::MetricType::kHistogram;
    for (int i = 1; i <= 2; ++i) {
        metrics::HistogramPoint p;
        p.attributes = {{"shard", std::int64_t{i}}};
        p.count = static_cast<std::uint64_t>(i);
        p.sum = i * 1.5;
        p.bounds = {1.0};
        p.bucket_counts = {0, static_cast<std::uint64_t>(i)};
        m.histogram_points.push_back(p);
    }
    s.metrics.push_back(std::move(m));
    d.scope_metrics.push_back(std::move(s));
    return d;
}

std::multiset<std::pair<std::int64_t, std::uint64_t>> Points(const std::string& body) {
    std::multiset<std::pair<std::int64_t, std::uint64_t>> out;
    pb::collector::metrics::v1::ExportMetricsServiceRequest req;
    if (!req.ParseFromString(body)) return out;
    for (const auto& rm : req.resource_metrics())
        for (const auto& sm : rm.scope_metrics())
            for (const auto& m : sm.metrics())
                for (const auto& p : m.histogram().data_points())
                    out.emplace(p.attributes(0).value().int_value(), p.count());
    return out;
}

const std::multiset<std::pair<std::int64_t, std::uint64_t>> kExpected = {{1, 1}, {2, 2}};

OtlpGrpcTransportOptions To(const GrpcLoopbackReceiver& rx) {
    OtlpGrpcTransportOptions o;
    o.endpoint = rx.endpoint();
    o.headers = {{"authorization", "Bearer m"}};
    o.initial_backoff = 1ms;
    o.max_backoff = 2ms;
    return o;
}

TEST(OtlpGrpcMetricExporter, CallsMetricsServiceExportWithDecodableRequest) {
    GrpcLoopbackReceiver rx;
    ASSERT_TRUE(rx.ok());
    OtlpGrpcMetricExporter e(To(rx));
    ASSERT_EQ(e.setup_error(), "");
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export");
    EXPECT_EQ(reqs[0].authorization, "Bearer m");
    EXPECT_TRUE(reqs[0].has_deadline);
    EXPECT_FALSE(reqs[0].gzip);
    EXPECT_EQ(Points(reqs[0].body), kExpected);
    EXPECT_EQ(e.stats().exported_points, 2u);
}

TEST(OtlpGrpcMetricExporter, TwoUnavailableThenOkDeliversEachPointOnce) {
    GrpcLoopbackReceiver rx({{grpc::StatusCode::UNAVAILABLE, "", "", false},
                             {grpc::StatusCode::UNAVAILABLE, "", "", false}});
    OtlpGrpcMetricExporter e(To(rx));
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(Points(reqs[2].body), kExpected);
    EXPECT_EQ(e.stats().retries, 2u);
    EXPECT_EQ(e.stats().exported_points, 2u);
}

TEST(OtlpGrpcMetricExporter, GzipsTheMessageAndRefusesNonRetryableCodes) {
    GrpcLoopbackReceiver rx({{grpc::StatusCode::OK, "", "", false},
                             {grpc::StatusCode::INVALID_ARGUMENT, "", "", false}});
    auto o = To(rx);
    o.compression = OtlpCompression::kGzip;
    OtlpGrpcMetricExporter e(o);
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kSuccess);
    EXPECT_EQ(e.Export(Sample(), Clock::now() + 10s), metrics::ExportResult::kFailureNonRetryable);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_TRUE(reqs[0].gzip);
    EXPECT_EQ(Points(reqs[0].body), kExpected);
}

TEST(OtlpGrpcMetricExporter, EnvSelectsGrpcWithTheEndpointAsIs) {
    GrpcLoopbackReceiver rx;
    std::map<std::string, std::string> vars = {{"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc"},
                                               {"OTEL_EXPORTER_OTLP_ENDPOINT", rx.endpoint()}};
    const EnvLookup env = [&](std::string_view n) -> std::optional<std::string> {
        auto it = vars.find(std::string(n));
        return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    auto c = ReadMetricsEnvConfig(env);
    ASSERT_TRUE(c.ok()) << c.message();
    EXPECT_EQ(c.value().otlp.protocol, OtlpSignalProtocol::kGrpc);
    EXPECT_EQ(c.value().otlp.grpc.endpoint, rx.endpoint());
    auto b = BuildMetricsExportFromEnv(env);
    ASSERT_TRUE(b.ok()) << b.message();
    ASSERT_EQ(b.value().exporters.size(), 1u);
    EXPECT_EQ(b.value().exporters[0]->Export(Sample(), Clock::now() + 10s),
              metrics::ExportResult::kSuccess);
    ASSERT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(Points(rx.requests()[0].body), kExpected);
    vars["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://h:1/with/path";
    auto bad = ReadMetricsEnvConfig(env);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.message().find("OTEL_EXPORTER_OTLP_ENDPOINT"), std::string::npos);
}

}  // namespace
}  // namespace tome::telemetry::exporter
