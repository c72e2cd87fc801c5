// State sync over mapped connections.
#include <gtest/gtest.h>

#include "test_network.hpp"

namespace tome::connector {
namespace {

using testing::Dropped;
using testing::TestNetwork;

ConnectionConfig SyncConfig() {
    ConnectionConfig config;
    config.bidirectional = false;
    config.filters.events = {"NONE"};  // forward no events: only syncs travel
    config.state_mapping = {{"order.amount", "mirror.amount"}, {"state", "peer.state"}};
    return config;
}

TEST(StateSync, SendsMappedContextAndStateAfterAChange) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    auto conn = net.connector.Connect("a", "b", SyncConfig());
    ASSERT_TRUE(conn.ok());
    net.clock.Advance(std::chrono::seconds{3});
    auto report = net.connector.SendEvent("a", {"PAY", {{"amount", 7}}});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->deliveries.size(), 2u);
    const Delivery& sync = report->deliveries[1];
    EXPECT_TRUE(sync.state_sync);
    EXPECT_EQ(sync.tome, "b");
    EXPECT_EQ(sync.event_type, kSyncStateEvent);
    EXPECT_EQ(sync.via_connection, conn->id);
    EXPECT_TRUE(sync.handled);
    const Json context = net.ContextOf("b");
    EXPECT_EQ(context["mirror"]["amount"], 7);
    EXPECT_EQ(context["peer"]["state"], "paid");
    EXPECT_EQ(net.StateOf("b"), "idle");  // a sync changes context, never state
    auto info = net.connector.GetConnection(conn->id);
    EXPECT_EQ(info->states_synced, 1u);
    EXPECT_EQ(info->events_forwarded, 0u);
    EXPECT_EQ(info->last_activity, net.clock.Now());
    EXPECT_EQ(net.connector.stats().states_synced, 1u);
}

TEST(StateSync, NothingIsSyncedWhenNothingChanged) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", SyncConfig()).ok());
    auto report = net.connector.SendEvent("a", {"UNKNOWN"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
    EXPECT_FALSE(net.ContextOf("b").contains("peer"));
}

TEST(StateSync, StatePathFilterLimitsTheUpdates) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig config = SyncConfig();
    config.filters.state_paths = {"state"};
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PAY", {{"amount", 7}}}).ok());
    const Json context = net.ContextOf("b");
    EXPECT_EQ(context["peer"]["state"], "paid");
    EXPECT_FALSE(context.contains("mirror"));
}

TEST(StateSync, EmptyMappingSyncsNothing) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig config = SyncConfig();
    config.state_mapping.clear();
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    auto report = net.connector.SendEvent("a", {"PAY", {{"amount", 7}}});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
}

TEST(StateSync, ToggleOffDropsTheSync) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", SyncConfig()).ok());
    ASSERT_TRUE(net.toggles.Set(std::string(toggles::kStateSync), false).ok());
    auto report = net.connector.SendEvent("a", {"PAY", {{"amount", 7}}});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
    EXPECT_EQ(Dropped(*report, "sync_disabled"), 1u);
    EXPECT_FALSE(net.ContextOf("b").contains("mirror"));
}

TEST(StateSync, SyncDoesNotForwardFurther) {
    TestNetwork net;
    net.AddTomes({"a", "b", "c"});
    ConnectionConfig b_to_c = SyncConfig();
    b_to_c.filters.events.clear();  // b would forward anything it receives as an event
    ASSERT_TRUE(net.connector.Connect("a", "b", SyncConfig()).ok());
    ASSERT_TRUE(net.connector.Connect("b", "c", b_to_c).ok());
    auto report = net.connector.SendEvent("a", {"PAY", {{"amount", 7}}});
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->deliveries.size(), 2u);  // a, then the sync to b; nothing reaches c
    EXPECT_EQ(net.ContextOf("c"), net.registry.Find("c")->definition().context);
}

TEST(StateSync, TwoWaySyncFlowsBothWaysWithoutLooping) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig config = SyncConfig();
    config.bidirectional = true;
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    auto from_b = net.connector.SendEvent("b", {"PAY", {{"amount", 3}}});
    ASSERT_TRUE(from_b.ok());
    EXPECT_EQ(from_b->deliveries.size(), 2u);
    EXPECT_EQ(net.ContextOf("a")["mirror"]["amount"], 3);
}

}  // namespace
}  // namespace tome::connector
