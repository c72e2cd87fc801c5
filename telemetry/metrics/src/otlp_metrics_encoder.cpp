#include "tome/telemetry/metrics/otlp_metrics_encoder.hpp"

#include "wire.hpp"

namespace tome::telemetry::metrics {
namespace {

using detail::Wire;

// Field numbers from opentelemetry/proto common, resource, metrics and collector/metrics.
namespace f {
constexpr std::uint32_t kAnyString = 1, kAnyBool = 2, kAnyInt = 3, kAnyDouble = 4, kAnyArray = 5;
constexpr std::uint32_t kKvKey = 1, kKvValue = 2;
constexpr std::uint32_t kRequestResourceMetrics = 1;
constexpr std::uint32_t kRmResource = 1, kRmScopeMetrics = 2, kRmSchemaUrl = 3;
constexpr std::uint32_t kResourceAttributes = 1;
constexpr std::uint32_t kSmScope = 1, kSmMetrics = 2, kSmSchemaUrl = 3;
constexpr std::uint32_t kScopeName = 1, kScopeVersion = 2;
constexpr std::uint32_t kMetricName = 1, kMetricDescription = 2, kMetricUnit = 3, kGauge = 5,
                        kSum = 7, kHistogram = 9;
constexpr std::uint32_t kDataPoints = 1, kTemporality = 2, kIsMonotonic = 3;
constexpr std::uint32_t kNdpStart = 2, kNdpTime = 3, kNdpAsDouble = 4, kNdpExemplars = 5,
                        kNdpAsInt = 6, kNdpAttributes = 7;
constexpr std::uint32_t kHdpStart = 2, kHdpTime = 3, kHdpCount = 4, kHdpSum = 5,
                        kHdpBucketCounts = 6, kHdpBounds = 7, kHdpExemplars = 8, kHdpAttributes = 9,
                        kHdpMin = 11, kHdpMax = 12;
constexpr std::uint32_t kExTime = 2, kExAsDouble = 3, kExSpanId = 4, kExTraceId = 5;
}  // namespace f

template <class T>
void ArrayItem(Wire& arr, const T& v) {
    Wire item;
    if constexpr (std::is_same_v<T, std::string>)
        item.String(f::kAnyString, v);
    else if constexpr (std::is_same_v<T, bool>)
        item.UInt(f::kAnyBool, v ? 1 : 0);
    else if constexpr (std::is_same_v<T, std::int64_t>)
        item.UInt(f::kAnyInt, static_cast<std::uint64_t>(v));
    else
        item.Double(f::kAnyDouble, v);
    arr.Message(1, item);  // ArrayValue.values
}

Wire AnyValue(const trace::AttributeValue& value) {
    Wire w;
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string>)
                w.String(f::kAnyString, v);
            else if constexpr (std::is_same_v<V, bool>)
                w.UInt(f::kAnyBool, v ? 1 : 0);
            else if constexpr (std::is_same_v<V, std::int64_t>)
                w.UInt(f::kAnyInt, static_cast<std::uint64_t>(v));
            else if constexpr (std::is_same_v<V, double>)
                w.Double(f::kAnyDouble, v);
            else {
                Wire arr;
                for (const auto& e : v) ArrayItem(arr, static_cast<typename V::value_type>(e));
                w.Message(f::kAnyArray, arr);
            }
        },
        value);
    return w;
}

void Attributes(Wire& w, std::uint32_t field, const AttributeSet& attrs) {
    for (const auto& a : attrs) {
        Wire kv;
        kv.String(f::kKvKey, a.key);
        kv.Message(f::kKvValue, AnyValue(a.value));
        w.Message(field, kv);
    }
}

Wire NumberDataPoint(const NumberPoint& p) {
    Wire w;
    Attributes(w, f::kNdpAttributes, p.attributes);
    if (p.start_time_unix_nano != 0) w.Fixed64(f::kNdpStart, p.start_time_unix_nano);
    w.Fixed64(f::kNdpTime, p.time_unix_nano);
    if (p.is_int) {
        w.Fixed64(f::kNdpAsInt, static_cast<std::uint64_t>(p.as_int));  // sfixed64
    } else {
        w.Double(f::kNdpAsDouble, p.as_double);
    }
    return w;
}

Wire ExemplarMessage(const Exemplar& e) {
    Wire w;
    w.Fixed64(f::kExTime, e.time_unix_nano);
    w.Double(f::kExAsDouble, e.value);
    if (e.span_id.IsValid()) {
        w.Bytes(f::kExSpanId,
                std::string_view(reinterpret_cast<const char*>(e.span_id.bytes.data()),
                                 e.span_id.bytes.size()));
        w.Bytes(f::kExTraceId,
                std::string_view(reinterpret_cast<const char*>(e.trace_id.bytes.data()),
                                 e.trace_id.bytes.size()));
    }
    return w;
}

Wire HistogramDataPoint(const HistogramPoint& p) {
    Wire w;
    Attributes(w, f::kHdpAttributes, p.attributes);
    w.Fixed64(f::kHdpStart, p.start_time_unix_nano);
    w.Fixed64(f::kHdpTime, p.time_unix_nano);
    w.Fixed64(f::kHdpCount, p.count);
    w.Double(f::kHdpSum, p.sum);
    w.PackedFixed64(f::kHdpBucketCounts, p.bucket_counts);
    w.PackedFixed64(f::kHdpBounds, p.bounds);
    for (const auto& e : p.exemplars) w.Message(f::kHdpExemplars, ExemplarMessage(e));
    if (p.has_min_max) {
        w.Double(f::kHdpMin, p.min);
        w.Double(f::kHdpMax, p.max);
    }
    return w;
}

Wire MetricMessage(const Metric& m) {
    Wire w;
    w.String(f::kMetricName, m.name);
    if (!m.description.empty()) w.String(f::kMetricDescription, m.description);
    if (!m.unit.empty()) w.String(f::kMetricUnit, m.unit);
    Wire data;
    if (m.type == MetricType::kHistogram) {
        for (const auto& p : m.histogram_points)
            data.Message(f::kDataPoints, HistogramDataPoint(p));
        data.UInt(f::kTemporality, static_cast<std::uint64_t>(m.temporality));
        w.Message(f::kHistogram, data);
    } else {
        for (const auto& p : m.number_points) data.Message(f::kDataPoints, NumberDataPoint(p));
        if (m.type == MetricType::kSum) {
            data.UInt(f::kTemporality, static_cast<std::uint64_t>(m.temporality));
            if (m.is_monotonic) data.UInt(f::kIsMonotonic, 1);
            w.Message(f::kSum, data);
        } else {
            w.Message(f::kGauge, data);
        }
    }
    return w;
}

}  // namespace

std::string EncodeOtlpMetricsProto(const MetricsData& data) {
    Wire rm;
    if (data.resource) {
        Wire res;
        Attributes(res, f::kResourceAttributes, data.resource->attributes());
        rm.Message(f::kRmResource, res);
    }
    for (const auto& sm : data.scope_metrics) {
        Wire s;
        Wire scope;
        if (!sm.scope.name.empty()) scope.String(f::kScopeName, sm.scope.name);
        if (!sm.scope.version.empty()) scope.String(f::kScopeVersion, sm.scope.version);
        s.Message(f::kSmScope, scope);
        for (const auto& m : sm.metrics) s.Message(f::kSmMetrics, MetricMessage(m));
        if (!sm.scope.schema_url.empty()) s.String(f::kSmSchemaUrl, sm.scope.schema_url);
        rm.Message(f::kRmScopeMetrics, s);
    }
    if (data.resource && !data.resource->schema_url().empty())
        rm.String(f::kRmSchemaUrl, data.resource->schema_url());
    Wire request;
    request.Message(f::kRequestResourceMetrics, rm);
    return request.Take();
}

}  // namespace tome::telemetry::metrics
