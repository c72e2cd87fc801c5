#include "tome/storage/network_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sqlite.hpp"

namespace tome::storage {
namespace {

using internal::Database;
using Kind = api::NetworkChange::Kind;

constexpr const char* kSchema = R"sql(
CREATE TABLE tomes (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE connections (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, source TEXT NOT NULL,
                          target TEXT NOT NULL, config TEXT NOT NULL, trace_id TEXT NOT NULL);
CREATE TABLE deleted_config (kind TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE toggles (name TEXT PRIMARY KEY, enabled INTEGER NOT NULL);
CREATE TABLE tome_state (id TEXT PRIMARY KEY, state TEXT NOT NULL, context TEXT NOT NULL,
                         events_received INTEGER NOT NULL, transitions INTEGER NOT NULL,
                         events_ignored INTEGER NOT NULL, written_unix_ms INTEGER NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, time_unix_ms INTEGER NOT NULL, who TEXT NOT NULL,
                    method TEXT NOT NULL, route TEXT NOT NULL, target TEXT NOT NULL,
                    before TEXT, after TEXT, status INTEGER NOT NULL, result TEXT NOT NULL,
                    message TEXT NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL);
CREATE INDEX audit_by_time ON audit (time_unix_ms);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
)sql";

/// n of "conn-<n>-...", or 0.
std::uint64_t ConnectionNumber(const std::string& id) {
    if (id.rfind("conn-", 0) != 0) return 0;
    std::uint64_t n = 0;
    for (std::size_t i = 5; i < id.size() && id[i] >= '0' && id[i] <= '9' && n < (1ull << 60); ++i) {
        n = n * 10 + static_cast<std::uint64_t>(id[i] - '0');
    }
    return n;
}

Status Refused(const std::string& path, const std::string& why) {
    return FailedPrecondition("storage: " + path + " " + why +
                              "; tome leaves the file as it is (move it away, or set storage.path "
                              "or TOME_DATA_DIR to another place)");
}

/// Looks at an existing file read-only: a tome store of a format this tome reads, not corrupt,
/// or an empty database. Nothing is written.
Status CheckExisting(const std::string& path) {
    Database db;
    if (auto st = db.Open(path, SQLITE_OPEN_READONLY); !st.ok()) {
        return Refused(path, "cannot be read: " + st.message());
    }
    auto app_id = db.QueryInt("PRAGMA application_id");
    if (!app_id.ok()) return Refused(path, "is not a tome store or is corrupt: " + app_id.status().message());
    auto version = db.QueryInt("PRAGMA user_version");
    if (!version.ok()) return Refused(path, "is not a tome store or is corrupt: " + version.status().message());
    auto tables = db.QueryInt("SELECT count(*) FROM sqlite_master");
    if (!tables.ok()) return Refused(path, "is not a tome store or is corrupt: " + tables.status().message());
    if (*app_id == 0 && *tables == 0) return Status::Ok();  // an empty database: becomes a store
    if (*app_id != NetworkStore::kApplicationId) {
        return Refused(path, "is an SQLite database of another application (application_id " +
                                 std::to_string(*app_id) + "), not a tome store");
    }
    if (*version > NetworkStore::kFormatVersion) {
        return Refused(path, "was written by a newer tome (store format " + std::to_string(*version) +
                                 "; this tome reads format " +
                                 std::to_string(NetworkStore::kFormatVersion) + " and older)");
    }
    auto check = db.QueryText("PRAGMA quick_check");
    if (!check.ok()) return Refused(path, "is corrupt: " + check.status().message());
    if (*check != "ok") return Refused(path, "is corrupt: " + *check);
    return Status::Ok();
}

std::int64_t NowUnixMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Json ParseOr(const std::string& text, Json fallback) {
    Json j = Json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

}  // namespace

NetworkStore::NetworkStore(NetworkStoreOptions options)
    : options_(std::move(options)), db_(std::make_unique<Database>()) {}

NetworkStore::~NetworkStore() {
    {
        std::lock_guard lock(mu_);
        db_->Close();
    }
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<NetworkStore>> NetworkStore::Open(NetworkStoreOptions options) {
    if (options.path.empty()) return InvalidArgument("storage: the store's path is empty");
    if (options.max_audit_records < kMinAuditRecords || options.max_audit_records > kMaxAuditRecords) {
        return InvalidArgument("storage: auditMaxRecords must be from " + std::to_string(kMinAuditRecords) +
                               " to " + std::to_string(kMaxAuditRecords));
    }
    const std::filesystem::path file(options.path);
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) return Unavailable("storage: cannot create " + file.parent_path().string() + ": " + ec.message());

    std::unique_ptr<NetworkStore> store(new NetworkStore(std::move(options)));
    const std::string& path = store->options_.path;
    const std::string lock_path = path + "-lock";
    store->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (store->lock_fd_ < 0) return Unavailable("storage: cannot open " + lock_path + ": " + std::strerror(errno));
    if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        return FailedPrecondition("storage: " + path + " is in use by another tome process (it holds " +
                                  lock_path + ")");
    }
    if (std::filesystem::exists(file, ec) && std::filesystem::file_size(file, ec) > 0) {
        if (auto st = CheckExisting(path); !st.ok()) return st;
    }
    if (auto st = store->db_->Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
        !st.ok()) {
        return Unavailable("storage: " + st.message());
    }
    if (auto st = store->Initialise(); !st.ok()) return st;
    return store;
}

Status NetworkStore::Initialise() {
    std::lock_guard lock(mu_);
    // WAL: readers do not block the writer; FULL: a commit is on disk (the WAL fsynced) when
    // it returns, so an acknowledged change survives a crash of the process or the machine.
    auto mode = db_->QueryText("PRAGMA journal_mode=WAL");
    if (!mode.ok() || *mode != "wal") {
        return Unavailable("storage: " + options_.path + ": cannot use WAL mode: " +
                           (mode.ok() ? *mode : mode.status().message()));
    }
    if (auto st = db_->Exec("PRAGMA synchronous=FULL"); !st.ok()) return Unavailable("storage: " + st.message());
    auto version = db_->QueryInt("PRAGMA user_version");
    if (!version.ok()) return Unavailable("storage: " + version.status().message());
    if (*version == 0) {
        const std::string create = std::string("BEGIN IMMEDIATE;") + kSchema +
                                   "PRAGMA application_id=" + std::to_string(kApplicationId) +
                                   ";PRAGMA user_version=" + std::to_string(kFormatVersion) + ";COMMIT;";
        if (auto st = db_->Exec(create); !st.ok()) {
            (void)db_->Exec("ROLLBACK");
            return Unavailable("storage: " + options_.path + ": cannot create the schema: " + st.message());
        }
    }
    auto seq = db_->QueryInt(
        "SELECT max(coalesce((SELECT max(seq) FROM tomes), 0), coalesce((SELECT max(seq) FROM connections), 0))");
    if (!seq.ok()) return Unavailable("storage: " + seq.status().message());
    next_seq_ = *seq + 1;
    return Status::Ok();
}

void NetworkStore::SetConfigDefined(ConfigDefined ids) {
    std::lock_guard lock(mu_);
    config_ = std::move(ids);
}

Status NetworkStore::InTransaction(const std::function<Status()>& work) {
    if (auto st = db_->Exec("BEGIN IMMEDIATE"); !st.ok()) return Unavailable("storage: " + st.message());
    Status st = work();
    if (st.ok()) st = db_->Exec("COMMIT");
    if (!st.ok()) {
        (void)db_->Exec("ROLLBACK");
        return Unavailable("storage: " + st.message());
    }
    return Status::Ok();
}

Status NetworkStore::Apply(const api::NetworkChange& c) {
    const auto run = [&](std::string_view sql, auto&&... binds) -> Status {
        auto stmt = db_->Prepare(sql);
        if (!stmt.ok()) return stmt.status();
        int i = 0;
        (stmt->Bind(++i, binds), ...);
        return stmt->Run();
    };
    const auto tombstone = [&](const char* kind, const std::set<std::string>& defined) -> Status {
        if (defined.count(c.id) == 0) return Status::Ok();
        return run("INSERT OR IGNORE INTO deleted_config (kind, id) VALUES (?, ?)", std::string_view(kind),
                   std::string_view(c.id));
    };
    switch (c.kind) {
        case Kind::kTomeCreated:
        case Kind::kRemoteTomeRegistered: {
            const bool local = c.kind == Kind::kTomeCreated;
            const std::string body = local ? c.data.dump() : c.data.value("endpoint", "");
            if (auto st = run("DELETE FROM tome_state WHERE id = ?", std::string_view(c.id)); !st.ok()) return st;
            return run("INSERT OR REPLACE INTO tomes (id, seq, kind, body) VALUES (?, ?, ?, ?)",
                       std::string_view(c.id), next_seq_++, std::string_view(local ? "local" : "remote"),
                       std::string_view(body));
        }
        case Kind::kTomeDeleted: {
            if (auto st = run("DELETE FROM tomes WHERE id = ?", std::string_view(c.id)); !st.ok()) return st;
            if (auto st = run("DELETE FROM tome_state WHERE id = ?", std::string_view(c.id)); !st.ok()) return st;
            return tombstone("tome", config_.tomes);
        }
        case Kind::kConnectionCreated:
            // Ids are never handed out twice, even after the connection is deleted and tome restarts.
            if (auto st = run("INSERT INTO meta (key, value) VALUES ('next_connection_number', ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                              static_cast<std::int64_t>(ConnectionNumber(c.id) + 1));
                !st.ok())
                return st;
            return run("INSERT OR REPLACE INTO connections (id, seq, source, target, config, trace_id) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       std::string_view(c.id), next_seq_++, c.data.value("source", std::string()),
                       c.data.value("target", std::string()),
                       c.data.value("config", Json::object()).dump(),
                       c.data.value("traceId", std::string()));
        case Kind::kConnectionDeleted:
            if (auto st = run("DELETE FROM connections WHERE id = ?", std::string_view(c.id)); !st.ok()) return st;
            return tombstone("connection", config_.connections);
        case Kind::kToggleChanged:
            return run("INSERT OR REPLACE INTO toggles (name, enabled) VALUES (?, ?)", std::string_view(c.id),
                       std::int64_t{c.data.value("enabled", false) ? 1 : 0});
    }
    return Internal("unknown change kind");
}

Status NetworkStore::InsertAudit(api::AuditRecord& r) {
    auto stmt = db_->Prepare(
        "INSERT INTO audit (time_unix_ms, who, method, route, target, before, after, status, result, "
        "message, trace_id, span_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, r.time_unix_ms).Bind(2, r.who).Bind(3, r.method).Bind(4, r.route).Bind(5, r.target);
    if (r.before.is_null()) stmt->BindNull(6); else stmt->Bind(6, r.before.dump());
    if (r.after.is_null()) stmt->BindNull(7); else stmt->Bind(7, r.after.dump());
    stmt->Bind(8, std::int64_t{r.status}).Bind(9, r.result).Bind(10, r.message).Bind(11, r.trace_id)
        .Bind(12, r.span_id);
    if (auto st = stmt->Run(); !st.ok()) return st;
    r.seq = sqlite3_last_insert_rowid(db_->handle());
    // Keep the newest max_audit_records; trimmed every 64 inserts, in the same transaction.
    if (++audit_inserts_ % 64 == 0) {
        auto trim = db_->Prepare("DELETE FROM audit WHERE seq <= ?");
        if (!trim.ok()) return trim.status();
        return trim->Bind(1, r.seq - static_cast<std::int64_t>(options_.max_audit_records)).Run();
    }
    return Status::Ok();
}

Status NetworkStore::Commit(const std::vector<api::NetworkChange>& changes, api::AuditRecord audit) {
    std::lock_guard lock(mu_);
    Status st = InTransaction([&]() -> Status {
        for (const auto& c : changes) {
            if (auto s = Apply(c); !s.ok()) return s;
        }
        return InsertAudit(audit);
    });
    (st.ok() ? stats_.changes_committed : stats_.commit_failures)++;
    return st;
}

Status NetworkStore::Record(api::AuditRecord record) {
    std::lock_guard lock(mu_);
    // A record that goes with no change (a refused or failed request) is not worth an fsync each:
    // a flood of refused requests must not turn into a flood of disk flushes. synchronous=NORMAL
    // keeps it across a crash of the process (the WAL is written before COMMIT returns); the next
    // change's commit flushes it to the disk with its own.
    (void)db_->Exec("PRAGMA synchronous=NORMAL");
    Status st = InTransaction([&] { return InsertAudit(record); });
    (void)db_->Exec("PRAGMA synchronous=FULL");
    return st;
}

Result<std::vector<api::AuditRecord>> NetworkStore::QueryAudit(const api::AuditQuery& q) const {
    std::lock_guard lock(mu_);
    auto stmt = db_->Prepare(
        "SELECT seq, time_unix_ms, who, method, route, target, before, after, status, result, message, "
        "trace_id, span_id FROM audit WHERE (?1 IS NULL OR time_unix_ms >= ?1) AND (?2 IS NULL OR "
        "time_unix_ms <= ?2) AND (?3 = '' OR who = ?3) AND (?4 = '' OR target = ?4) ORDER BY seq DESC "
        "LIMIT ?5");
    if (!stmt.ok()) return Unavailable("storage: " + stmt.status().message());
    if (q.from_unix_ms) stmt->Bind(1, *q.from_unix_ms); else stmt->BindNull(1);
    if (q.to_unix_ms) stmt->Bind(2, *q.to_unix_ms); else stmt->BindNull(2);
    stmt->Bind(3, q.who).Bind(4, q.target).Bind(5, static_cast<std::int64_t>(q.limit));
    std::vector<api::AuditRecord> out;
    for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return Unavailable("storage: " + row.status().message());
        if (!*row) break;
        api::AuditRecord r;
        r.seq = stmt->Int(0);
        r.time_unix_ms = stmt->Int(1);
        r.who = stmt->Text(2);
        r.method = stmt->Text(3);
        r.route = stmt->Text(4);
        r.target = stmt->Text(5);
        if (!stmt->IsNull(6)) r.before = ParseOr(stmt->Text(6), nullptr);
        if (!stmt->IsNull(7)) r.after = ParseOr(stmt->Text(7), nullptr);
        r.status = static_cast<int>(stmt->Int(8));
        r.result = stmt->Text(9);
        r.message = stmt->Text(10);
        r.trace_id = stmt->Text(11);
        r.span_id = stmt->Text(12);
        out.push_back(std::move(r));
    }
    return out;
}

Status NetworkStore::WriteStates(const std::vector<StoredNetwork::TomeState>& states,
                                 const std::function<bool(const std::string&)>& still_current) {
    std::lock_guard lock(mu_);
    std::uint64_t written = 0;
    Status st = InTransaction([&]() -> Status {
        auto stmt = db_->Prepare(
            "INSERT OR REPLACE INTO tome_state (id, state, context, events_received, transitions, "
            "events_ignored, written_unix_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!stmt.ok()) return stmt.status();
        const std::int64_t now = NowUnixMs();
        for (const auto& s : states) {
            if (!still_current(s.id)) continue;
            stmt->Bind(1, s.id).Bind(2, s.state).Bind(3, s.context.dump())
                .Bind(4, static_cast<std::int64_t>(s.events_received))
                .Bind(5, static_cast<std::int64_t>(s.transitions))
                .Bind(6, static_cast<std::int64_t>(s.events_ignored)).Bind(7, now);
            if (auto r = stmt->Run(); !r.ok()) return r;
            ++written;
        }
        return Status::Ok();
    });
    if (st.ok()) {
        stats_.states_written += written;
        ++stats_.state_batches;
    }
    return st;
}

Result<StoredNetwork> NetworkStore::Load() {
    std::lock_guard lock(mu_);
    StoredNetwork net;
    const auto each = [&](std::string_view sql, const auto& row) -> Status {
        auto stmt = db_->Prepare(sql);
        if (!stmt.ok()) return stmt.status();
        for (;;) {
            auto more = stmt->Step();
            if (!more.ok()) return more.status();
            if (!*more) return Status::Ok();
            row(*stmt);
        }
    };
    using internal::Statement;
    Status st = each("SELECT kind, id FROM deleted_config ORDER BY kind, id", [&](const Statement& s) {
        (s.Text(0) == "tome" ? net.deleted_config_tomes : net.deleted_config_connections).push_back(s.Text(1));
    });
    if (st.ok()) {
        st = each("SELECT id, kind, body FROM tomes ORDER BY seq", [&](const Statement& s) {
            if (s.Text(1) == "local") {
                net.tomes.emplace_back(StoredNetwork::Tome{s.Text(0), ParseOr(s.Text(2), nullptr)});
            } else {
                net.tomes.emplace_back(StoredNetwork::RemoteTome{s.Text(0), s.Text(2)});
            }
        });
    }
    if (st.ok()) {
        st = each("SELECT id, source, target, config, trace_id FROM connections ORDER BY seq",
                  [&](const Statement& s) {
                      net.connections.push_back({s.Text(0), s.Text(1), s.Text(2),
                                                 ParseOr(s.Text(3), Json::object()), s.Text(4)});
                  });
    }
    if (st.ok()) {
        st = each("SELECT value FROM meta WHERE key = 'next_connection_number'", [&](const Statement& s) {
            net.next_connection_number = static_cast<std::uint64_t>(s.Int(0));
        });
    }
    if (st.ok()) {
        st = each("SELECT name, enabled FROM toggles", [&](const Statement& s) {
            net.toggles[s.Text(0)] = s.Int(1) != 0;
        });
    }
    if (st.ok()) {
        st = each("SELECT id, state, context, events_received, transitions, events_ignored, written_unix_ms "
                  "FROM tome_state ORDER BY id",
                  [&](const Statement& s) {
                      StoredNetwork::TomeState t;
                      t.id = s.Text(0);
                      t.state = s.Text(1);
                      t.context = ParseOr(s.Text(2), Json::object());
                      t.events_received = static_cast<std::uint64_t>(s.Int(3));
                      t.transitions = static_cast<std::uint64_t>(s.Int(4));
                      t.events_ignored = static_cast<std::uint64_t>(s.Int(5));
                      t.written_unix_ms = s.Int(6);
                      net.states.push_back(std::move(t));
                  });
    }
    if (!st.ok()) return Unavailable("storage: " + options_.path + ": cannot read the store: " + st.message());
    return net;
}

NetworkStoreStats NetworkStore::stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

}  // namespace tome::storage
