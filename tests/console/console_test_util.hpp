// Builders of stored records for the console's tests: spans and log records with the fields a
// test cares about, encoded as the front ends encode them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "log_record.hpp"
#include "record_codec.hpp"
#include "resource_table.hpp"
#include "span_record.hpp"
#include "store.hpp"

namespace tome::console::testing {

using namespace tome::console::internal;

inline TraceIdBytes TraceN(std::uint64_t n) {
    TraceIdBytes id{};
    for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<std::uint8_t>(n >> (8 * i));
    id[0] = 0xAB;
    return id;
}
inline SpanIdBytes SpanN(std::uint64_t n) {
    SpanIdBytes id{};
    for (int i = 0; i < 8; ++i) id[7 - i] = static_cast<std::uint8_t>(n >> (8 * i));
    if (n == 0) id[0] = 1;
    return id;
}

inline std::uint32_t Resource(ResourceTable& resources, StringTable& strings, const std::string& service,
                              std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::string encoded;
    RecordWriter w(encoded, &strings);
    w.MapHeader(1 + extra.size());
    w.StrRef("service.name");
    w.StringValue(service);
    nlohmann::json json{{"service.name", service}};
    for (const auto& [k, v] : extra) {
        w.StrRef(k);
        w.StringValue(v);
        json[k] = v;
    }
    return resources.Intern(service, std::move(encoded), std::move(json));
}

struct SpanSpec {
    TraceIdBytes trace{};
    SpanIdBytes span{};
    SpanIdBytes parent{};
    std::uint32_t resource = 0;
    std::string name = "op";
    std::uint8_t kind = 1;
    std::uint8_t status = 0;
    std::uint64_t start_ns = 1'800'000'000'000'000'000ULL;
    std::uint64_t duration_ns = 1'000'000;
    std::uint32_t flags = 0x101;
    std::vector<std::pair<std::string, std::string>> attributes;  // string values
    std::vector<std::pair<std::string, std::int64_t>> int_attributes;
};

inline std::string EncodeSpan(StringTable& strings, const SpanSpec& s) {
    SpanRecordWriter writer(strings);
    SpanHeader h;
    h.trace_id = s.trace;
    h.span_id = s.span;
    h.parent_span_id = s.parent;
    h.start_ns = s.start_ns;
    h.end_ns = s.start_ns + s.duration_ns;
    h.resource_id = s.resource;
    h.flags = s.flags;
    h.kind = s.kind;
    h.status = s.status;
    writer.Begin(h, s.name, "test", "1.0", s.status == 2 ? "failed" : "", "", 0, 0, 0);
    RecordWriter& w = writer.writer();
    w.Varint(s.attributes.size() + s.int_attributes.size());
    for (const auto& [k, v] : s.attributes) {
        w.StrRef(k);
        w.StringValue(v);
    }
    for (const auto& [k, v] : s.int_attributes) {
        w.StrRef(k);
        w.IntValue(v);
    }
    w.Varint(0);  // events
    w.Varint(0);  // links
    return std::string(writer.Finish());
}

struct LogSpec {
    std::uint32_t resource = 0;
    std::uint8_t severity = 9;
    std::string body;
    TraceIdBytes trace{};
    SpanIdBytes span{};
    std::uint64_t time_ns = 1'800'000'000'000'000'000ULL;
    std::vector<std::pair<std::string, std::string>> attributes;
};

inline std::string EncodeLog(StringTable& strings, const LogSpec& l) {
    LogRecordWriter writer(strings);
    LogHeader h;
    h.severity = l.severity;
    h.resource_id = l.resource;
    h.trace_id = l.trace;
    h.span_id = l.span;
    h.time_ns = l.time_ns;
    h.observed_time_ns = l.time_ns;
    writer.Begin(h, "", "test", "", "", 0);
    RecordWriter& w = writer.writer();
    w.StringValue(l.body);
    w.Varint(l.attributes.size());
    for (const auto& [k, v] : l.attributes) {
        w.StrRef(k);
        w.StringValue(v);
    }
    return std::string(writer.Finish());
}

}  // namespace tome::console::testing
