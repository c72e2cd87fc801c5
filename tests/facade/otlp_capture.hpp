// Test helper: decodes what the loopback OTLP/HTTP receiver (tests/telemetry) got, per signal,
// with the official protos: spans, metric names with their data points, log records.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "loopback_receiver.hpp"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace tome::facade::testing {

namespace otlp = opentelemetry::proto;

inline std::string Hex(const std::string& bytes) {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    return out;
}

/// One attribute value as text (strings as is, numbers and bools printed).
inline std::string Text(const otlp::common::v1::AnyValue& v) {
    if (v.has_string_value()) return v.string_value();
    if (v.has_int_value()) return std::to_string(v.int_value());
    if (v.has_bool_value()) return v.bool_value() ? "true" : "false";
    if (v.has_double_value()) return std::to_string(v.double_value());
    return "?";
}

template <class Repeated>
std::map<std::string, std::string> Attributes(const Repeated& kvs) {
    std::map<std::string, std::string> out;
    for (const auto& kv : kvs) out[kv.key()] = Text(kv.value());
    return out;
}

struct Captured {
    std::vector<otlp::trace::v1::Span> spans;
    std::vector<otlp::metrics::v1::Metric> metrics;
    std::vector<otlp::logs::v1::LogRecord> logs;
    std::vector<std::string> api_keys;  ///< x-api-key of every request.

    const otlp::metrics::v1::Metric* Metric(const std::string& name) const {
        for (const auto& m : metrics)
            if (m.name() == name) return &m;
        return nullptr;
    }
};

inline Captured Decode(const telemetry::testing::LoopbackReceiver& rx) {
    Captured c;
    for (const auto& r : rx.requests()) {
        c.api_keys.push_back(r.custom_header);
        if (r.target == "/v1/traces") {
            otlp::collector::trace::v1::ExportTraceServiceRequest req;
            if (!req.ParseFromString(r.body)) continue;
            for (const auto& rs : req.resource_spans())
                for (const auto& ss : rs.scope_spans())
                    for (const auto& s : ss.spans()) c.spans.push_back(s);
        } else if (r.target == "/v1/metrics") {
            otlp::collector::metrics::v1::ExportMetricsServiceRequest req;
            if (!req.ParseFromString(r.body)) continue;
            for (const auto& rm : req.resource_metrics())
                for (const auto& sm : rm.scope_metrics())
                    for (const auto& m : sm.metrics()) c.metrics.push_back(m);
        } else if (r.target == "/v1/logs") {
            otlp::collector::logs::v1::ExportLogsServiceRequest req;
            if (!req.ParseFromString(r.body)) continue;
            for (const auto& rl : req.resource_logs())
                for (const auto& sl : rl.scope_logs())
                    for (const auto& l : sl.log_records()) c.logs.push_back(l);
        }
    }
    return c;
}

}  // namespace tome::facade::testing
