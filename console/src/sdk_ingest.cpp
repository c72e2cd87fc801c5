#include "sdk_ingest.hpp"

#include <algorithm>
#include <variant>

namespace tome::console::internal {
namespace trace = telemetry::trace;
namespace logs = telemetry::logs;
namespace metrics = telemetry::metrics;

namespace {

template <class Id>
auto Bytes(const Id& id) {
    return id.bytes;
}

void WriteAttributes(RecordWriter& w, const std::vector<trace::Attribute>& attributes) {
    w.Varint(attributes.size());
    for (const auto& a : attributes) {
        w.StrRef(a.key);
        WriteValue(w, a.value);
    }
}

}  // namespace

void WriteValue(RecordWriter& w, const trace::AttributeValue& value) {
    std::visit(
        [&w](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                w.BoolValue(v);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                w.IntValue(v);
            } else if constexpr (std::is_same_v<T, double>) {
                w.DoubleValue(v);
            } else if constexpr (std::is_same_v<T, std::string>) {
                w.StringValue(v);
            } else {
                w.ArrayHeader(v.size());
                for (const auto& e : v) {
                    using E = std::decay_t<decltype(e)>;
                    if constexpr (std::is_same_v<E, std::string>) {
                        w.StringValue(e);
                    } else if constexpr (std::is_same_v<E, std::int64_t>) {
                        w.IntValue(e);
                    } else if constexpr (std::is_same_v<E, double>) {
                        w.DoubleValue(e);
                    } else {
                        w.BoolValue(static_cast<bool>(e));
                    }
                }
            }
        },
        value);
}

void WriteValue(RecordWriter& w, const logs::LogValue& value, int depth) {
    std::visit(
        [&w, depth](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                w.EmptyValue();
            } else if constexpr (std::is_same_v<T, bool>) {
                w.BoolValue(v);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                w.IntValue(v);
            } else if constexpr (std::is_same_v<T, double>) {
                w.DoubleValue(v);
            } else if constexpr (std::is_same_v<T, std::string>) {
                w.StringValue(v);
            } else if constexpr (std::is_same_v<T, logs::LogValue::Bytes>) {
                w.BytesValue(v.data);
            } else if constexpr (std::is_same_v<T, logs::LogValue::Array>) {
                if (depth > 8) return w.EmptyValue();
                w.ArrayHeader(v.size());
                for (const auto& e : v) WriteValue(w, e, depth + 1);
            } else {
                if (depth > 8) return w.EmptyValue();
                w.MapHeader(v.size());
                for (const auto& kv : v) {
                    w.StrRef(kv.key);
                    WriteValue(w, kv.value, depth + 1);
                }
            }
        },
        value.value);
}

nlohmann::json ValueJson(const trace::AttributeValue& value) {
    return std::visit(
        [](const auto& v) -> nlohmann::json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::vector<bool>>) {
                nlohmann::json a = nlohmann::json::array();
                for (bool b : v) a.push_back(b);
                return a;
            } else {
                return nlohmann::json(v);
            }
        },
        value);
}

std::uint32_t SdkIngest::ResourceId(const std::shared_ptr<const trace::Resource>& resource) {
    if (!resource) {
        static const auto empty = std::make_shared<const trace::Resource>();
        return ResourceId(empty);
    }
    if (auto it = resources_.find(resource.get()); it != resources_.end()) return it->second.second;
    std::string encoded;
    RecordWriter w(encoded, &store_.strings());
    nlohmann::json json = nlohmann::json::object();
    w.MapHeader(resource->attributes().size());
    std::string service;
    for (const auto& a : resource->attributes()) {
        w.StrRef(a.key);
        WriteValue(w, a.value);
        json[a.key] = ValueJson(a.value);
        if (a.key == "service.name") {
            if (const auto* s = std::get_if<std::string>(&a.value)) service = *s;
        }
    }
    const std::uint32_t id = store_.resources().Intern(service, std::move(encoded), std::move(json));
    resources_.emplace(resource.get(), std::make_pair(resource, id));
    return id;
}

void SdkIngest::AddSpan(const trace::SpanData& span, std::int64_t now_ms) {
    SpanHeader h;
    h.trace_id = span.context.trace_id.bytes;
    h.span_id = span.context.span_id.bytes;
    h.parent_span_id = span.parent_span_id.bytes;
    h.start_ns = span.start_unix_nano;
    h.end_ns = span.end_unix_nano;
    h.resource_id = ResourceId(span.resource);
    h.flags = span.OtlpFlags();
    h.kind = static_cast<std::uint8_t>(span.kind);
    h.status = static_cast<std::uint8_t>(span.status.code);
    const trace::InstrumentationScope* scope = span.scope.get();
    spans_.Begin(h, span.name, scope ? std::string_view(scope->name) : std::string_view(),
                 scope ? std::string_view(scope->version) : std::string_view(),
                 span.status.description, span.context.trace_state.header(),
                 span.dropped_attributes_count, span.dropped_events_count, span.dropped_links_count);
    RecordWriter& w = spans_.writer();
    WriteAttributes(w, span.attributes);
    w.Varint(span.events.size());
    for (const auto& e : span.events) {
        w.U64(e.time_unix_nano);
        w.StrRef(e.name);
        w.Varint(e.dropped_attributes_count);
        WriteAttributes(w, e.attributes);
    }
    w.Varint(span.links.size());
    for (const auto& l : span.links) {
        w.Raw(l.context.trace_id.bytes.data(), 16);
        w.Raw(l.context.span_id.bytes.data(), 8);
        w.Bytes(l.context.trace_state.header(), 512);
        w.U32(static_cast<std::uint32_t>(l.context.trace_flags) | 0x100u);
        w.Varint(l.dropped_attributes_count);
        WriteAttributes(w, l.attributes);
    }
    store_.AddSpan(spans_.Finish(), now_ms);
}

void SdkIngest::AddLog(const logs::LogRecord& record) {
    LogHeader h;
    h.severity = static_cast<std::uint8_t>(record.severity);
    h.resource_id = ResourceId(record.resource);
    h.trace_id = record.trace_id.bytes;
    h.span_id = record.span_id.bytes;
    h.trace_flags = record.trace_flags;
    h.time_ns = record.time_unix_nano;
    h.observed_time_ns = record.observed_time_unix_nano;
    const trace::InstrumentationScope* scope = record.scope.get();
    logs_.Begin(h, record.severity_text, scope ? std::string_view(scope->name) : std::string_view(),
                scope ? std::string_view(scope->version) : std::string_view(), record.event_name,
                record.dropped_attributes_count);
    RecordWriter& w = logs_.writer();
    WriteValue(w, record.body);
    w.Varint(record.attributes.size());
    for (const auto& a : record.attributes) {
        w.StrRef(a.key);
        WriteValue(w, a.value);
    }
    store_.AddLog(logs_.Finish());
}

void SdkIngest::AddMetrics(const metrics::MetricsData& data) {
    const std::uint32_t resource = ResourceId(data.resource);
    for (const auto& scope : data.scope_metrics) {
        for (const auto& m : scope.metrics) {
            auto series_of = [&](const metrics::AttributeSet& attributes) {
                SeriesInfo info;
                info.resource_id = resource;
                info.name = m.name;
                info.description = m.description;
                info.unit = m.unit;
                info.kind = m.type == metrics::MetricType::kHistogram ? MetricKind::kHistogram
                            : m.type == metrics::MetricType::kGauge   ? MetricKind::kGauge
                                                                      : MetricKind::kSum;
                info.monotonic = m.is_monotonic;
                info.temporality = static_cast<Temporality>(m.temporality);
                RecordWriter w(info.encoded_attributes, nullptr);
                w.MapHeader(attributes.size());
                info.attributes = nlohmann::json::object();
                for (const auto& a : attributes) {
                    w.StrRef(a.key);
                    WriteValue(w, a.value);
                    info.attributes[a.key] = ValueJson(a.value);
                }
                return store_.InternSeries(std::move(info));
            };
            for (const auto& p : m.number_points) {
                auto id = series_of(p.attributes);
                if (!id) continue;
                MetricPoint point;
                point.series = *id;
                point.start_ns = p.start_time_unix_nano;
                point.time_ns = p.time_unix_nano;
                point.value = p.value();
                store_.AddPoint(point);
            }
            for (const auto& p : m.histogram_points) {
                auto id = series_of(p.attributes);
                if (!id) continue;
                MetricPoint point;
                point.series = *id;
                point.start_ns = p.start_time_unix_nano;
                point.time_ns = p.time_unix_nano;
                point.count = p.count;
                point.sum = p.sum;
                point.bounds = p.bounds;
                point.bucket_counts = p.bucket_counts;
                for (const auto& e : p.exemplars) {
                    point.exemplars.push_back({e.time_unix_nano, e.value, e.trace_id.bytes, e.span_id.bytes});
                }
                store_.AddPoint(point);
            }
        }
    }
}

}  // namespace tome::console::internal
