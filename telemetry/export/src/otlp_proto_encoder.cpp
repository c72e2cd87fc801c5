#include <cstring>

#include "grouping.hpp"
#include "proto_writer.hpp"
#include "tome/telemetry/export/otlp_encoder.hpp"

namespace tome::telemetry::exporter {
namespace {

using trace::Attribute;
using trace::AttributeValue;
using trace::SpanData;

// Field numbers from opentelemetry/proto (common, resource, trace, collector/trace).
namespace anyvalue {
constexpr std::uint32_t kString = 1, kBool = 2, kInt = 3, kDouble = 4, kArray = 5;
}
namespace kv {
constexpr std::uint32_t kKey = 1, kValue = 2;
}
namespace span {
constexpr std::uint32_t kTraceId = 1, kSpanId = 2, kTraceState = 3, kParentSpanId = 4,
                        kName = 5, kKind = 6, kStart = 7, kEnd = 8, kAttributes = 9,
                        kDroppedAttributes = 10, kEvents = 11, kDroppedEvents = 12, kLinks = 13,
                        kDroppedLinks = 14, kStatus = 15, kFlags = 16;
}

template <class T>
void WriteArray(ProtoWriter& w, const std::vector<T>& values) {
    const std::size_t arr = w.BeginNested(anyvalue::kArray);
    for (const auto& v : values) {
        const std::size_t item = w.BeginNested(1);  // ArrayValue.values
        if constexpr (std::is_same_v<T, std::string>) {
            w.StringField(anyvalue::kString, v);
        } else if constexpr (std::is_same_v<T, bool>) {
            w.VarintField(anyvalue::kBool, v ? 1 : 0);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
            w.VarintField(anyvalue::kInt, static_cast<std::uint64_t>(v));
        } else {
            w.DoubleField(anyvalue::kDouble, v);
        }
        w.EndNested(item);
    }
    w.EndNested(arr);
}

void WriteAnyValue(ProtoWriter& w, const AttributeValue& value) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool>) {
                w.VarintField(anyvalue::kBool, v ? 1 : 0);
            } else if constexpr (std::is_same_v<V, std::int64_t>) {
                w.VarintField(anyvalue::kInt, static_cast<std::uint64_t>(v));
            } else if constexpr (std::is_same_v<V, double>) {
                w.DoubleField(anyvalue::kDouble, v);
            } else if constexpr (std::is_same_v<V, std::string>) {
                w.StringField(anyvalue::kString, v);
            } else if constexpr (std::is_same_v<V, std::vector<bool>>) {
                const std::size_t arr = w.BeginNested(anyvalue::kArray);
                for (bool b : v) {
                    const std::size_t item = w.BeginNested(1);
                    w.VarintField(anyvalue::kBool, b ? 1 : 0);
                    w.EndNested(item);
                }
                w.EndNested(arr);
            } else {
                WriteArray(w, v);
            }
        },
        value);
}

void WriteAttributes(ProtoWriter& w, std::uint32_t field, const std::vector<Attribute>& attrs) {
    for (const auto& a : attrs) {
        const std::size_t m = w.BeginNested(field);
        w.StringField(kv::kKey, a.key);
        const std::size_t v = w.BeginNested(kv::kValue);
        WriteAnyValue(w, a.value);
        w.EndNested(v);
        w.EndNested(m);
    }
}

void WriteSpan(ProtoWriter& w, const SpanData& s) {
    const std::size_t m = w.BeginNested(2);  // ScopeSpans.spans
    w.BytesField(span::kTraceId, s.context.trace_id.bytes.data(), 16);
    w.BytesField(span::kSpanId, s.context.span_id.bytes.data(), 8);
    if (!s.context.trace_state.empty()) w.StringField(span::kTraceState, s.context.trace_state.header());
    if (s.parent_span_id.IsValid()) w.BytesField(span::kParentSpanId, s.parent_span_id.bytes.data(), 8);
    w.StringField(span::kName, s.name);
    w.VarintField(span::kKind, static_cast<std::uint64_t>(s.kind));
    if (s.start_unix_nano) w.Fixed64Field(span::kStart, s.start_unix_nano);
    if (s.end_unix_nano) w.Fixed64Field(span::kEnd, s.end_unix_nano);
    WriteAttributes(w, span::kAttributes, s.attributes);
    if (s.dropped_attributes_count) w.VarintField(span::kDroppedAttributes, s.dropped_attributes_count);
    for (const auto& e : s.events) {
        const std::size_t em = w.BeginNested(span::kEvents);
        if (e.time_unix_nano) w.Fixed64Field(1, e.time_unix_nano);
        w.StringField(2, e.name);
        WriteAttributes(w, 3, e.attributes);
        if (e.dropped_attributes_count) w.VarintField(4, e.dropped_attributes_count);
        w.EndNested(em);
    }
    if (s.dropped_events_count) w.VarintField(span::kDroppedEvents, s.dropped_events_count);
    for (const auto& l : s.links) {
        const std::size_t lm = w.BeginNested(span::kLinks);
        w.BytesField(1, l.context.trace_id.bytes.data(), 16);
        w.BytesField(2, l.context.span_id.bytes.data(), 8);
        if (!l.context.trace_state.empty()) w.StringField(3, l.context.trace_state.header());
        WriteAttributes(w, 4, l.attributes);
        if (l.dropped_attributes_count) w.VarintField(5, l.dropped_attributes_count);
        w.Fixed32Field(6, static_cast<std::uint32_t>(l.context.trace_flags) | 0x100u |
                              (l.context.is_remote ? 0x200u : 0u));
        w.EndNested(lm);
    }
    if (s.dropped_links_count) w.VarintField(span::kDroppedLinks, s.dropped_links_count);
    if (s.status.code != trace::StatusCode::kUnset) {
        const std::size_t st = w.BeginNested(span::kStatus);
        if (!s.status.description.empty()) w.StringField(2, s.status.description);
        w.VarintField(3, static_cast<std::uint64_t>(s.status.code));
        w.EndNested(st);
    }
    w.Fixed32Field(span::kFlags, s.OtlpFlags());
    w.EndNested(m);
}

// Reads a varint; false on truncation.
bool ReadVarint(std::string_view& in, std::uint64_t& v) noexcept {
    v = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        const auto b = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0) return true;
    }
    return false;
}

bool SkipField(std::string_view& in, std::uint64_t wire) noexcept {
    std::uint64_t n = 0;
    switch (wire) {
        case 0: return ReadVarint(in, n);
        case 1: if (in.size() < 8) return false; in.remove_prefix(8); return true;
        case 5: if (in.size() < 4) return false; in.remove_prefix(4); return true;
        case 2:
            if (!ReadVarint(in, n) || n > in.size()) return false;
            in.remove_prefix(n);
            return true;
        default: return false;
    }
}

void Encode(SpanBatch spans, std::string& out, bool check_utf8) {
    ProtoWriter w(out, check_utf8);
    for (const auto& rg : GroupSpans(spans)) {
        const std::size_t rs = w.BeginNested(1);  // ExportTraceServiceRequest.resource_spans
        if (rg.resource != nullptr) {
            const std::size_t r = w.BeginNested(1);  // ResourceSpans.resource
            WriteAttributes(w, 1, rg.resource->attributes());
            w.EndNested(r);
        }
        for (const auto& sg : rg.scopes) {
            const std::size_t ss = w.BeginNested(2);  // ResourceSpans.scope_spans
            if (sg.scope != nullptr) {
                const std::size_t sc = w.BeginNested(1);  // ScopeSpans.scope
                if (!sg.scope->name.empty()) w.StringField(1, sg.scope->name);
                if (!sg.scope->version.empty()) w.StringField(2, sg.scope->version);
                w.EndNested(sc);
            }
            for (const SpanData* s : sg.spans) WriteSpan(w, *s);
            if (sg.scope != nullptr && !sg.scope->schema_url.empty())
                w.StringField(3, sg.scope->schema_url);
            w.EndNested(ss);
        }
        if (rg.resource != nullptr && !rg.resource->schema_url().empty())
            w.StringField(3, rg.resource->schema_url());
        w.EndNested(rs);
    }
}

}  // namespace

void EncodeOtlpProto(SpanBatch spans, std::string& out) { Encode(spans, out, true); }

void EncodeOtlpProtoWithoutUtf8CheckForTesting(SpanBatch spans, std::string& out) {
    Encode(spans, out, false);
}

std::optional<PartialSuccess> DecodePartialSuccessProto(std::string_view body) noexcept {
    std::optional<PartialSuccess> result;
    std::string_view in = body;
    while (!in.empty()) {
        std::uint64_t tag = 0;
        if (!ReadVarint(in, tag)) return std::nullopt;
        if (tag == ((1 << 3) | 2)) {  // partial_success
            std::uint64_t len = 0;
            if (!ReadVarint(in, len) || len > in.size()) return std::nullopt;
            std::string_view msg = in.substr(0, len);
            in.remove_prefix(len);
            PartialSuccess ps;
            while (!msg.empty()) {
                std::uint64_t t = 0;
                if (!ReadVarint(msg, t)) return std::nullopt;
                if (t == ((1 << 3) | 0)) {
                    std::uint64_t v = 0;
                    if (!ReadVarint(msg, v)) return std::nullopt;
                    ps.rejected_spans = static_cast<std::int64_t>(v);
                } else if (t == ((2 << 3) | 2)) {
                    std::uint64_t l = 0;
                    if (!ReadVarint(msg, l) || l > msg.size()) return std::nullopt;
                    try {
                        ps.error_message.assign(msg.data(), l);
                    } catch (...) {
                    }
                    msg.remove_prefix(l);
                } else if (!SkipField(msg, t & 7)) {
                    return std::nullopt;
                }
            }
            result = std::move(ps);
        } else if (!SkipField(in, tag & 7)) {
            return std::nullopt;
        }
    }
    return result;
}

}  // namespace tome::telemetry::exporter
