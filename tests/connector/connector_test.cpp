// Connection lifecycle and network construction.
#include "tome/connector/connector.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "test_network.hpp"

namespace tome::connector {
namespace {

using testing::Names;
using testing::TestNetwork;

TEST(Connector, ConnectsTwoTomesAndDescribesTheConnection) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    auto info = net.connector.Connect("a", "b", {});
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_TRUE(std::regex_match(info->id, std::regex("conn-[0-9]+-a-b")));
    EXPECT_EQ(info->source, "a");
    EXPECT_EQ(info->target, "b");
    EXPECT_EQ(info->created_at, net.clock.Now());
    EXPECT_EQ(info->last_activity, net.clock.Now());
    EXPECT_EQ(info->trace_id.size(), 32u);
    EXPECT_EQ(info->health, Health::kHealthy);
    auto fetched = net.connector.GetConnection(info->id);
    ASSERT_TRUE(fetched.ok());
    EXPECT_EQ(fetched->trace_id, info->trace_id);
    EXPECT_EQ(net.connector.stats().connections, 1u);
}

TEST(Connector, IdsAreUrlSafeAndUnique) {
    TestNetwork net;
    net.AddTomes({"order:v1", "pay+ment"});
    auto first = net.connector.Connect("order:v1", "pay+ment", {});
    auto second = net.connector.Connect("pay+ment", "order:v1", {});
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_TRUE(std::regex_match(first->id, std::regex("[A-Za-z0-9._~-]+"))) << first->id;
    EXPECT_NE(first->id, second->id);
}

TEST(Connector, UsesCustomTraceId) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.custom_trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    auto info = net.connector.Connect("a", "b", config);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->trace_id, config.custom_trace_id);
}

TEST(Connector, RejectsUnknownTomeSelfLoopDuplicateAndBadConfig) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    auto unknown = net.connector.Connect("a", "ghost", {});
    EXPECT_EQ(unknown.status().code(), Code::kNotFound);
    EXPECT_NE(unknown.status().message().find("'ghost'"), std::string::npos);
    EXPECT_EQ(net.connector.Connect("a", "a", {}).status().code(), Code::kInvalidArgument);
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    EXPECT_EQ(net.connector.Connect("a", "b", {}).status().code(), Code::kAlreadyExists);
    ConnectionConfig bad;
    bad.custom_trace_id = "nothex";
    EXPECT_EQ(net.connector.Connect("b", "a", bad).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(net.connector.ListConnections().size(), 1u);
}

TEST(Connector, ReverseDirectionIsADifferentPair) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    EXPECT_TRUE(net.connector.Connect("b", "a", {}).ok());
}

TEST(Connector, EnforcesMaxConnections) {
    ConnectorOptions options;
    options.max_connections = 2;
    TestNetwork net(options);
    net.AddTomes({"a", "b", "c"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.connector.Connect("b", "c", {}).ok());
    EXPECT_EQ(net.connector.Connect("c", "a", {}).status().code(), Code::kResourceExhausted);
}

TEST(Connector, DisconnectRemovesTheConnectionOnce) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    auto info = net.connector.Connect("a", "b", {});
    ASSERT_TRUE(info.ok());
    EXPECT_TRUE(net.connector.Disconnect(info->id).ok());
    EXPECT_EQ(net.connector.Disconnect(info->id).code(), Code::kNotFound);
    EXPECT_EQ(net.connector.GetConnection(info->id).status().code(), Code::kNotFound);
    EXPECT_TRUE(net.connector.ListConnections().empty());
    // The pair may be connected again afterwards.
    EXPECT_TRUE(net.connector.Connect("a", "b", {}).ok());
}

TEST(Connector, ListsByCreationAndPerTome) {
    TestNetwork net;
    net.AddTomes({"c", "b", "a"});
    auto cb = net.connector.Connect("c", "b", {});
    auto ab = net.connector.Connect("a", "b", {});
    ASSERT_TRUE(cb.ok() && ab.ok());
    auto all = net.connector.ListConnections();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, cb->id);
    EXPECT_EQ(all[1].id, ab->id);
    EXPECT_EQ(net.connector.ConnectionsOf("b").size(), 2u);
    ASSERT_EQ(net.connector.ConnectionsOf("a").size(), 1u);
    EXPECT_EQ(net.connector.ConnectionsOf("a")[0].id, ab->id);
    EXPECT_TRUE(net.connector.ConnectionsOf("nobody").empty());
}

TEST(Connector, RingOfFiveClosesTheLoop) {
    TestNetwork net;
    net.AddTomes(Names(5));
    auto ring = net.connector.CreateRingNetwork(Names(5), {});
    ASSERT_TRUE(ring.ok()) << ring.status().ToString();
    ASSERT_EQ(ring->size(), 5u);
    EXPECT_EQ((*ring)[4].source, "t4");
    EXPECT_EQ((*ring)[4].target, "t0");
}

TEST(Connector, RingOfTwoIsASingleConnection) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    auto ring = net.connector.CreateRingNetwork({"a", "b"}, {});
    ASSERT_TRUE(ring.ok());
    EXPECT_EQ(ring->size(), 1u);
    EXPECT_EQ(net.connector.CreateRingNetwork({"a"}, {}).status().code(), Code::kInvalidArgument);
}

TEST(Connector, RingWithUnknownTomesCreatesNothingAndNamesThemAll) {
    TestNetwork net;
    net.AddTomes({"a", "b", "c"});
    auto ring = net.connector.CreateRingNetwork({"a", "x", "b", "y", "c"}, {});
    ASSERT_FALSE(ring.ok());
    EXPECT_EQ(ring.status().code(), Code::kNotFound);
    EXPECT_NE(ring.status().message().find("'x'"), std::string::npos);
    EXPECT_NE(ring.status().message().find("'y'"), std::string::npos);
    EXPECT_TRUE(net.connector.ListConnections().empty());
}

TEST(Connector, RingWithDuplicateNameOrExistingPairCreatesNothing) {
    TestNetwork net;
    net.AddTomes({"a", "b", "c"});
    EXPECT_EQ(net.connector.CreateRingNetwork({"a", "b", "a"}, {}).status().code(),
              Code::kInvalidArgument);
    ASSERT_TRUE(net.connector.Connect("b", "c", {}).ok());
    EXPECT_EQ(net.connector.CreateRingNetwork({"a", "b", "c"}, {}).status().code(),
              Code::kAlreadyExists);
    EXPECT_EQ(net.connector.ListConnections().size(), 1u);
}

TEST(Connector, HubNetworkConnectsHubToEachSpoke) {
    TestNetwork net;
    net.AddTome("hub");
    net.AddTomes(Names(3, "s"));
    auto hub = net.connector.CreateHubNetwork("hub", Names(3, "s"), {});
    ASSERT_TRUE(hub.ok()) << hub.status().ToString();
    ASSERT_EQ(hub->size(), 3u);
    for (const auto& c : *hub) EXPECT_EQ(c.source, "hub");
    EXPECT_EQ(net.connector.ConnectionsOf("hub").size(), 3u);
}

TEST(Connector, HubNetworkIsAllOrNothing) {
    TestNetwork net;
    net.AddTomes({"hub", "s0"});
    EXPECT_EQ(net.connector.CreateHubNetwork("hub", {"s0", "s1"}, {}).status().code(),
              Code::kNotFound);
    EXPECT_EQ(net.connector.CreateHubNetwork("hub", {"s0", "hub"}, {}).status().code(),
              Code::kInvalidArgument);
    EXPECT_EQ(net.connector.CreateHubNetwork("hub", {}, {}).status().code(),
              Code::kInvalidArgument);
    EXPECT_TRUE(net.connector.ListConnections().empty());
}

TEST(Connector, StatsSerialize) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());
    const Json json = net.connector.stats().ToJson();
    EXPECT_EQ(json["eventsReceived"], 1);
    EXPECT_EQ(json["deliveries"], 2);
    EXPECT_EQ(json["eventsForwarded"], 1);
    EXPECT_EQ(json["connections"], 1);
    EXPECT_EQ(json["dropped"]["already_visited"], 1);
}

}  // namespace
}  // namespace tome::connector
