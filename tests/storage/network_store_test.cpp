// NetworkStore on a real SQLite file in a temporary directory: changes kept in order, tombstones
// for config-defined things, the audit trail's bound and filters, and the refusals at Open (not a
// store, newer format, in use), each leaving the file as it was.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "tome/storage/network_store.hpp"
#include "tome/testing/temp_dir.hpp"

namespace tome::storage {
namespace {

using Kind = api::NetworkChange::Kind;

/// The store's file in a fresh temporary directory.
struct TempDir : testing::TempDir {
    TempDir() : testing::TempDir("tome-store-test") {}
    std::string File(const std::string& name = "tome.db") const { return testing::TempDir::File(name); }
};

std::string Contents(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

api::AuditRecord Audit(std::string who, std::string target, std::int64_t at = 1000) {
    api::AuditRecord r;
    r.time_unix_ms = at;
    r.who = std::move(who);
    r.method = "POST";
    r.route = "/api/tomes";
    r.target = std::move(target);
    r.status = 201;
    r.result = "ok";
    r.trace_id = std::string(32, 'a');
    r.span_id = std::string(16, 'b');
    return r;
}

std::unique_ptr<NetworkStore> OpenOrDie(const std::string& path, std::size_t max_audit = 100000) {
    auto store = NetworkStore::Open({path, max_audit});
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(*store) : nullptr;
}

TEST(NetworkStore, KeepsEveryCommittedChangeInOrderAcrossReopening) {
    TempDir dir;
    {
        auto store = OpenOrDie(dir.File());
        ASSERT_TRUE(store);
        const Json def = {{"id", "b"}, {"initial", "s"}, {"states", {{"s", Json::object()}}}};
        ASSERT_TRUE(store->Commit({{Kind::kTomeCreated, "b", def}}, Audit("alice", "b")).ok());
        ASSERT_TRUE(store->Commit({{Kind::kRemoteTomeRegistered, "far", {{"endpoint", "http://127.0.0.1:9"}}}},
                                  Audit("alice", "far")).ok());
        ASSERT_TRUE(store->Commit({{Kind::kConnectionCreated, "conn-9-b-far",
                                    {{"source", "b"}, {"target", "far"}, {"config", {{"bidirectional", false}}},
                                     {"traceId", std::string(32, 'c')}}},
                                   {Kind::kConnectionCreated, "conn-10-far-b",
                                    {{"source", "far"}, {"target", "b"}, {"config", Json::object()},
                                     {"traceId", std::string(32, 'd')}}}},
                                  Audit("alice", "b,far")).ok());
        ASSERT_TRUE(store->Commit({{Kind::kConnectionDeleted, "conn-10-far-b"}}, Audit("bob", "conn-10-far-b")).ok());
        ASSERT_TRUE(store->Commit({{Kind::kToggleChanged, "enable-state-sync", {{"enabled", false}}}},
                                  Audit("bob", "enable-state-sync")).ok());
        EXPECT_EQ(store->stats().changes_committed, 5u);
    }
    auto store = OpenOrDie(dir.File());
    ASSERT_TRUE(store);
    auto net = store->Load();
    ASSERT_TRUE(net.ok()) << net.status().message();
    ASSERT_EQ(net->tomes.size(), 2u);
    EXPECT_EQ(std::get<StoredNetwork::Tome>(net->tomes[0]).id, "b");
    EXPECT_EQ(std::get<StoredNetwork::Tome>(net->tomes[0]).definition["initial"], "s");
    EXPECT_EQ(std::get<StoredNetwork::RemoteTome>(net->tomes[1]).endpoint, "http://127.0.0.1:9");
    ASSERT_EQ(net->connections.size(), 1u);
    EXPECT_EQ(net->connections[0].id, "conn-9-b-far");
    EXPECT_EQ(net->connections[0].config["bidirectional"], false);
    EXPECT_EQ(net->connections[0].trace_id, std::string(32, 'c'));
    EXPECT_EQ(net->toggles.at("enable-state-sync"), false);
    // conn-10 was deleted, but its number stays taken.
    EXPECT_EQ(net->next_connection_number, 11u);
    EXPECT_TRUE(net->deleted_config_tomes.empty());
    EXPECT_TRUE(net->deleted_config_connections.empty());
    auto audit = store->QueryAudit({});
    ASSERT_TRUE(audit.ok());
    ASSERT_EQ(audit->size(), 5u);
    EXPECT_EQ(audit->front().target, "enable-state-sync");  // newest first
    EXPECT_GT(audit->front().seq, audit->back().seq);
}

TEST(NetworkStore, DeletingAConfigDefinedTomeOrConnectionKeepsATombstoneAndNothingElseDoes) {
    TempDir dir;
    auto store = OpenOrDie(dir.File());
    ASSERT_TRUE(store);
    store->SetConfigDefined({{"cfg"}, {"conn-1-cfg-x"}});
    const Json def = {{"id", "api"}, {"initial", "s"}, {"states", {{"s", Json::object()}}}};
    ASSERT_TRUE(store->Commit({{Kind::kTomeCreated, "api", def}}, Audit("a", "api")).ok());
    ASSERT_TRUE(store->Commit({{Kind::kTomeDeleted, "api"}}, Audit("a", "api")).ok());
    ASSERT_TRUE(store->Commit({{Kind::kTomeDeleted, "cfg"}}, Audit("a", "cfg")).ok());
    ASSERT_TRUE(store->Commit({{Kind::kConnectionDeleted, "conn-1-cfg-x"}}, Audit("a", "conn-1-cfg-x")).ok());
    ASSERT_TRUE(store->Commit({{Kind::kConnectionDeleted, "conn-5-api-x"}}, Audit("a", "conn-5-api-x")).ok());
    auto net = store->Load();
    ASSERT_TRUE(net.ok());
    EXPECT_TRUE(net->tomes.empty());
    EXPECT_EQ(net->deleted_config_tomes, std::vector<std::string>{"cfg"});
    EXPECT_EQ(net->deleted_config_connections, std::vector<std::string>{"conn-1-cfg-x"});
}

TEST(NetworkStore, DeletingATomeDropsItsKeptStateAndAStaleWriteCannotBringItBack) {
    TempDir dir;
    auto store = OpenOrDie(dir.File());
    ASSERT_TRUE(store);
    const Json def = {{"id", "t"}, {"initial", "s"}, {"states", {{"s", Json::object()}}}};
    ASSERT_TRUE(store->Commit({{Kind::kTomeCreated, "t", def}}, Audit("a", "t")).ok());
    StoredNetwork::TomeState state{"t", "s", {{"n", 1}}, 3, 2, 1, 0};
    ASSERT_TRUE(store->WriteStates({state}, [](const std::string&) { return true; }).ok());
    ASSERT_EQ(store->Load()->states.size(), 1u);
    ASSERT_TRUE(store->Commit({{Kind::kTomeDeleted, "t"}}, Audit("a", "t")).ok());
    EXPECT_TRUE(store->Load()->states.empty());
    // The writer's snapshot was taken before the delete: still_current says no.
    ASSERT_TRUE(store->WriteStates({state}, [](const std::string&) { return false; }).ok());
    EXPECT_TRUE(store->Load()->states.empty());
}

TEST(NetworkStore, TheAuditTrailIsBoundedAndFiltered) {
    TempDir dir;
    auto store = OpenOrDie(dir.File(), kMinAuditRecords);
    ASSERT_TRUE(store);
    for (int i = 0; i < 300; ++i) {
        ASSERT_TRUE(store->Record(Audit(i % 2 == 0 ? "even" : "odd", "t" + std::to_string(i % 10), 1000 + i)).ok());
    }
    auto all = store->QueryAudit({std::nullopt, std::nullopt, "", "", api::kMaxAuditQueryLimit});
    ASSERT_TRUE(all.ok());
    // Trimmed every 64 records to the newest kMinAuditRecords.
    EXPECT_GE(all->size(), kMinAuditRecords);
    EXPECT_LT(all->size(), kMinAuditRecords + 64);
    EXPECT_EQ(all->front().time_unix_ms, 1299);
    auto odd = store->QueryAudit({1250, 1270, "odd", "", 1000});
    ASSERT_TRUE(odd.ok());
    ASSERT_EQ(odd->size(), 10u);  // 1251, 1253, ..., 1269
    for (const auto& r : *odd) EXPECT_EQ(r.who, "odd");
    EXPECT_EQ(odd->front().time_unix_ms, 1269);
    auto target = store->QueryAudit({std::nullopt, std::nullopt, "", "t3", 5});
    ASSERT_TRUE(target.ok());
    ASSERT_EQ(target->size(), 5u);
    for (const auto& r : *target) EXPECT_EQ(r.target, "t3");
}

TEST(NetworkStore, RefusesAFileThatIsNotAStoreAndLeavesItAsItWas) {
    TempDir dir;
    {
        std::ofstream out(dir.File(), std::ios::binary);
        std::mt19937 rng(7);
        for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(rng()));
    }
    const std::string before = Contents(dir.File());
    auto store = NetworkStore::Open({dir.File()});
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Code::kFailedPrecondition);
    EXPECT_NE(store.status().message().find("is not a tome store or is corrupt"), std::string::npos)
        << store.status().message();
    EXPECT_NE(store.status().message().find(dir.File()), std::string::npos);
    EXPECT_EQ(Contents(dir.File()), before);
}

TEST(NetworkStore, RefusesAnotherApplicationsDatabase) {
    TempDir dir;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    const std::string before = Contents(dir.File());
    auto store = NetworkStore::Open({dir.File()});
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find("not a tome store"), std::string::npos) << store.status().message();
    EXPECT_EQ(Contents(dir.File()), before);
}

TEST(NetworkStore, RefusesAStoreOfANewerFormatAndLeavesItAsItWas) {
    TempDir dir;
    { ASSERT_TRUE(OpenOrDie(dir.File())); }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=2; PRAGMA wal_checkpoint(TRUNCATE);", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    const std::string before = Contents(dir.File());
    auto store = NetworkStore::Open({dir.File()});
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Code::kFailedPrecondition);
    EXPECT_NE(store.status().message().find("newer tome (store format 2; this tome reads format 1"),
              std::string::npos)
        << store.status().message();
    EXPECT_EQ(Contents(dir.File()), before);
}

TEST(NetworkStore, OneProcessAtATime) {
    TempDir dir;
    auto first = OpenOrDie(dir.File());
    ASSERT_TRUE(first);
    auto second = NetworkStore::Open({dir.File()});
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.status().message().find("in use by another tome process"), std::string::npos);
    first.reset();
    EXPECT_TRUE(NetworkStore::Open({dir.File()}).ok());
}

TEST(NetworkStore, AnEmptyFileBecomesAStoreAndBoundsAreChecked) {
    TempDir dir;
    { std::ofstream touch(dir.File()); }
    EXPECT_TRUE(NetworkStore::Open({dir.File()}).ok());
    EXPECT_EQ(NetworkStore::Open({dir.File("b.db"), kMinAuditRecords - 1}).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(NetworkStore::Open({""}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace tome::storage
