// The OTLP/JSON twin of otlp_metrics_encoder.cpp: the same ExportMetricsServiceRequest, field
// for field and in the same order, written as OTLP/JSON (lowerCamelCase names, 64-bit integers
// as decimal strings, enums as integers, trace/span ids as hex). Fields the protobuf encoder
// leaves out are left out here too, so both decode to equal messages.
#include "tome/telemetry/metrics/otlp_metrics_encoder.hpp"

#include "tome/telemetry/api/json_writer.hpp"

namespace tome::telemetry::metrics {
namespace {

// One element of an ArrayValue.values; the attribute model has homogeneous scalar arrays.
template <class T>
void ArrayItem(std::string& out, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
        out += "{\"stringValue\":";
        json::String(out, v);
    } else if constexpr (std::is_same_v<T, bool>) {
        out += "{\"boolValue\":";
        json::Bool(out, v);
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        out += "{\"intValue\":";
        json::QuotedInteger(out, v);
    } else {
        out += "{\"doubleValue\":";
        json::Double(out, v);
    }
    out.push_back('}');
}

void AnyValue(std::string& out, const trace::AttributeValue& value) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string> || std::is_same_v<V, bool> ||
                          std::is_same_v<V, std::int64_t> || std::is_same_v<V, double>) {
                ArrayItem(out, v);
            } else {
                out += "{\"arrayValue\":{\"values\":[";
                bool first = true;
                for (const auto& e : v) {
                    if (!first) out.push_back(',');
                    first = false;
                    ArrayItem(out, static_cast<typename V::value_type>(e));
                }
                out += "]}}";
            }
        },
        value);
}

// `"<name>":[{"key":...,"value":{...}},...]`
void Attributes(std::string& out, std::string_view name, const AttributeSet& attrs) {
    json::Key(out, name);
    out.push_back('[');
    bool first = true;
    for (const auto& a : attrs) {
        if (!first) out.push_back(',');
        first = false;
        out += "{\"key\":";
        json::String(out, a.key);
        out += ",\"value\":";
        AnyValue(out, a.value);
        out.push_back('}');
    }
    out.push_back(']');
}

void NumberDataPoint(std::string& out, const NumberPoint& p) {
    out.push_back('{');
    Attributes(out, "attributes", p.attributes);
    if (p.start_time_unix_nano != 0) {
        out += ",\"startTimeUnixNano\":";
        json::QuotedInteger(out, p.start_time_unix_nano);
    }
    out += ",\"timeUnixNano\":";
    json::QuotedInteger(out, p.time_unix_nano);
    if (p.is_int) {
        out += ",\"asInt\":";  // sfixed64: a decimal string
        json::QuotedInteger(out, p.as_int);
    } else {
        out += ",\"asDouble\":";
        json::Double(out, p.as_double);
    }
    out.push_back('}');
}

void ExemplarMessage(std::string& out, const Exemplar& e) {
    out += "{\"timeUnixNano\":";
    json::QuotedInteger(out, e.time_unix_nano);
    out += ",\"asDouble\":";
    json::Double(out, e.value);
    if (e.span_id.IsValid()) {
        out += ",\"spanId\":";
        json::Hex(out, e.span_id.bytes.data(), e.span_id.bytes.size());
        out += ",\"traceId\":";
        json::Hex(out, e.trace_id.bytes.data(), e.trace_id.bytes.size());
    }
    out.push_back('}');
}

void HistogramDataPoint(std::string& out, const HistogramPoint& p) {
    out.push_back('{');
    Attributes(out, "attributes", p.attributes);
    out += ",\"startTimeUnixNano\":";
    json::QuotedInteger(out, p.start_time_unix_nano);
    out += ",\"timeUnixNano\":";
    json::QuotedInteger(out, p.time_unix_nano);
    out += ",\"count\":";
    json::QuotedInteger(out, p.count);
    out += ",\"sum\":";
    json::Double(out, p.sum);
    out += ",\"bucketCounts\":[";  // repeated fixed64: decimal strings
    for (std::size_t i = 0; i < p.bucket_counts.size(); ++i) {
        if (i) out.push_back(',');
        json::QuotedInteger(out, p.bucket_counts[i]);
    }
    out += "],\"explicitBounds\":[";
    for (std::size_t i = 0; i < p.bounds.size(); ++i) {
        if (i) out.push_back(',');
        json::Double(out, p.bounds[i]);
    }
    out += "],\"exemplars\":[";
    for (std::size_t i = 0; i < p.exemplars.size(); ++i) {
        if (i) out.push_back(',');
        ExemplarMessage(out, p.exemplars[i]);
    }
    out.push_back(']');
    if (p.has_min_max) {
        out += ",\"min\":";
        json::Double(out, p.min);
        out += ",\"max\":";
        json::Double(out, p.max);
    }
    out.push_back('}');
}

void MetricMessage(std::string& out, const Metric& m) {
    out += "{\"name\":";
    json::String(out, m.name);
    if (!m.description.empty()) {
        out += ",\"description\":";
        json::String(out, m.description);
    }
    if (!m.unit.empty()) {
        out += ",\"unit\":";
        json::String(out, m.unit);
    }
    if (m.type == MetricType::kHistogram) {
        out += ",\"histogram\":{\"dataPoints\":[";
        for (std::size_t i = 0; i < m.histogram_points.size(); ++i) {
            if (i) out.push_back(',');
            HistogramDataPoint(out, m.histogram_points[i]);
        }
        out += "],\"aggregationTemporality\":";
        json::Integer(out, static_cast<int>(m.temporality));
        out.push_back('}');
    } else {
        out += m.type == MetricType::kSum ? ",\"sum\":{\"dataPoints\":["
                                          : ",\"gauge\":{\"dataPoints\":[";
        for (std::size_t i = 0; i < m.number_points.size(); ++i) {
            if (i) out.push_back(',');
            NumberDataPoint(out, m.number_points[i]);
        }
        out.push_back(']');
        if (m.type == MetricType::kSum) {
            out += ",\"aggregationTemporality\":";
            json::Integer(out, static_cast<int>(m.temporality));
            if (m.is_monotonic) out += ",\"isMonotonic\":true";
        }
        out.push_back('}');
    }
    out.push_back('}');
}

}  // namespace

std::string EncodeOtlpMetricsJson(const MetricsData& data) {
    std::string out = "{\"resourceMetrics\":[{";
    if (data.resource) {
        out += "\"resource\":{";
        Attributes(out, "attributes", data.resource->attributes());
        out += "},";
    }
    out += "\"scopeMetrics\":[";
    bool first_scope = true;
    for (const auto& sm : data.scope_metrics) {
        if (!first_scope) out.push_back(',');
        first_scope = false;
        out += "{\"scope\":{";
        bool scope_field = false;
        if (!sm.scope.name.empty()) {
            out += "\"name\":";
            json::String(out, sm.scope.name);
            scope_field = true;
        }
        if (!sm.scope.version.empty()) {
            if (scope_field) out.push_back(',');
            out += "\"version\":";
            json::String(out, sm.scope.version);
        }
        out += "},\"metrics\":[";
        for (std::size_t i = 0; i < sm.metrics.size(); ++i) {
            if (i) out.push_back(',');
            MetricMessage(out, sm.metrics[i]);
        }
        out.push_back(']');
        if (!sm.scope.schema_url.empty()) {
            out += ",\"schemaUrl\":";
            json::String(out, sm.scope.schema_url);
        }
        out.push_back('}');
    }
    out.push_back(']');
    if (data.resource && !data.resource->schema_url().empty()) {
        out += ",\"schemaUrl\":";
        json::String(out, data.resource->schema_url());
    }
    out += "}]}";
    return out;
}

}  // namespace tome::telemetry::metrics
