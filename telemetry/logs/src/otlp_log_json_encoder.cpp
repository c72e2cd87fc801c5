// The OTLP/JSON twin of otlp_log_encoder.cpp: the same ExportLogsServiceRequest, field for field
// and in the same order, written as OTLP/JSON (lowerCamelCase names, 64-bit integers as decimal
// strings, SeverityNumber as an integer, trace/span ids as hex, bytesValue as base64). Fields
// the protobuf encoder leaves out are left out here too, so both decode to equal messages.
#include <vector>

#include "otlp_log_common.hpp"
#include "tome/telemetry/api/json_writer.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"

namespace tome::telemetry::logs {
namespace {

void WriteKeyValues(std::string& out, std::string_view name, const std::vector<LogKeyValue>& kvs);

// An AnyValue object; monostate is the empty AnyValue `{}`.
void WriteAnyValue(std::string& out, const LogValue& value) {
    out.push_back('{');
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool>) {
                out += "\"boolValue\":";
                json::Bool(out, v);
            } else if constexpr (std::is_same_v<V, std::int64_t>) {
                out += "\"intValue\":";
                json::QuotedInteger(out, v);
            } else if constexpr (std::is_same_v<V, double>) {
                out += "\"doubleValue\":";
                json::Double(out, v);
            } else if constexpr (std::is_same_v<V, std::string>) {
                out += "\"stringValue\":";
                json::String(out, v);
            } else if constexpr (std::is_same_v<V, LogValue::Bytes>) {
                out += "\"bytesValue\":";
                json::Base64(out, v.data);
            } else if constexpr (std::is_same_v<V, LogValue::Array>) {
                out += "\"arrayValue\":{\"values\":[";
                for (std::size_t i = 0; i < v.size(); ++i) {
                    if (i) out.push_back(',');
                    WriteAnyValue(out, v[i]);
                }
                out += "]}";
            } else if constexpr (std::is_same_v<V, LogValue::Map>) {
                out += "\"kvlistValue\":{";
                WriteKeyValues(out, "values", v);
                out.push_back('}');
            }
        },
        value.value);
    out.push_back('}');
}

// `"<name>":[{"key":...,"value":{...}},...]`
void WriteKeyValues(std::string& out, std::string_view name, const std::vector<LogKeyValue>& kvs) {
    json::Key(out, name);
    out.push_back('[');
    for (std::size_t i = 0; i < kvs.size(); ++i) {
        if (i) out.push_back(',');
        out += "{\"key\":";
        json::String(out, kvs[i].key);
        out += ",\"value\":";
        WriteAnyValue(out, kvs[i].value);
        out.push_back('}');
    }
    out.push_back(']');
}

void WriteRecord(std::string& out, const LogRecord& r) {
    out.push_back('{');
    if (r.time_unix_nano) {
        out += "\"timeUnixNano\":";
        json::QuotedInteger(out, r.time_unix_nano);
        out.push_back(',');
    }
    if (r.severity != Severity::kUnspecified) {
        out += "\"severityNumber\":";
        json::Integer(out, static_cast<int>(r.severity));
        out.push_back(',');
    }
    if (!r.severity_text.empty()) {
        out += "\"severityText\":";
        json::String(out, r.severity_text);
        out.push_back(',');
    } else if (r.severity != Severity::kUnspecified) {
        out += "\"severityText\":";
        json::String(out, SeverityShortName(r.severity));
        out.push_back(',');
    }
    if (!r.body.empty()) {
        out += "\"body\":";
        WriteAnyValue(out, r.body);
        out.push_back(',');
    }
    WriteKeyValues(out, "attributes", r.attributes);
    if (r.dropped_attributes_count) {
        out += ",\"droppedAttributesCount\":";
        json::Integer(out, r.dropped_attributes_count);
    }
    if (r.trace_flags) {
        out += ",\"flags\":";
        json::Integer(out, static_cast<unsigned>(r.trace_flags));
    }
    if (r.trace_id.IsValid()) {
        out += ",\"traceId\":";
        json::Hex(out, r.trace_id.bytes.data(), 16);
    }
    if (r.span_id.IsValid()) {
        out += ",\"spanId\":";
        json::Hex(out, r.span_id.bytes.data(), 8);
    }
    if (r.observed_time_unix_nano) {
        out += ",\"observedTimeUnixNano\":";
        json::QuotedInteger(out, r.observed_time_unix_nano);
    }
    if (!r.event_name.empty()) {
        out += ",\"eventName\":";
        json::String(out, r.event_name);
    }
    out.push_back('}');
}

void WriteResourceAttributes(std::string& out, const trace::Resource& res) {
    out += "\"resource\":{";
    std::vector<LogKeyValue> attrs;
    attrs.reserve(res.attributes().size());
    for (const auto& a : res.attributes()) attrs.push_back(detail::ResourceKeyValue(a));
    WriteKeyValues(out, "attributes", attrs);
    out += "},";
}

}  // namespace

void EncodeOtlpLogsJson(std::span<const std::unique_ptr<LogRecord>> batch, std::string& out) {
    out += "{\"resourceLogs\":[";
    bool first_resource = true;
    for (const auto& rg : detail::GroupLogRecords(batch)) {
        if (!first_resource) out.push_back(',');
        first_resource = false;
        out.push_back('{');
        if (rg.resource != nullptr) WriteResourceAttributes(out, *rg.resource);
        out += "\"scopeLogs\":[";
        bool first_scope = true;
        for (const auto& sg : rg.scopes) {
            if (!first_scope) out.push_back(',');
            first_scope = false;
            out.push_back('{');
            if (sg.scope != nullptr) {
                out += "\"scope\":{";
                bool scope_field = false;
                if (!sg.scope->name.empty()) {
                    out += "\"name\":";
                    json::String(out, sg.scope->name);
                    scope_field = true;
                }
                if (!sg.scope->version.empty()) {
                    if (scope_field) out.push_back(',');
                    out += "\"version\":";
                    json::String(out, sg.scope->version);
                }
                out += "},";
            }
            out += "\"logRecords\":[";
            for (std::size_t i = 0; i < sg.records.size(); ++i) {
                if (i) out.push_back(',');
                WriteRecord(out, *sg.records[i]);
            }
            out.push_back(']');
            if (sg.scope != nullptr && !sg.scope->schema_url.empty()) {
                out += ",\"schemaUrl\":";
                json::String(out, sg.scope->schema_url);
            }
            out.push_back('}');
        }
        out.push_back(']');
        if (rg.resource != nullptr && !rg.resource->schema_url().empty()) {
            out += ",\"schemaUrl\":";
            json::String(out, rg.resource->schema_url());
        }
        out.push_back('}');
    }
    out += "]}";
}

}  // namespace tome::telemetry::logs
