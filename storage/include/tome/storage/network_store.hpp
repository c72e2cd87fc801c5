// NetworkStore: tome's durable state in one SQLite file (WAL mode). It keeps every change the API
// accepted (tomes, remote tomes, connections, toggles), each committed with its audit record and
// fsynced before the API answers; the state and context of every tome, written behind by
// StateWriter; and the audit trail, bounded. At start, Load() gives back what RestoreNetwork()
// puts on top of the config's network.
//
// Refusals at Open (FailedPrecondition, the file left as it was): a file that is not a tome store
// or is corrupt, a store written by a newer tome (a higher format version), and a store another
// process holds (an flock on "<path>-lock").
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "tome/api/change_store.hpp"

namespace tome::storage {

namespace internal {
class Database;
}

struct NetworkStoreOptions {
    std::string path;  ///< The database file; its directory is created when missing.
    /// The audit trail keeps the newest this many records (storage.auditMaxRecords).
    std::size_t max_audit_records = 100000;
};
inline constexpr std::size_t kMinAuditRecords = 100;
inline constexpr std::size_t kMaxAuditRecords = 100'000'000;

/// What the config defines. Deleting one of these through the API is kept as a tombstone, so
/// that the next start (which builds the config's network first) deletes it again.
struct ConfigDefined {
    std::set<std::string> tomes;        ///< Local and remote tome ids.
    std::set<std::string> connections;  ///< Connection ids ("conn-1-a-b": the config's are stable).
};

/// Everything a store holds about the network, in the order it was created.
struct StoredNetwork {
    struct Tome {
        std::string id;
        Json definition;  ///< ToJson(TomeDefinition).
    };
    struct RemoteTome {
        std::string id;
        std::string endpoint;
    };
    struct Connection {
        std::string id, source, target;
        Json config;  ///< ToJson(ConnectionConfig).
        std::string trace_id;
    };
    struct TomeState {
        std::string id;
        std::string state;
        Json context;
        std::uint64_t events_received = 0, transitions = 0, events_ignored = 0;
        std::int64_t written_unix_ms = 0;
    };
    std::vector<std::string> deleted_config_tomes;
    std::vector<std::string> deleted_config_connections;
    /// Tomes and remote tomes, oldest first (each entry is one or the other).
    std::vector<std::variant<Tome, RemoteTome>> tomes;
    std::vector<Connection> connections;  ///< Oldest first.
    std::map<std::string, bool> toggles;
    std::vector<TomeState> states;
    /// The n the next "conn-<n>-..." id may take: one past the highest ever created, deleted
    /// ones included (0: none was).
    std::uint64_t next_connection_number = 0;
};

struct NetworkStoreStats {
    std::uint64_t changes_committed = 0;  ///< Commit() calls that succeeded.
    std::uint64_t commit_failures = 0;
    std::uint64_t states_written = 0;     ///< Tome state rows written by WriteStates.
    std::uint64_t state_batches = 0;
};

class NetworkStore final : public api::ChangeStore {
public:
    /// The on-disk format this tome writes (PRAGMA user_version). A store with a higher one is
    /// refused; a lower one would be migrated (there is none yet).
    static constexpr std::int64_t kFormatVersion = 1;
    /// PRAGMA application_id of a tome store: "tome" in ASCII.
    static constexpr std::int64_t kApplicationId = 0x746F6D65;

    /// Opens or creates the store. FailedPrecondition for the refusals above (the message names
    /// the file and what is wrong), Unavailable when the file cannot be created.
    static Result<std::unique_ptr<NetworkStore>> Open(NetworkStoreOptions options);
    ~NetworkStore() override;

    const std::string& path() const { return options_.path; }

    /// Which ids the config defines (call once, before changes arrive).
    void SetConfigDefined(ConfigDefined ids);

    Result<StoredNetwork> Load();

    // api::ChangeStore
    Status Commit(const std::vector<api::NetworkChange>& changes, api::AuditRecord audit) override;
    /// Keeps a record of a refused or failed request: safe across a crash of the process, on
    /// the disk with the next change's commit (no fsync of its own).
    Status Record(api::AuditRecord record) override;
    Result<std::vector<api::AuditRecord>> QueryAudit(const api::AuditQuery& query) const override;

    /// Writes tome states in one transaction. `still_current(id)` is asked under the store's
    /// lock, so that a tome deleted (or re-created) meanwhile does not get a stale row back.
    Status WriteStates(const std::vector<StoredNetwork::TomeState>& states,
                       const std::function<bool(const std::string&)>& still_current);

    NetworkStoreStats stats() const;

private:
    explicit NetworkStore(NetworkStoreOptions options);
    Status Initialise();
    Status Apply(const api::NetworkChange& change);       // requires mu_, inside a transaction
    Status InsertAudit(api::AuditRecord& record);         // requires mu_, inside a transaction
    Status InTransaction(const std::function<Status()>& work);  // requires mu_

    const NetworkStoreOptions options_;
    int lock_fd_ = -1;
    mutable std::mutex mu_;                    // guards db_ and the fields below
    std::unique_ptr<internal::Database> db_;
    ConfigDefined config_;
    std::int64_t next_seq_ = 1;
    std::uint64_t audit_inserts_ = 0;
    NetworkStoreStats stats_;
};

}  // namespace tome::storage
