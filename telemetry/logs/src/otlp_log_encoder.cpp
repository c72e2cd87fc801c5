// ExportLogsServiceRequest in the protobuf wire format, written by hand (no generated code).
// otlp_log_json_encoder.cpp is its OTLP/JSON twin, laid out the same way.
#include <vector>

#include "log_proto_writer.hpp"
#include "otlp_log_common.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"

namespace tome::telemetry::logs {
namespace {

using detail::PbOut;

// Field numbers from opentelemetry/proto common/v1, resource/v1, logs/v1 and
// collector/logs/v1 (see proto/ in this repository).
namespace any {
constexpr std::uint32_t kString = 1, kBool = 2, kInt = 3, kDouble = 4, kArray = 5, kKvList = 6,
                        kBytes = 7;
}
namespace rec {
constexpr std::uint32_t kTime = 1, kSeverityNumber = 2, kSeverityText = 3, kBody = 5,
                        kAttributes = 6, kDroppedAttributes = 7, kFlags = 8, kTraceId = 9,
                        kSpanId = 10, kObservedTime = 11, kEventName = 12;
}

void WriteKeyValues(PbOut& w, std::uint32_t field, const std::vector<LogKeyValue>& kvs);

// The fields of an AnyValue message (the caller opened it).
void WriteAnyValueBody(PbOut& w, const LogValue& value) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool>) {
                w.UInt(any::kBool, v ? 1 : 0);
            } else if constexpr (std::is_same_v<V, std::int64_t>) {
                w.UInt(any::kInt, static_cast<std::uint64_t>(v));
            } else if constexpr (std::is_same_v<V, double>) {
                w.Double(any::kDouble, v);
            } else if constexpr (std::is_same_v<V, std::string>) {
                w.String(any::kString, v);
            } else if constexpr (std::is_same_v<V, LogValue::Bytes>) {
                w.Bytes(any::kBytes, v.data.data(), v.data.size());
            } else if constexpr (std::is_same_v<V, LogValue::Array>) {
                const std::size_t arr = w.Open(any::kArray);
                for (const LogValue& item : v) {
                    const std::size_t m = w.Open(1);  // ArrayValue.values
                    WriteAnyValueBody(w, item);
                    w.Close(m);
                }
                w.Close(arr);
            } else if constexpr (std::is_same_v<V, LogValue::Map>) {
                const std::size_t list = w.Open(any::kKvList);
                WriteKeyValues(w, 1, v);  // KeyValueList.values
                w.Close(list);
            }
            // monostate: an empty AnyValue.
        },
        value.value);
}

void WriteKeyValues(PbOut& w, std::uint32_t field, const std::vector<LogKeyValue>& kvs) {
    for (const auto& kv : kvs) {
        const std::size_t m = w.Open(field);
        w.String(1, kv.key);
        const std::size_t v = w.Open(2);
        WriteAnyValueBody(w, kv.value);
        w.Close(v);
        w.Close(m);
    }
}

void WriteRecord(PbOut& w, const LogRecord& r) {
    const std::size_t m = w.Open(2);  // ScopeLogs.log_records
    if (r.time_unix_nano) w.Fixed64(rec::kTime, r.time_unix_nano);
    if (r.severity != Severity::kUnspecified)
        w.UInt(rec::kSeverityNumber, static_cast<std::uint64_t>(r.severity));
    if (!r.severity_text.empty()) {
        w.String(rec::kSeverityText, r.severity_text);
    } else if (r.severity != Severity::kUnspecified) {
        w.String(rec::kSeverityText, SeverityShortName(r.severity));
    }
    if (!r.body.empty()) {
        const std::size_t b = w.Open(rec::kBody);
        WriteAnyValueBody(w, r.body);
        w.Close(b);
    }
    WriteKeyValues(w, rec::kAttributes, r.attributes);
    if (r.dropped_attributes_count) w.UInt(rec::kDroppedAttributes, r.dropped_attributes_count);
    if (r.trace_flags) w.Fixed32(rec::kFlags, r.trace_flags);
    if (r.trace_id.IsValid()) w.Bytes(rec::kTraceId, r.trace_id.bytes.data(), 16);
    if (r.span_id.IsValid()) w.Bytes(rec::kSpanId, r.span_id.bytes.data(), 8);
    if (r.observed_time_unix_nano) w.Fixed64(rec::kObservedTime, r.observed_time_unix_nano);
    if (!r.event_name.empty()) w.String(rec::kEventName, r.event_name);
    w.Close(m);
}

void WriteResourceAttributes(PbOut& w, const trace::Resource& res) {
    const std::size_t m = w.Open(1);  // ResourceLogs.resource
    for (const auto& a : res.attributes()) {
        WriteKeyValues(w, 1, {detail::ResourceKeyValue(a)});  // Resource.attributes
    }
    w.Close(m);
}

}  // namespace

void EncodeOtlpLogs(std::span<const std::unique_ptr<LogRecord>> batch, std::string& out) {
    PbOut w(out);
    for (const auto& rg : detail::GroupLogRecords(batch)) {
        const std::size_t rl = w.Open(1);  // ExportLogsServiceRequest.resource_logs
        if (rg.resource != nullptr) WriteResourceAttributes(w, *rg.resource);
        for (const auto& sg : rg.scopes) {
            const std::size_t sl = w.Open(2);  // ResourceLogs.scope_logs
            if (sg.scope != nullptr) {
                const std::size_t sc = w.Open(1);  // ScopeLogs.scope
                if (!sg.scope->name.empty()) w.String(1, sg.scope->name);
                if (!sg.scope->version.empty()) w.String(2, sg.scope->version);
                w.Close(sc);
            }
            for (const LogRecord* r : sg.records) WriteRecord(w, *r);
            if (sg.scope != nullptr && !sg.scope->schema_url.empty())
                w.String(3, sg.scope->schema_url);
            w.Close(sl);
        }
        if (rg.resource != nullptr && !rg.resource->schema_url().empty())
            w.String(3, rg.resource->schema_url());
        w.Close(rl);
    }
}

}  // namespace tome::telemetry::logs
