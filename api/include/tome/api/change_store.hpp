// ChangeStore: where the Proxy makes every accepted change durable, with its audit record,
// before it answers. The API layer only describes changes; storage/ (SQLite) keeps them and
// puts the network back at the next start. Without a store, the Proxy keeps the audit trail in
// memory (MemoryAuditTrail) and changes last as long as the process.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tome/core/status.hpp"
#include "tome/core/tome_definition.hpp"

namespace tome::api {

/// One change the API accepted, as a store keeps it.
struct NetworkChange {
    enum class Kind {
        kTomeCreated,            ///< id, data = the tome definition (ToJson(TomeDefinition)).
        kRemoteTomeRegistered,   ///< id, data = {"endpoint": "http://host:port"}.
        kTomeDeleted,            ///< id (local or remote); its kept state goes with it.
        kConnectionCreated,      ///< id, data = {"source", "target", "config", "traceId"}.
        kConnectionDeleted,      ///< id.
        kToggleChanged,          ///< id = toggle name, data = {"enabled": bool}.
    };
    Kind kind;
    std::string id;
    Json data = Json::object();
};

/// One change through the API, or one refused request (401, 403): who asked, what, and how it
/// ended, with the request's trace id.
struct AuditRecord {
    std::int64_t seq = 0;              ///< Assigned by the trail; increasing.
    std::int64_t time_unix_ms = 0;
    std::string who;                   ///< The token's name; the client address when auth is off.
    std::string method;                ///< "POST".
    std::string route;                 ///< "/api/tomes/{id}"; the path when no route matched.
    std::string target;                ///< The thing changed: a tome, connection or toggle id.
    Json before;                       ///< Its value before the change, where it applies; null.
    Json after;                        ///< Its value after the change, where it applies; null.
    int status = 0;                    ///< The HTTP status of the answer.
    std::string result;                ///< "ok" or the error code ("not_found", "unauthenticated").
    std::string message;               ///< The error message; empty on success.
    std::string trace_id;
    std::string span_id;
};

/// {seq, time (RFC 3339, ms), timeUnixMs, who, method, route, target, before, after, status,
///  result, message, traceId, spanId}
Json ToJson(const AuditRecord& record);

/// GET /api/audit's filters. Every field is optional; records come newest first.
struct AuditQuery {
    std::optional<std::int64_t> from_unix_ms;  ///< Inclusive.
    std::optional<std::int64_t> to_unix_ms;    ///< Inclusive.
    std::string who;                           ///< Exact match; empty = anyone.
    std::string target;                        ///< Exact match; empty = anything.
    std::size_t limit = 100;                   ///< 1..kMaxAuditQueryLimit.
};
inline constexpr std::size_t kMaxAuditQueryLimit = 1000;

/// Keeps audit records and answers queries over them. Thread-safe.
class AuditTrail {
public:
    virtual ~AuditTrail() = default;
    /// The records matching `query`, newest first.
    virtual Result<std::vector<AuditRecord>> QueryAudit(const AuditQuery& query) const = 0;
    /// Keeps a record that goes with no change (a refused or failed request).
    virtual Status Record(AuditRecord record) = 0;
};

/// Makes changes durable. Thread-safe; Commit is called once per change request, with every
/// change the request made, in the order it made them.
class ChangeStore : public AuditTrail {
public:
    /// Keeps `changes` and `audit` together, all or nothing, durably before returning OK.
    virtual Status Commit(const std::vector<NetworkChange>& changes, AuditRecord audit) = 0;
};

/// The audit trail of a process without a store: the newest `capacity` records in memory.
class MemoryAuditTrail final : public AuditTrail {
public:
    static constexpr std::size_t kDefaultCapacity = 10000;
    explicit MemoryAuditTrail(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}
    Result<std::vector<AuditRecord>> QueryAudit(const AuditQuery& query) const override;
    Status Record(AuditRecord record) override;

private:
    const std::size_t capacity_;
    mutable std::mutex mu_;
    std::deque<AuditRecord> records_;  // guarded by mu_, oldest first
    std::int64_t next_seq_ = 1;        // guarded by mu_
};

/// True when `record` passes `query`'s filters (time range, who, target).
bool Matches(const AuditQuery& query, const AuditRecord& record);

}  // namespace tome::api
