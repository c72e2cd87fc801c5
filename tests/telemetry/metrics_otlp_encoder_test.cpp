// The hand-written OTLP metrics encoder, decoded with libprotobuf (generated from proto/).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "metrics_test_util.hpp"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "tome/telemetry/metrics/otlp_metrics_encoder.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::metrics {
namespace {

namespace pb = opentelemetry::proto::metrics::v1;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using testing::TestMetrics;

const pb::Metric* FindMetric(const ExportMetricsServiceRequest& req, const std::string& name) {
    for (const auto& rm : req.resource_metrics())
        for (const auto& sm : rm.scope_metrics())
            for (const auto& m : sm.metrics())
                if (m.name() == name) return &m;
    return nullptr;
}

TEST(OtlpMetricsEncoder, DecodesWithLibprotobuf) {
    TestMetrics t;
    auto c = t.meter.CreateCounter<std::uint64_t>("requests",
                                                  {.description = "reqs", .unit = "{request}"});
    auto u = t.meter.CreateUpDownCounter<double>("queue");
    auto g = t.meter.CreateGauge<std::int64_t>("temp");
    auto h =
        t.meter.CreateHistogram<double>("latency", {.unit = "ms", .histogram_boundaries = {1, 10}});
    c.instrument.Add(3, {{"route", "/a"}, {"code", 200}, {"ok", true}, {"ratio", 0.5}});
    u.instrument.Add(-1.5);
    g.instrument.Record(-40);
    trace::SpanContext sc{GenerateTraceId(), GenerateSpanId(), trace::kTraceFlagSampled, {}, false};
    {
        trace::Scope scope(trace::Context{}.WithSpanContext(sc));
        h.instrument.Record(5);
    }
    h.instrument.Record(50);
    const MetricsData data = t.Collect();
    const std::string bytes = EncodeOtlpMetricsProto(data);

    ExportMetricsServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(bytes));
    ASSERT_EQ(req.resource_metrics_size(), 1);
    const auto& rm = req.resource_metrics(0);
    ASSERT_EQ(rm.resource().attributes_size(), 1);
    EXPECT_EQ(rm.resource().attributes(0).key(), "service.name");
    EXPECT_EQ(rm.resource().attributes(0).value().string_value(), "tome-test");
    ASSERT_EQ(rm.scope_metrics_size(), 1);
    EXPECT_EQ(rm.scope_metrics(0).scope().name(), "tome.test");
    EXPECT_EQ(rm.scope_metrics(0).scope().version(), "1.2.3");

    const pb::Metric* m = FindMetric(req, "requests");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->description(), "reqs");
    EXPECT_EQ(m->unit(), "{request}");
    ASSERT_TRUE(m->has_sum());
    EXPECT_TRUE(m->sum().is_monotonic());
    EXPECT_EQ(m->sum().aggregation_temporality(), pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
    ASSERT_EQ(m->sum().data_points_size(), 1);
    const auto& np = m->sum().data_points(0);
    EXPECT_EQ(np.as_int(), 3);
    EXPECT_EQ(np.attributes_size(), 4);
    EXPECT_EQ(np.start_time_unix_nano(), 1'000'000'000u);
    EXPECT_EQ(np.time_unix_nano(), 2'000'000'000u);
    for (const auto& kv : np.attributes()) {
        if (kv.key() == "code") {
            EXPECT_EQ(kv.value().int_value(), 200);
        }
        if (kv.key() == "ok") {
            EXPECT_TRUE(kv.value().bool_value());
        }
        if (kv.key() == "ratio") {
            EXPECT_DOUBLE_EQ(kv.value().double_value(), 0.5);
        }
        if (kv.key() == "route") {
            EXPECT_EQ(kv.value().string_value(), "/a");
        }
    }

    const pb::Metric* q = FindMetric(req, "queue");
    ASSERT_NE(q, nullptr);
    EXPECT_FALSE(q->sum().is_monotonic());
    EXPECT_DOUBLE_EQ(q->sum().data_points(0).as_double(), -1.5);

    const pb::Metric* temp = FindMetric(req, "temp");
    ASSERT_NE(temp, nullptr);
    ASSERT_TRUE(temp->has_gauge());
    EXPECT_EQ(temp->gauge().data_points(0).as_int(), -40);  // sfixed64 keeps the sign

    const pb::Metric* lat = FindMetric(req, "latency");
    ASSERT_NE(lat, nullptr);
    ASSERT_TRUE(lat->has_histogram());
    EXPECT_EQ(lat->histogram().aggregation_temporality(), pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
    const auto& hp = lat->histogram().data_points(0);
    EXPECT_EQ(hp.count(), 2u);
    EXPECT_DOUBLE_EQ(hp.sum(), 55);
    EXPECT_TRUE(hp.has_min());
    EXPECT_DOUBLE_EQ(hp.min(), 5);
    EXPECT_DOUBLE_EQ(hp.max(), 50);
    ASSERT_EQ(hp.explicit_bounds_size(), 2);
    EXPECT_DOUBLE_EQ(hp.explicit_bounds(1), 10);
    ASSERT_EQ(hp.bucket_counts_size(), 3);
    EXPECT_EQ(hp.bucket_counts(0), 0u);
    EXPECT_EQ(hp.bucket_counts(1), 1u);
    EXPECT_EQ(hp.bucket_counts(2), 1u);
    ASSERT_EQ(hp.exemplars_size(), 1);
    EXPECT_DOUBLE_EQ(hp.exemplars(0).as_double(), 5);
    EXPECT_EQ(hp.exemplars(0).trace_id(),
              std::string(reinterpret_cast<const char*>(sc.trace_id.bytes.data()), 16));
    EXPECT_EQ(hp.exemplars(0).span_id(),
              std::string(reinterpret_cast<const char*>(sc.span_id.bytes.data()), 8));
}

TEST(OtlpMetricsEncoder, StringsThatAreNotUtf8ArriveWithReplacementCharacters) {
    const std::string r = "\xEF\xBF\xBD";  // U+FFFD
    MetricsData d;
    d.resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("svc\xFE")}});
    ScopeMetrics sm;
    sm.scope.name = "tome\xFF";
    Metric m;
    m.name = "requests";
    m.description = "help \xC3";
    m.unit = "{req\xFF}";
    m.type = MetricType::kGauge;
    NumberPoint p;
    p.attributes = {{"url.path", std::string("/api/tomes/\xFF\xFE")},
                    {"k\xED\xA0\x80", std::vector<std::string>{"\xF0\x9F\x98"}}};
    p.is_int = true;
    p.as_int = 1;
    m.number_points.push_back(p);
    sm.metrics.push_back(m);
    d.scope_metrics.push_back(sm);

    ExportMetricsServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(EncodeOtlpMetricsProto(d)));  // refuses strings not UTF-8
    EXPECT_EQ(req.resource_metrics(0).resource().attributes(0).value().string_value(), "svc" + r);
    EXPECT_EQ(req.resource_metrics(0).scope_metrics(0).scope().name(), "tome" + r);
    const pb::Metric* got = FindMetric(req, "requests");
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->description(), "help " + r);
    EXPECT_EQ(got->unit(), "{req" + r + "}");
    const auto& dp = got->gauge().data_points(0);
    EXPECT_EQ(dp.attributes(0).value().string_value(), "/api/tomes/" + r + r);
    EXPECT_EQ(dp.attributes(1).key(), "k" + r + r + r);
    EXPECT_EQ(dp.attributes(1).value().array_value().values(0).string_value(), r);

    const auto j = nlohmann::json::parse(EncodeOtlpMetricsJson(d));  // throws on invalid UTF-8
    EXPECT_EQ(j["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["description"], "help " + r);
}

TEST(OtlpMetricsEncoder, DeltaTemporalityAndEmptySnapshot) {
    TestMetrics t({}, TemporalityPreference::kDelta);
    t.meter.CreateCounter<double>("c").instrument.Add(1.25);
    ExportMetricsServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(EncodeOtlpMetricsProto(t.Collect())));
    const pb::Metric* m = FindMetric(req, "c");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->sum().aggregation_temporality(), pb::AGGREGATION_TEMPORALITY_DELTA);
    EXPECT_DOUBLE_EQ(m->sum().data_points(0).as_double(), 1.25);

    ExportMetricsServiceRequest empty;
    ASSERT_TRUE(empty.ParseFromString(EncodeOtlpMetricsProto(t.Collect())));
    ASSERT_EQ(empty.resource_metrics_size(), 1);
    EXPECT_EQ(empty.resource_metrics(0).scope_metrics_size(), 0);
}

}  // namespace
}  // namespace tome::telemetry::metrics
