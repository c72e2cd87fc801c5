// The network front end: OTLP requests (decoded by libprotobuf from protobuf or from OTLP/JSON)
// checked item by item and turned into stored records. Check* runs on the receiving thread and
// says what would be rejected (for the partial-success answer); OtlpIngest::Add* runs on the
// writer thread and stores what passes the same checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "store.hpp"
#include "tome/core/status.hpp"

namespace tome::console::internal {

namespace otlp_trace = opentelemetry::proto::collector::trace::v1;
namespace otlp_metrics = opentelemetry::proto::collector::metrics::v1;
namespace otlp_logs = opentelemetry::proto::collector::logs::v1;

enum class OtlpSignal : std::uint8_t { kTraces, kMetrics, kLogs };
enum class OtlpEncoding : std::uint8_t { kProtobuf, kJson };

/// Items of a request that pass the checks and that do not, with the first reason.
struct OtlpCheck {
    std::uint64_t accepted = 0;
    std::uint64_t rejected = 0;
    std::string message;  ///< Why the first rejected item was rejected; empty when none.
};

OtlpCheck CheckTraces(const otlp_trace::ExportTraceServiceRequest& request);
OtlpCheck CheckLogs(const otlp_logs::ExportLogsServiceRequest& request);
OtlpCheck CheckMetrics(const otlp_metrics::ExportMetricsServiceRequest& request);

/// Decodes an OTLP body into `message`. OTLP/JSON ids are hex (not proto3 JSON's base64): they
/// are converted before libprotobuf's JSON parser reads the document; an id that is not hex is
/// left invalid so that its item is rejected by the checks, not the whole request. Errors
/// (kInvalidArgument) say what is malformed.
Status DecodeOtlp(std::string_view body, OtlpEncoding encoding, OtlpSignal signal,
                  google::protobuf::Message& message);

class OtlpIngest {
public:
    explicit OtlpIngest(Store& store) : store_(store), spans_(store.strings()), logs_(store.strings()) {}

    void AddTraces(const otlp_trace::ExportTraceServiceRequest& request, std::int64_t now_ms);
    void AddLogs(const otlp_logs::ExportLogsServiceRequest& request);
    void AddMetrics(const otlp_metrics::ExportMetricsServiceRequest& request);

private:
    std::uint32_t ResourceId(const opentelemetry::proto::resource::v1::Resource& resource);

    Store& store_;
    SpanRecordWriter spans_;
    LogRecordWriter logs_;
};

}  // namespace tome::console::internal
