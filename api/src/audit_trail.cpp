// The audit record's JSON shape, its filters, and the in-memory trail of a process without a store.
#include "audit.hpp"
#include "tome/api/change_store.hpp"
#include "tome/core/clock.hpp"

namespace tome::api {
namespace internal {

bool IsChangeRoute(std::string_view method, std::string_view operation) {
    if (method == "GET" || method == "HEAD" || method == "OPTIONS") return false;
    return operation == "tome_management" || operation == "connection_management" ||
           operation == "network_management" || operation == "toggle_management";
}

Json AuditValue(Json value) {
    if (value.is_null()) return value;
    const std::string text = value.dump();
    if (text.size() <= kMaxAuditValueBytes) return value;
    return {{"truncated", true}, {"bytes", text.size()}};
}

void LogAudit(telemetry::logs::Logger& log, const AuditRecord& r) {
    const bool refused = r.status >= 400;
    const auto severity = refused ? telemetry::logs::Severity::kWarn : telemetry::logs::Severity::kInfo;
    if (!log.Enabled(severity)) return;
    const std::string before = r.before.is_null() ? std::string() : r.before.dump();
    const std::string after = r.after.is_null() ? std::string() : r.after.dump();
    log.Log(severity, "Audit record",
            {{"tome.audit.who", r.who},
             {"tome.audit.target", r.target},
             {"tome.audit.result", r.result},
             {"tome.audit.before", before},
             {"tome.audit.after", after},
             {"http.request.method", r.method},
             {"http.route", r.route},
             {"http.response.status_code", static_cast<std::int64_t>(r.status)},
             {"error.message", r.message}});
}

}  // namespace internal

Json ToJson(const AuditRecord& r) {
    const Clock::TimePoint at{std::chrono::milliseconds(r.time_unix_ms)};
    return {{"seq", r.seq},       {"time", FormatRfc3339(at)}, {"timeUnixMs", r.time_unix_ms},
            {"who", r.who},       {"method", r.method},        {"route", r.route},
            {"target", r.target}, {"before", r.before},        {"after", r.after},
            {"status", r.status}, {"result", r.result},        {"message", r.message},
            {"traceId", r.trace_id}, {"spanId", r.span_id}};
}

bool Matches(const AuditQuery& q, const AuditRecord& r) {
    if (q.from_unix_ms && r.time_unix_ms < *q.from_unix_ms) return false;
    if (q.to_unix_ms && r.time_unix_ms > *q.to_unix_ms) return false;
    if (!q.who.empty() && r.who != q.who) return false;
    if (!q.target.empty() && r.target != q.target) return false;
    return true;
}

Result<std::vector<AuditRecord>> MemoryAuditTrail::QueryAudit(const AuditQuery& query) const {
    std::vector<AuditRecord> out;
    std::lock_guard lock(mu_);
    for (auto it = records_.rbegin(); it != records_.rend() && out.size() < query.limit; ++it) {
        if (Matches(query, *it)) out.push_back(*it);
    }
    return out;
}

Status MemoryAuditTrail::Record(AuditRecord record) {
    std::lock_guard lock(mu_);
    record.seq = next_seq_++;
    records_.push_back(std::move(record));
    while (records_.size() > capacity_) records_.pop_front();
    return Status::Ok();
}

}  // namespace tome::api
