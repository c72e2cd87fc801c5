// The hand-written OTLP metrics encoder, decoded with libprotobuf (generated from proto/).
#include <gtest/gtest.h>

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
