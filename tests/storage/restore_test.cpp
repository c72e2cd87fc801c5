// RestoreNetwork and StateWriter against a real store: the config's network first, then the
// tombstones, the kept tomes and connections with their ids, toggles and tome states; and the
// state writer writing only what moved.
#include <gtest/gtest.h>

#include <filesystem>

#include "tome/storage/restore.hpp"
#include "tome/storage/state_writer.hpp"
#include "tome/testing/fake_clock.hpp"
#include "tome/testing/temp_dir.hpp"

namespace tome::storage {
namespace {

using Kind = api::NetworkChange::Kind;

TomeDefinition Machine(const std::string& id) {
    auto def = ParseTomeDefinition({{"id", id},
                                    {"initial", "idle"},
                                    {"context", {{"n", 0}}},
                                    {"states",
                                     {{"idle", {{"on", {{"GO", {{"target", "busy"}, {"assign", {{"n", "n"}}}}}}}}},
                                      {"busy", {{"on", {{"BACK", "idle"}}}}}}}});
    EXPECT_TRUE(def.ok()) << def.status().message();
    return *def;
}

/// A process's network: the config's tomes "a" and "b" connected a -> b.
struct Network {
    Network() {
        (void)tomes.Add(std::make_shared<Tome>(Machine("a")));
        (void)tomes.Add(std::make_shared<Tome>(Machine("b")));
        connector::ConnectionConfig one_way;
        one_way.bidirectional = false;
        config_connection = connector.Connect("a", "b", one_way)->id;
    }
    TomeRegistry tomes;
    FeatureToggles toggles;
    testing::FakeClock clock;
    connector::Connector connector{tomes, toggles, clock};
    std::string config_connection;
};

api::AuditRecord Audit() {
    api::AuditRecord r;
    r.who = "test";
    r.result = "ok";
    return r;
}

TEST(RestoreNetwork, PutsTheKeptNetworkOnTopOfTheConfigsAndIdsContinue) {
    testing::TempDir dir("tome-restore-test");
    const std::string file = dir.File("tome.db");
    std::string kept_connection;
    {
        Network before;
        auto store = NetworkStore::Open({file}).value();
        store->SetConfigDefined(ConfigDefinedIds(before.tomes, before.connector));
        // Through the API: delete config tome "a" and its connection, create "c", connect c -> b,
        // turn state sync off, and move "b" to busy.
        ASSERT_TRUE(before.connector.Disconnect(before.config_connection).ok());
        ASSERT_TRUE(store->Commit({{Kind::kConnectionDeleted, before.config_connection}}, Audit()).ok());
        ASSERT_TRUE(before.tomes.Remove("a").ok());
        ASSERT_TRUE(store->Commit({{Kind::kTomeDeleted, "a"}}, Audit()).ok());
        ASSERT_TRUE(before.tomes.Add(std::make_shared<Tome>(Machine("c"))).ok());
        ASSERT_TRUE(store->Commit({{Kind::kTomeCreated, "c", ToJson(Machine("c"))}}, Audit()).ok());
        auto c = before.connector.Connect("c", "b", {});
        ASSERT_TRUE(c.ok());
        kept_connection = c->id;
        ASSERT_TRUE(store->Commit({{Kind::kConnectionCreated, c->id,
                                    {{"source", "c"}, {"target", "b"},
                                     {"config", connector::ToJson(c->config)}, {"traceId", c->trace_id}}}},
                                  Audit()).ok());
        ASSERT_TRUE(store->Commit({{Kind::kToggleChanged, "enable-state-sync", {{"enabled", false}}}}, Audit()).ok());
        StateWriter writer(*store, before.tomes);
        before.tomes.Find("b")->Send({"GO", {{"n", 5}}});
        ASSERT_TRUE(writer.Flush());
    }
    // The next start: the config's network, then the store's.
    Network after;
    auto store = NetworkStore::Open({file}).value();
    store->SetConfigDefined(ConfigDefinedIds(after.tomes, after.connector));
    auto stored = store->Load();
    ASSERT_TRUE(stored.ok());
    std::vector<std::string> added;
    RestoreTargets targets{after.tomes, after.connector, after.toggles,
                           [&](const Tome& t) { added.push_back(t.id()); }, {}};
    const RestoreReport report = RestoreNetwork(*stored, targets);
    EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
    EXPECT_EQ(report.Describe(),
              "1 tome, 0 remote tomes, 1 connection, 1 toggle, 1 tome state, 2 config items deleted again");
    EXPECT_FALSE(after.tomes.Contains("a"));
    EXPECT_EQ(added, std::vector<std::string>{"c"});
    const auto connections = after.connector.ListConnections();
    ASSERT_EQ(connections.size(), 1u);
    EXPECT_EQ(connections[0].id, kept_connection);
    EXPECT_FALSE(after.toggles.IsEnabled("enable-state-sync"));
    const TomeSnapshot b = after.tomes.Find("b")->Snapshot();
    EXPECT_EQ(b.state, "busy");
    EXPECT_EQ((*b.context)["n"], 5);
    EXPECT_EQ(b.events_received, 1u);
    EXPECT_EQ(stored->next_connection_number, std::stoull(kept_connection.substr(5)) + 1);
    // A connection made now does not reuse a restored id.
    auto next = after.connector.Connect("b", "c", {});
    ASSERT_TRUE(next.ok());
    EXPECT_NE(next->id, kept_connection);
    EXPECT_GT(std::stoi(next->id.substr(5)), std::stoi(kept_connection.substr(5)));
}

TEST(RestoreNetwork, WhatNoLongerFitsIsSkippedWithAWarning) {
    Network net;
    StoredNetwork stored;
    stored.tomes.emplace_back(StoredNetwork::Tome{"bad", {{"id", "bad"}}});  // no states
    stored.connections.push_back({net.config_connection, "x", "y", Json::object(), ""});  // id taken
    stored.toggles["no-such-toggle"] = true;
    stored.states.push_back({"a", "gone-state", Json::object(), 1, 1, 0, 0});
    RestoreTargets targets{net.tomes, net.connector, net.toggles, {}, {}};
    const RestoreReport report = RestoreNetwork(stored, targets);
    ASSERT_EQ(report.warnings.size(), 4u);
    EXPECT_NE(report.warnings[0].find("tome 'bad' not restored"), std::string::npos) << report.warnings[0];
    EXPECT_NE(report.warnings[1].find("already exists"), std::string::npos) << report.warnings[1];
    EXPECT_NE(report.warnings[2].find("no-such-toggle"), std::string::npos);
    EXPECT_NE(report.warnings[3].find("'gone-state' is not a state"), std::string::npos) << report.warnings[3];
    EXPECT_EQ(net.tomes.Find("a")->Snapshot().state, "idle");
}

TEST(StateWriter, WritesOnlyTomesThatMovedAndItsThreadWritesBehind) {
    testing::TempDir dir("tome-restore-test");
    Network net;
    auto store = NetworkStore::Open({dir.File("tome.db")}).value();
    StateWriter writer(*store, net.tomes, {std::chrono::milliseconds(10)});
    ASSERT_TRUE(writer.Flush());
    EXPECT_EQ(store->stats().states_written, 0u);  // nothing moved since construction
    net.tomes.Find("a")->Send({"GO", {{"n", 1}}});
    ASSERT_TRUE(writer.Flush());
    EXPECT_EQ(store->stats().states_written, 1u);
    ASSERT_TRUE(writer.Flush());
    EXPECT_EQ(store->stats().states_written, 1u);  // unchanged since
    // The thread: wait (bounded) until it has written b's event.
    writer.Start();
    net.tomes.Find("b")->Send({"GO", {{"n", 2}}});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (store->stats().states_written < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    EXPECT_EQ(store->stats().states_written, 2u);
    writer.Shutdown();
    const auto states = store->Load()->states;
    ASSERT_EQ(states.size(), 2u);
    EXPECT_EQ(states[1].id, "b");
    EXPECT_EQ(states[1].state, "busy");
    EXPECT_EQ(states[1].context["n"], 2);
}

}  // namespace
}  // namespace tome::storage
