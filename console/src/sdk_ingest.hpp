// The in-process front end: turns the SDK's own types (trace::SpanData, logs::LogRecord,
// metrics::MetricsData) into stored records without going through OTLP. Resources are interned
// once per resource object (the SDK shares one per provider). Writer thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "store.hpp"
#include "tome/telemetry/logs/log_record.hpp"
#include "tome/telemetry/metrics/metric_data.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::console::internal {

class SdkIngest {
public:
    explicit SdkIngest(Store& store) : store_(store), spans_(store.strings()), logs_(store.strings()) {}

    void AddSpan(const telemetry::trace::SpanData& span, std::int64_t now_ms);
    void AddLog(const telemetry::logs::LogRecord& record);
    void AddMetrics(const telemetry::metrics::MetricsData& data);

private:
    std::uint32_t ResourceId(const std::shared_ptr<const telemetry::trace::Resource>& resource);

    Store& store_;
    SpanRecordWriter spans_;
    LogRecordWriter logs_;
    // Pinned so that an address is never reused for another resource while cached.
    std::map<const telemetry::trace::Resource*,
             std::pair<std::shared_ptr<const telemetry::trace::Resource>, std::uint32_t>>
        resources_;
};

/// Writes an SDK attribute value / log value in the record encoding.
void WriteValue(RecordWriter& w, const telemetry::trace::AttributeValue& value);
void WriteValue(RecordWriter& w, const telemetry::logs::LogValue& value, int depth = 0);
/// The same value as JSON (for resource tables).
nlohmann::json ValueJson(const telemetry::trace::AttributeValue& value);

}  // namespace tome::console::internal
