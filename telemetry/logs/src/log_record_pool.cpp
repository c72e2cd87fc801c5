#include "tome/telemetry/logs/log_record_pool.hpp"

#include "log_record_fill.hpp"
#include "tome/telemetry/api/record_pool.hpp"

#include <type_traits>
#include <variant>

namespace tome::telemetry::logs {
namespace {

using Pool = telemetry::detail::RecordPool<LogRecord>;

// Every field of LogRecord: a field added there must be reset here and written in
// detail::FillLogRecord.
void Reset(LogRecord& r) noexcept {
    r.time_unix_nano = 0;
    r.observed_time_unix_nano = 0;
    r.severity = Severity::kUnspecified;
    r.severity_text.clear();
    r.body.value.emplace<std::monostate>();
    r.attributes.clear();
    r.dropped_attributes_count = 0;
    r.event_name.clear();
    r.trace_id = TraceId{};
    r.span_id = SpanId{};
    r.trace_flags = 0;
    r.resource.reset();
    r.scope.reset();
}

}  // namespace

std::unique_ptr<LogRecord> AcquireLogRecord() {
    std::unique_ptr<LogRecord> r = Pool::Instance().Acquire();
    Reset(*r);
    return r;
}

std::unique_ptr<LogRecord> CopyLogRecord(const LogRecord& source) {
    std::unique_ptr<LogRecord> r = Pool::Instance().Acquire();
    *r = source;  // member-wise copy-assignment reuses the target's string and vector buffers
    return r;
}

void RecycleLogRecords(std::vector<std::unique_ptr<LogRecord>>& records) noexcept {
    Pool::Instance().Recycle(records);
}

void RecycleLogRecordHere(std::unique_ptr<LogRecord> record) noexcept {
    Pool::Instance().RecycleHere(std::move(record));
}

namespace detail {

std::unique_ptr<LogRecord> AcquireLogRecordForFill() { return Pool::Instance().Acquire(); }

namespace {

// Writes `view` into `out`: a string into the string `out` already holds, a scalar in place,
// an array through ToLogValue.
void AssignValue(LogValue& out, const trace::AttributeView& view) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string_view>) {
                if (auto* s = std::get_if<std::string>(&out.value)) {
                    s->assign(v);
                } else {
                    out.value.template emplace<std::string>(v);
                }
            } else if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::int64_t> ||
                                 std::is_same_v<V, double>) {
                out.value = v;
            } else {
                out = ToLogValue(view);
            }
        },
        view.storage());
}

}  // namespace

void FillLogRecord(LogRecord& r, Severity severity, std::string_view message,
                   std::span<const trace::AttributeKV> attributes, std::uint64_t time_unix_nano,
                   const trace::SpanContext& span) {
    r.time_unix_nano = time_unix_nano;
    r.observed_time_unix_nano = 0;
    r.severity = severity;
    r.severity_text.clear();
    if (auto* body = std::get_if<std::string>(&r.body.value)) {
        body->assign(message);
    } else {
        r.body.value.emplace<std::string>(message);
    }
    // Shrinking destroys the extra entries; the kept ones are overwritten in place.
    r.attributes.resize(attributes.size());
    for (std::size_t i = 0; i < attributes.size(); ++i) {
        r.attributes[i].key.assign(attributes[i].key);
        AssignValue(r.attributes[i].value, attributes[i].value);
    }
    r.dropped_attributes_count = 0;
    r.event_name.clear();
    if (span.IsValid()) {  // explicit ids win over the current Context's in the Logger
        r.trace_id = span.trace_id;
        r.span_id = span.span_id;
        r.trace_flags = span.trace_flags;
    } else {
        r.trace_id = TraceId{};
        r.span_id = SpanId{};
        r.trace_flags = 0;
    }
    // resource and scope: set by the Logger before the record leaves it.
}

}  // namespace detail
}  // namespace tome::telemetry::logs
