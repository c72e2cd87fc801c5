#include "otlp_ingest.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "span_record.hpp"

namespace tome::console::internal {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
namespace pb_logs = opentelemetry::proto::logs::v1;
namespace pb_metrics = opentelemetry::proto::metrics::v1;
using Json = nlohmann::json;

constexpr int kMaxDepth = 8;

void WriteAnyValue(RecordWriter& w, const pb_common::AnyValue& v, int depth) {
    switch (v.value_case()) {
        case pb_common::AnyValue::kStringValue: return w.StringValue(v.string_value());
        case pb_common::AnyValue::kBoolValue: return w.BoolValue(v.bool_value());
        case pb_common::AnyValue::kIntValue: return w.IntValue(v.int_value());
        case pb_common::AnyValue::kDoubleValue: return w.DoubleValue(v.double_value());
        case pb_common::AnyValue::kBytesValue: return w.BytesValue(v.bytes_value());
        case pb_common::AnyValue::kArrayValue:
            if (depth >= kMaxDepth) return w.EmptyValue();
            w.ArrayHeader(static_cast<std::size_t>(v.array_value().values_size()));
            for (const auto& e : v.array_value().values()) WriteAnyValue(w, e, depth + 1);
            return;
        case pb_common::AnyValue::kKvlistValue:
            if (depth >= kMaxDepth) return w.EmptyValue();
            w.MapHeader(static_cast<std::size_t>(v.kvlist_value().values_size()));
            for (const auto& kv : v.kvlist_value().values()) {
                w.StrRef(kv.key());
                WriteAnyValue(w, kv.value(), depth + 1);
            }
            return;
        default: return w.EmptyValue();
    }
}

Json AnyValueJson(const pb_common::AnyValue& v, int depth) {
    switch (v.value_case()) {
        case pb_common::AnyValue::kStringValue: return v.string_value();
        case pb_common::AnyValue::kBoolValue: return v.bool_value();
        case pb_common::AnyValue::kIntValue: return v.int_value();
        case pb_common::AnyValue::kDoubleValue: return v.double_value();
        case pb_common::AnyValue::kArrayValue: {
            Json a = Json::array();
            if (depth < kMaxDepth) {
                for (const auto& e : v.array_value().values()) a.push_back(AnyValueJson(e, depth + 1));
            }
            return a;
        }
        case pb_common::AnyValue::kKvlistValue: {
            Json o = Json::object();
            if (depth < kMaxDepth) {
                for (const auto& kv : v.kvlist_value().values()) o[kv.key()] = AnyValueJson(kv.value(), depth + 1);
            }
            return o;
        }
        default: return nullptr;
    }
}

template <class Attributes>
void WriteAttributes(RecordWriter& w, const Attributes& attributes) {
    w.Varint(static_cast<std::size_t>(attributes.size()));
    for (const auto& kv : attributes) {
        w.StrRef(kv.key());
        WriteAnyValue(w, kv.value(), 0);
    }
}

template <std::size_t N>
std::array<std::uint8_t, N> Id(const std::string& bytes) {
    std::array<std::uint8_t, N> out{};
    if (bytes.size() == N) std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

bool AllZero(const std::string& bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// Why a span cannot be stored; empty when it can.
std::string SpanProblem(const pb_trace::Span& s) {
    if (s.trace_id().size() != 16 || AllZero(s.trace_id())) {
        return "trace_id must be 16 bytes and not all zero (got " + std::to_string(s.trace_id().size()) + " bytes)";
    }
    if (s.span_id().size() != 8 || AllZero(s.span_id())) {
        return "span_id must be 8 bytes and not all zero (got " + std::to_string(s.span_id().size()) + " bytes)";
    }
    if (!s.parent_span_id().empty() && s.parent_span_id().size() != 8) {
        return "parent_span_id must be empty or 8 bytes (got " + std::to_string(s.parent_span_id().size()) + ")";
    }
    return {};
}

std::string LogProblem(const pb_logs::LogRecord& r) {
    if (!r.trace_id().empty() && r.trace_id().size() != 16) {
        return "trace_id must be empty or 16 bytes (got " + std::to_string(r.trace_id().size()) + ")";
    }
    if (!r.span_id().empty() && r.span_id().size() != 8) {
        return "span_id must be empty or 8 bytes (got " + std::to_string(r.span_id().size()) + ")";
    }
    if (r.severity_number() < 0 || r.severity_number() > 24) {
        return "severity_number must be 0..24 (got " + std::to_string(r.severity_number()) + ")";
    }
    return {};
}

std::string HistogramProblem(const pb_metrics::HistogramDataPoint& p) {
    if (p.bucket_counts_size() != 0 && p.bucket_counts_size() != p.explicit_bounds_size() + 1) {
        return "bucket_counts must have explicit_bounds + 1 entries (got " +
               std::to_string(p.bucket_counts_size()) + " for " + std::to_string(p.explicit_bounds_size()) +
               " bounds)";
    }
    return {};
}

void Note(OtlpCheck& check, const std::string& where, const std::string& problem) {
    if (problem.empty()) {
        ++check.accepted;
        return;
    }
    if (check.rejected++ == 0) check.message = where + ": " + problem;
}

std::string Where(const char* kind, int r, int s, int i) {
    return std::string("resource ") + std::to_string(r) + " scope " + std::to_string(s) + " " + kind + " " +
           std::to_string(i);
}

// --- OTLP/JSON ids ---------------------------------------------------------------------------

std::string Base64(const std::string& bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (rest == 2) n |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

// Rewrites the hex id fields of `object` as base64 (what libprotobuf's JSON parser reads for
// bytes). A field that is not an even-length hex string becomes one zero byte, which the item
// checks then reject as a wrong-length id.
void FixIds(Json& object, std::initializer_list<const char*> fields) {
    if (!object.is_object()) return;
    for (const char* field : fields) {
        auto it = object.find(field);
        if (it == object.end()) continue;
        if (!it->is_string()) {
            *it = "AA==";
            continue;
        }
        const std::string& hex = it->get_ref<const std::string&>();
        std::string bytes;
        bool ok = hex.size() % 2 == 0;
        for (std::size_t i = 0; ok && i < hex.size(); i += 2) {
            auto digit = [](char c) {
                if (c >= '0' && c <= '9') return c - '0';
                if (c >= 'a' && c <= 'f') return c - 'a' + 10;
                if (c >= 'A' && c <= 'F') return c - 'A' + 10;
                return -1;
            };
            const int hi = digit(hex[i]);
            const int lo = digit(hex[i + 1]);
            if (hi < 0 || lo < 0) ok = false;
            else bytes.push_back(static_cast<char>((hi << 4) | lo));
        }
        *it = ok ? Base64(bytes) : std::string("AA==");
    }
}

template <class Fn>
void ForEachIn(Json& parent, const char* key, Fn&& fn) {
    if (!parent.is_object()) return;
    auto it = parent.find(key);
    if (it == parent.end() || !it->is_array()) return;
    for (auto& e : *it) fn(e);
}

void FixJsonIds(Json& doc, OtlpSignal signal) {
    switch (signal) {
        case OtlpSignal::kTraces:
            ForEachIn(doc, "resourceSpans", [](Json& rs) {
                ForEachIn(rs, "scopeSpans", [](Json& ss) {
                    ForEachIn(ss, "spans", [](Json& span) {
                        FixIds(span, {"traceId", "spanId", "parentSpanId"});
                        ForEachIn(span, "links", [](Json& link) { FixIds(link, {"traceId", "spanId"}); });
                    });
                });
            });
            return;
        case OtlpSignal::kLogs:
            ForEachIn(doc, "resourceLogs", [](Json& rl) {
                ForEachIn(rl, "scopeLogs", [](Json& sl) {
                    ForEachIn(sl, "logRecords", [](Json& r) { FixIds(r, {"traceId", "spanId"}); });
                });
            });
            return;
        case OtlpSignal::kMetrics:
            ForEachIn(doc, "resourceMetrics", [](Json& rm) {
                ForEachIn(rm, "scopeMetrics", [](Json& sm) {
                    ForEachIn(sm, "metrics", [](Json& m) {
                        for (const char* kind : {"gauge", "sum", "histogram", "exponentialHistogram", "summary"}) {
                            auto it = m.find(kind);
                            if (it == m.end()) continue;
                            ForEachIn(*it, "dataPoints", [](Json& p) {
                                ForEachIn(p, "exemplars", [](Json& e) { FixIds(e, {"traceId", "spanId"}); });
                            });
                        }
                    });
                });
            });
            return;
    }
}

}  // namespace

OtlpCheck CheckTraces(const otlp_trace::ExportTraceServiceRequest& request) {
    OtlpCheck check;
    for (int r = 0; r < request.resource_spans_size(); ++r) {
        const auto& rs = request.resource_spans(r);
        for (int s = 0; s < rs.scope_spans_size(); ++s) {
            const auto& ss = rs.scope_spans(s);
            for (int i = 0; i < ss.spans_size(); ++i) Note(check, Where("span", r, s, i), SpanProblem(ss.spans(i)));
        }
    }
    return check;
}

OtlpCheck CheckLogs(const otlp_logs::ExportLogsServiceRequest& request) {
    OtlpCheck check;
    for (int r = 0; r < request.resource_logs_size(); ++r) {
        const auto& rl = request.resource_logs(r);
        for (int s = 0; s < rl.scope_logs_size(); ++s) {
            const auto& sl = rl.scope_logs(s);
            for (int i = 0; i < sl.log_records_size(); ++i) {
                Note(check, Where("log record", r, s, i), LogProblem(sl.log_records(i)));
            }
        }
    }
    return check;
}

OtlpCheck CheckMetrics(const otlp_metrics::ExportMetricsServiceRequest& request) {
    OtlpCheck check;
    for (int r = 0; r < request.resource_metrics_size(); ++r) {
        const auto& rm = request.resource_metrics(r);
        for (int s = 0; s < rm.scope_metrics_size(); ++s) {
            const auto& sm = rm.scope_metrics(s);
            for (int i = 0; i < sm.metrics_size(); ++i) {
                const auto& m = sm.metrics(i);
                const std::string where = Where("metric", r, s, i) + " '" + m.name() + "'";
                switch (m.data_case()) {
                    case pb_metrics::Metric::kGauge:
                        for (int p = 0; p < m.gauge().data_points_size(); ++p) Note(check, where, {});
                        break;
                    case pb_metrics::Metric::kSum:
                        for (int p = 0; p < m.sum().data_points_size(); ++p) Note(check, where, {});
                        break;
                    case pb_metrics::Metric::kHistogram:
                        for (const auto& p : m.histogram().data_points()) Note(check, where, HistogramProblem(p));
                        break;
                    case pb_metrics::Metric::kExponentialHistogram:
                        for (int p = 0; p < m.exponential_histogram().data_points_size(); ++p) {
                            Note(check, where, "exponential histograms are not stored by the console (use explicit buckets)");
                        }
                        break;
                    case pb_metrics::Metric::kSummary:
                        for (int p = 0; p < m.summary().data_points_size(); ++p) {
                            Note(check, where, "summaries are not stored by the console (use a histogram)");
                        }
                        break;
                    default: break;
                }
            }
        }
    }
    return check;
}

Status DecodeOtlp(std::string_view body, OtlpEncoding encoding, OtlpSignal signal,
                  google::protobuf::Message& message) {
    if (encoding == OtlpEncoding::kProtobuf) {
        if (body.size() > static_cast<std::size_t>(INT32_MAX) ||
            !message.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
            return InvalidArgument("malformed protobuf: the body is not a valid " + message.GetTypeName() +
                                   " (wrong message, truncated, or a string field that is not UTF-8)");
        }
        return Status::Ok();
    }
    Json doc;
    try {
        doc = Json::parse(body.begin(), body.end());
    } catch (const Json::parse_error& e) {
        return InvalidArgument("malformed JSON at byte " + std::to_string(e.byte) +
                               " (the body must be OTLP/JSON, UTF-8)");
    } catch (const Json::exception& e) {
        // out_of_range: a number too large for a double ("1e309"). nlohmann's what() starts
        // with "[json.exception.out_of_range.406] ".
        std::string what = e.what();
        if (const auto end = what.find("] "); end != std::string::npos) what.erase(0, end + 2);
        return InvalidArgument("malformed JSON: " + what + " (the body must be OTLP/JSON, UTF-8)");
    }
    if (!doc.is_object()) return InvalidArgument("the body must be a JSON object (an OTLP/JSON " + message.GetTypeName() + ")");
    FixJsonIds(doc, signal);
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;  // OTLP/JSON: receivers MUST ignore unknown fields
    const auto status = google::protobuf::util::JsonStringToMessage(
        doc.dump(-1, ' ', false, Json::error_handler_t::replace), &message, options);
    if (!status.ok()) {
        return InvalidArgument("OTLP/JSON does not match " + message.GetTypeName() + ": " +
                               std::string(status.message()));
    }
    return Status::Ok();
}

std::uint32_t OtlpIngest::ResourceId(const opentelemetry::proto::resource::v1::Resource& resource) {
    std::string encoded;
    RecordWriter w(encoded, &store_.strings());
    w.MapHeader(static_cast<std::size_t>(resource.attributes_size()));
    Json json = Json::object();
    std::string service;
    for (const auto& kv : resource.attributes()) {
        w.StrRef(kv.key());
        WriteAnyValue(w, kv.value(), 0);
        json[kv.key()] = AnyValueJson(kv.value(), 0);
        if (kv.key() == "service.name" && kv.value().has_string_value()) service = kv.value().string_value();
    }
    return store_.resources().Intern(service, std::move(encoded), std::move(json));
}

void OtlpIngest::AddTraces(const otlp_trace::ExportTraceServiceRequest& request, std::int64_t now_ms) {
    for (const auto& rs : request.resource_spans()) {
        const std::uint32_t resource = ResourceId(rs.resource());
        for (const auto& ss : rs.scope_spans()) {
            for (const auto& s : ss.spans()) {
                if (!SpanProblem(s).empty()) continue;
                SpanHeader h;
                h.trace_id = Id<16>(s.trace_id());
                h.span_id = Id<8>(s.span_id());
                h.parent_span_id = Id<8>(s.parent_span_id());
                h.start_ns = s.start_time_unix_nano();
                h.end_ns = std::max(s.end_time_unix_nano(), s.start_time_unix_nano());
                h.resource_id = resource;
                h.flags = s.flags();
                h.kind = static_cast<std::uint8_t>(std::clamp(static_cast<int>(s.kind()), 0, 5));
                h.status = static_cast<std::uint8_t>(std::clamp(static_cast<int>(s.status().code()), 0, 2));
                spans_.Begin(h, s.name(), ss.scope().name(), ss.scope().version(), s.status().message(),
                             s.trace_state(), s.dropped_attributes_count(), s.dropped_events_count(),
                             s.dropped_links_count());
                RecordWriter& w = spans_.writer();
                WriteAttributes(w, s.attributes());
                w.Varint(static_cast<std::size_t>(s.events_size()));
                for (const auto& e : s.events()) {
                    w.U64(e.time_unix_nano());
                    w.StrRef(e.name());
                    w.Varint(e.dropped_attributes_count());
                    WriteAttributes(w, e.attributes());
                }
                w.Varint(static_cast<std::size_t>(s.links_size()));
                for (const auto& l : s.links()) {
                    const auto trace = Id<16>(l.trace_id());
                    const auto span = Id<8>(l.span_id());
                    w.Raw(trace.data(), 16);
                    w.Raw(span.data(), 8);
                    w.Bytes(l.trace_state(), 512);
                    w.U32(l.flags());
                    w.Varint(l.dropped_attributes_count());
                    WriteAttributes(w, l.attributes());
                }
                store_.AddSpan(spans_.Finish(), now_ms);
            }
        }
    }
}

void OtlpIngest::AddLogs(const otlp_logs::ExportLogsServiceRequest& request) {
    for (const auto& rl : request.resource_logs()) {
        const std::uint32_t resource = ResourceId(rl.resource());
        for (const auto& sl : rl.scope_logs()) {
            for (const auto& r : sl.log_records()) {
                if (!LogProblem(r).empty()) continue;
                LogHeader h;
                h.severity = static_cast<std::uint8_t>(r.severity_number());
                h.resource_id = resource;
                h.trace_id = Id<16>(r.trace_id());
                h.span_id = Id<8>(r.span_id());
                h.trace_flags = r.flags() & 0xFFu;
                h.time_ns = r.time_unix_nano();
                h.observed_time_ns = r.observed_time_unix_nano();
                logs_.Begin(h, r.severity_text(), sl.scope().name(), sl.scope().version(), r.event_name(),
                            r.dropped_attributes_count());
                RecordWriter& w = logs_.writer();
                if (r.has_body()) WriteAnyValue(w, r.body(), 0);
                else w.EmptyValue();
                WriteAttributes(w, r.attributes());
                store_.AddLog(logs_.Finish());
            }
        }
    }
}

void OtlpIngest::AddMetrics(const otlp_metrics::ExportMetricsServiceRequest& request) {
    for (const auto& rm : request.resource_metrics()) {
        const std::uint32_t resource = ResourceId(rm.resource());
        for (const auto& sm : rm.scope_metrics()) {
            for (const auto& m : sm.metrics()) {
                auto series = [&](const auto& attributes, MetricKind kind, bool monotonic, int temporality) {
                    SeriesInfo info;
                    info.resource_id = resource;
                    info.name = m.name();
                    info.description = m.description();
                    info.unit = m.unit();
                    info.kind = kind;
                    info.monotonic = monotonic;
                    info.temporality = static_cast<Temporality>(std::clamp(temporality, 0, 2));
                    RecordWriter w(info.encoded_attributes, nullptr);
                    w.MapHeader(static_cast<std::size_t>(attributes.size()));
                    info.attributes = Json::object();
                    for (const auto& kv : attributes) {
                        w.StrRef(kv.key());
                        WriteAnyValue(w, kv.value(), 0);
                        info.attributes[kv.key()] = AnyValueJson(kv.value(), 0);
                    }
                    return store_.InternSeries(std::move(info));
                };
                auto exemplars = [](const auto& list, MetricPoint& point) {
                    for (const auto& e : list) {
                        Exemplar x;
                        x.time_ns = e.time_unix_nano();
                        x.value = e.value_case() == pb_metrics::Exemplar::kAsInt ? static_cast<double>(e.as_int())
                                                                                 : e.as_double();
                        x.trace_id = Id<16>(e.trace_id());
                        x.span_id = Id<8>(e.span_id());
                        point.exemplars.push_back(x);
                    }
                };
                auto numbers = [&](const auto& points, MetricKind kind, bool monotonic, int temporality) {
                    for (const auto& p : points) {
                        if ((p.flags() & 1u) != 0) continue;  // no recorded value
                        auto id = series(p.attributes(), kind, monotonic, temporality);
                        if (!id) continue;
                        MetricPoint point;
                        point.series = *id;
                        point.start_ns = p.start_time_unix_nano();
                        point.time_ns = p.time_unix_nano();
                        point.value = p.value_case() == pb_metrics::NumberDataPoint::kAsInt
                                          ? static_cast<double>(p.as_int())
                                          : p.as_double();
                        exemplars(p.exemplars(), point);
                        store_.AddPoint(point);
                    }
                };
                switch (m.data_case()) {
                    case pb_metrics::Metric::kGauge:
                        numbers(m.gauge().data_points(), MetricKind::kGauge, false, 0);
                        break;
                    case pb_metrics::Metric::kSum:
                        numbers(m.sum().data_points(), MetricKind::kSum, m.sum().is_monotonic(),
                                m.sum().aggregation_temporality());
                        break;
                    case pb_metrics::Metric::kHistogram:
                        for (const auto& p : m.histogram().data_points()) {
                            if (!HistogramProblem(p).empty() || (p.flags() & 1u) != 0) continue;
                            auto id = series(p.attributes(), MetricKind::kHistogram, false,
                                             m.histogram().aggregation_temporality());
                            if (!id) continue;
                            MetricPoint point;
                            point.series = *id;
                            point.start_ns = p.start_time_unix_nano();
                            point.time_ns = p.time_unix_nano();
                            point.count = p.count();
                            point.sum = p.has_sum() ? p.sum() : 0;
                            point.bounds.assign(p.explicit_bounds().begin(), p.explicit_bounds().end());
                            point.bucket_counts.assign(p.bucket_counts().begin(), p.bucket_counts().end());
                            if (point.bucket_counts.empty()) point.bucket_counts.assign(point.bounds.size() + 1, 0);
                            exemplars(p.exemplars(), point);
                            store_.AddPoint(point);
                        }
                        break;
                    default: break;  // rejected by CheckMetrics
                }
            }
        }
    }
}

}  // namespace tome::console::internal
