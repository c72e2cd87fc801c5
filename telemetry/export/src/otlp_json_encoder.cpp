#include <charconv>

#include "grouping.hpp"
#include "tome/telemetry/api/json_writer.hpp"
#include "tome/telemetry/export/otlp_encoder.hpp"

namespace tome::telemetry::exporter {
namespace {

using trace::Attribute;
using trace::AttributeValue;
using trace::SpanData;

void Scalar(std::string& out, bool v) { out += "{\"boolValue\":"; out += v ? "true" : "false"; out += '}'; }
void Scalar(std::string& out, std::int64_t v) { out += "{\"intValue\":"; json::QuotedInteger(out, v); out += '}'; }
void Scalar(std::string& out, double v) { out += "{\"doubleValue\":"; json::Double(out, v); out += '}'; }
void Scalar(std::string& out, const std::string& v) { out += "{\"stringValue\":"; json::String(out, v); out += '}'; }

void Value(std::string& out, const AttributeValue& value) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::int64_t> ||
                          std::is_same_v<V, double> || std::is_same_v<V, std::string>) {
                Scalar(out, v);
            } else {
                out += "{\"arrayValue\":{\"values\":[";
                bool first = true;
                for (const auto& item : v) {
                    if (!first) out.push_back(',');
                    first = false;
                    using Item = typename V::value_type;
                    Scalar(out, static_cast<const Item&>(item));
                }
                out += "]}}";
            }
        },
        value);
}

void Attributes(std::string& out, const std::vector<Attribute>& attrs) {
    out += "\"attributes\":[";
    for (std::size_t i = 0; i < attrs.size(); ++i) {
        if (i) out.push_back(',');
        out += "{\"key\":";
        json::String(out, attrs[i].key);
        out += ",\"value\":";
        Value(out, attrs[i].value);
        out.push_back('}');
    }
    out.push_back(']');
}

void Dropped(std::string& out, std::uint32_t n) {
    if (n == 0) return;
    out += ",\"droppedAttributesCount\":";
    json::Integer(out, n);
}

void Span(std::string& out, const SpanData& s) {
    out += "{\"traceId\":";
    json::Hex(out, s.context.trace_id.bytes.data(), 16);
    out += ",\"spanId\":";
    json::Hex(out, s.context.span_id.bytes.data(), 8);
    if (!s.context.trace_state.empty()) {
        out += ",\"traceState\":";
        json::String(out, s.context.trace_state.header());
    }
    if (s.parent_span_id.IsValid()) {
        out += ",\"parentSpanId\":";
        json::Hex(out, s.parent_span_id.bytes.data(), 8);
    }
    out += ",\"flags\":";
    json::Integer(out, s.OtlpFlags());
    out += ",\"name\":";
    json::String(out, s.name);
    out += ",\"kind\":";
    json::Integer(out, static_cast<int>(s.kind));
    out += ",\"startTimeUnixNano\":";
    json::QuotedInteger(out, s.start_unix_nano);
    out += ",\"endTimeUnixNano\":";
    json::QuotedInteger(out, s.end_unix_nano);
    out.push_back(',');
    Attributes(out, s.attributes);
    Dropped(out, s.dropped_attributes_count);
    out += ",\"events\":[";
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        const auto& e = s.events[i];
        if (i) out.push_back(',');
        out += "{\"timeUnixNano\":";
        json::QuotedInteger(out, e.time_unix_nano);
        out += ",\"name\":";
        json::String(out, e.name);
        out.push_back(',');
        Attributes(out, e.attributes);
        Dropped(out, e.dropped_attributes_count);
        out.push_back('}');
    }
    out.push_back(']');
    if (s.dropped_events_count) {
        out += ",\"droppedEventsCount\":";
        json::Integer(out, s.dropped_events_count);
    }
    out += ",\"links\":[";
    for (std::size_t i = 0; i < s.links.size(); ++i) {
        const auto& l = s.links[i];
        if (i) out.push_back(',');
        out += "{\"traceId\":";
        json::Hex(out, l.context.trace_id.bytes.data(), 16);
        out += ",\"spanId\":";
        json::Hex(out, l.context.span_id.bytes.data(), 8);
        if (!l.context.trace_state.empty()) {
            out += ",\"traceState\":";
            json::String(out, l.context.trace_state.header());
        }
        out.push_back(',');
        Attributes(out, l.attributes);
        Dropped(out, l.dropped_attributes_count);
        out += ",\"flags\":";
        json::Integer(out, static_cast<std::uint32_t>(l.context.trace_flags) | 0x100u |
                               (l.context.is_remote ? 0x200u : 0u));
        out.push_back('}');
    }
    out.push_back(']');
    if (s.dropped_links_count) {
        out += ",\"droppedLinksCount\":";
        json::Integer(out, s.dropped_links_count);
    }
    out += ",\"status\":{";
    if (!s.status.description.empty()) {
        out += "\"message\":";
        json::String(out, s.status.description);
        out.push_back(',');
    }
    out += "\"code\":";
    json::Integer(out, static_cast<int>(s.status.code));
    out += "}}";
}

}  // namespace

void EncodeOtlpJson(SpanBatch spans, std::string& out) {
    out += "{\"resourceSpans\":[";
    bool first_rs = true;
    for (const auto& rg : GroupSpans(spans)) {
        if (!first_rs) out.push_back(',');
        first_rs = false;
        out += "{\"resource\":{";
        Attributes(out, rg.resource ? rg.resource->attributes() : std::vector<Attribute>{});
        out += "},\"scopeSpans\":[";
        bool first_ss = true;
        for (const auto& sg : rg.scopes) {
            if (!first_ss) out.push_back(',');
            first_ss = false;
            out += "{\"scope\":{\"name\":";
            json::String(out, sg.scope ? std::string_view(sg.scope->name) : std::string_view());
            if (sg.scope && !sg.scope->version.empty()) {
                out += ",\"version\":";
                json::String(out, sg.scope->version);
            }
            out += "},\"spans\":[";
            for (std::size_t i = 0; i < sg.spans.size(); ++i) {
                if (i) out.push_back(',');
                Span(out, *sg.spans[i]);
            }
            out.push_back(']');
            if (sg.scope && !sg.scope->schema_url.empty()) {
                out += ",\"schemaUrl\":";
                json::String(out, sg.scope->schema_url);
            }
            out.push_back('}');
        }
        out.push_back(']');
        if (rg.resource && !rg.resource->schema_url().empty()) {
            out += ",\"schemaUrl\":";
            json::String(out, rg.resource->schema_url());
        }
        out.push_back('}');
    }
    out += "]}";
}

std::optional<PartialSuccess> DecodePartialSuccessJson(std::string_view body) noexcept {
    // A tolerant scan: find "partialSuccess", then "rejectedSpans" (string or number) and
    // "errorMessage" (string without escapes beyond \" being kept verbatim).
    const std::size_t ps = body.find("\"partialSuccess\"");
    if (ps == std::string_view::npos) return std::nullopt;
    std::string_view rest = body.substr(ps);
    PartialSuccess out;
    if (const std::size_t r = rest.find("\"rejectedSpans\""); r != std::string_view::npos) {
        std::size_t i = rest.find(':', r);
        if (i == std::string_view::npos) return std::nullopt;
        ++i;
        while (i < rest.size() && (rest[i] == ' ' || rest[i] == '"')) ++i;
        std::int64_t v = 0;
        auto res = std::from_chars(rest.data() + i, rest.data() + rest.size(), v);
        if (res.ec == std::errc()) out.rejected_spans = v;
    }
    if (const std::size_t m = rest.find("\"errorMessage\""); m != std::string_view::npos) {
        const std::size_t open = rest.find('"', rest.find(':', m));
        if (open != std::string_view::npos) {
            std::size_t close = open + 1;
            while (close < rest.size() && (rest[close] != '"' || rest[close - 1] == '\\')) ++close;
            try {
                out.error_message = std::string(rest.substr(open + 1, close - open - 1));
            } catch (...) {
            }
        }
    }
    return out;
}

}  // namespace tome::telemetry::exporter
