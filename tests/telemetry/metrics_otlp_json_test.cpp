// EncodeOtlpMetricsJson: an exact golden request for a hand-built snapshot (hex ids, 64-bit
// integers as strings, enums as integers), and, for a snapshot of the real SDK, the JSON parsed
// by libprotobuf equals the protobuf encoding of the same snapshot.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metrics_test_util.hpp"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "otlp_json_test_util.hpp"
#include "tome/telemetry/metrics/otlp_metrics_encoder.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::metrics {
namespace {

using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using telemetry::testing::ParseOtlpJson;
using telemetry::testing::ProtoDiff;
using testing::TestMetrics;

MetricsData HandBuilt() {
    MetricsData d;
    d.resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("svc")},
                                      {"ports", std::vector<std::int64_t>{80, 443}}},
        "https://schema/r");
    ScopeMetrics s;
    s.scope = {"tome.test", "1.0", "https://schema/s"};

    Metric sum;
    sum.name = "requests";
    sum.description = "Requests \"handled\"";
    sum.unit = "{request}";
    sum.type = MetricType::kSum;
    sum.is_monotonic = true;
    NumberPoint np;
    np.attributes = {{"ok", true}, {"route", std::string("/a")}};
    np.start_time_unix_nano = 1'700'000'000'000'000'001;
    np.time_unix_nano = 1'700'000'000'000'000'002;
    np.is_int = true;
    np.as_int = 9'007'199'254'740'993;  // 2^53 + 1: only exact as a string
    sum.number_points.push_back(np);
    s.metrics.push_back(sum);

    Metric gauge;
    gauge.name = "temperature";
    gauge.type = MetricType::kGauge;
    gauge.temporality = AggregationTemporality::kUnspecified;
    NumberPoint gp;
    gp.time_unix_nano = 5;
    gp.as_double = -3.25;
    gauge.number_points.push_back(gp);
    s.metrics.push_back(gauge);

    Metric hist;
    hist.name = "latency";
    hist.unit = "ms";
    hist.type = MetricType::kHistogram;
    hist.temporality = AggregationTemporality::kDelta;
    HistogramPoint hp;
    hp.start_time_unix_nano = 10;
    hp.time_unix_nano = 20;
    hp.count = 3;
    hp.sum = 4.5;
    hp.has_min_max = true;
    hp.min = 0.5;
    hp.max = 3;
    hp.bounds = {1, 2.5};
    hp.bucket_counts = {1, 0, 2};
    Exemplar ex;
    ex.time_unix_nano = 15;
    ex.value = 3;
    ex.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    ex.span_id = *SpanId::FromHex("00f067aa0ba902b7");
    hp.exemplars.push_back(ex);
    Exemplar outside;  // recorded outside a span: no ids
    outside.time_unix_nano = 16;
    outside.value = 0.5;
    hp.exemplars.push_back(outside);
    hist.histogram_points.push_back(hp);
    s.metrics.push_back(hist);

    d.scope_metrics.push_back(std::move(s));
    return d;
}

TEST(OtlpMetricsJsonEncoder, MatchesTheGoldenRequest) {
    const std::string expected =
        R"({"resourceMetrics":[{"resource":{"attributes":[)"
        R"({"key":"service.name","value":{"stringValue":"svc"}},)"
        R"({"key":"ports","value":{"arrayValue":{"values":[{"intValue":"80"},{"intValue":"443"}]}}}]},)"
        R"("scopeMetrics":[{"scope":{"name":"tome.test","version":"1.0"},"metrics":[)"
        R"({"name":"requests","description":"Requests \"handled\"","unit":"{request}",)"
        R"("sum":{"dataPoints":[{"attributes":[{"key":"ok","value":{"boolValue":true}},)"
        R"({"key":"route","value":{"stringValue":"/a"}}],)"
        R"("startTimeUnixNano":"1700000000000000001","timeUnixNano":"1700000000000000002",)"
        R"("asInt":"9007199254740993"}],"aggregationTemporality":2,"isMonotonic":true}},)"
        R"({"name":"temperature","gauge":{"dataPoints":[{"attributes":[],)"
        R"("timeUnixNano":"5","asDouble":-3.25}]}},)"
        R"({"name":"latency","unit":"ms","histogram":{"dataPoints":[{"attributes":[],)"
        R"("startTimeUnixNano":"10","timeUnixNano":"20","count":"3","sum":4.5,)"
        R"("bucketCounts":["1","0","2"],"explicitBounds":[1,2.5],"exemplars":[)"
        R"({"timeUnixNano":"15","asDouble":3,"spanId":"00f067aa0ba902b7",)"
        R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736"},)"
        R"({"timeUnixNano":"16","asDouble":0.5}],"min":0.5,"max":3}],)"
        R"("aggregationTemporality":1}}],"schemaUrl":"https://schema/s"}],)"
        R"("schemaUrl":"https://schema/r"}]})";
    EXPECT_EQ(EncodeOtlpMetricsJson(HandBuilt()), expected);
}

TEST(OtlpMetricsJsonEncoder, HandBuiltSnapshotParsesToTheProtobufRequest) {
    const MetricsData data = HandBuilt();
    ExportMetricsServiceRequest from_proto, from_json;
    ASSERT_TRUE(from_proto.ParseFromString(EncodeOtlpMetricsProto(data)));
    ASSERT_EQ(ParseOtlpJson(EncodeOtlpMetricsJson(data), from_json), "");
    EXPECT_EQ(ProtoDiff(from_proto, from_json), "");
    const auto& requests = from_json.resource_metrics(0).scope_metrics(0).metrics(0);
    EXPECT_EQ(requests.sum().data_points(0).as_int(), 9'007'199'254'740'993);
}

TEST(OtlpMetricsJsonEncoder, SdkSnapshotParsesToTheProtobufRequest) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<std::uint64_t>("requests", {.unit = "{request}"});
    auto u = t.meter.CreateUpDownCounter<double>("queue");
    auto g = t.meter.CreateGauge<std::int64_t>("temp");
    auto h = t.meter.CreateHistogram<double>("latency", {.histogram_boundaries = {1, 10}});
    c.instrument.Add(3, {{"route", "/a"}, {"code", 200}, {"ratio", 0.5}});
    u.instrument.Add(-1.5);
    g.instrument.Record(-40);
    trace::SpanContext sc{GenerateTraceId(), GenerateSpanId(), trace::kTraceFlagSampled, {}, false};
    {
        trace::Scope scope(trace::Context{}.WithSpanContext(sc));
        h.instrument.Record(5);
    }
    h.instrument.Record(50);
    const MetricsData data = t.Collect();
    const std::string json = EncodeOtlpMetricsJson(data);
    EXPECT_NE(json.find("\"traceId\":\"" + sc.trace_id.ToHex() + "\""), std::string::npos);
    EXPECT_NE(json.find("\"asInt\":\"-40\""), std::string::npos);
    ExportMetricsServiceRequest from_proto, from_json;
    ASSERT_TRUE(from_proto.ParseFromString(EncodeOtlpMetricsProto(data)));
    ASSERT_EQ(ParseOtlpJson(json, from_json), "") << json;
    EXPECT_EQ(ProtoDiff(from_proto, from_json), "");
}

TEST(OtlpMetricsJsonEncoder, EmptySnapshotAndNonFiniteValues) {
    MetricsData empty;
    EXPECT_EQ(EncodeOtlpMetricsJson(empty), R"({"resourceMetrics":[{"scopeMetrics":[]}]})");

    MetricsData d = HandBuilt();
    d.scope_metrics[0].metrics[1].number_points[0].as_double =
        std::numeric_limits<double>::infinity();
    const std::string json = EncodeOtlpMetricsJson(d);
    EXPECT_NE(json.find(R"("asDouble":"Infinity")"), std::string::npos);  // proto3 JSON form
    ExportMetricsServiceRequest from_json;
    ASSERT_EQ(ParseOtlpJson(json, from_json), "");
    const auto& gauge = from_json.resource_metrics(0).scope_metrics(0).metrics(1).gauge();
    EXPECT_TRUE(std::isinf(gauge.data_points(0).as_double()));
}

}  // namespace
}  // namespace tome::telemetry::metrics
