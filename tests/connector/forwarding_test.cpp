// Event forwarding: BFS termination, hop limit, mapping, filters, transforms, toggles.
#include <gtest/gtest.h>

#include "test_network.hpp"

namespace tome::connector {
namespace {

using testing::DeliveriesTo;
using testing::Dropped;
using testing::Names;
using testing::TestNetwork;

TEST(Forwarding, RingOfFiveDeliversToEachTomeExactlyOnceAndStops) {
    TestNetwork net;
    net.AddTomes(Names(5));
    ASSERT_TRUE(net.connector.CreateRingNetwork(Names(5), {}).ok());
    auto report = net.connector.SendEvent("t0", {"PING"});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->deliveries.size(), 5u);
    for (const auto& name : Names(5)) {
        EXPECT_EQ(DeliveriesTo(*report, name), 1u) << name;
        EXPECT_EQ(net.StateOf(name), "active") << name;
    }
    EXPECT_EQ(report->deliveries[0].tome, "t0");
    EXPECT_EQ(report->deliveries[0].hop, 0u);
    EXPECT_TRUE(report->deliveries[0].via_connection.empty());
    // Ten directed attempts over five two-way links, four of which delivered.
    EXPECT_EQ(Dropped(*report, "already_visited"), 6u);
    EXPECT_EQ(report->dropped.size(), 1u);
    EXPECT_EQ(report->origin, "t0");
    EXPECT_EQ(report->trace_id.size(), 32u);
    EXPECT_FALSE(report->event_id.empty());
    // Farthest tomes are two hops away.
    std::size_t max_hop = 0;
    for (const auto& d : report->deliveries) max_hop = std::max(max_hop, d.hop);
    EXPECT_EQ(max_hop, 2u);
}

TEST(Forwarding, ChainOfTwentyStopsAtHopLimit) {
    ConnectorOptions options;
    options.hop_limit = 16;
    TestNetwork net(options);
    net.AddTomes(Names(20));
    ConnectionConfig one_way;
    one_way.bidirectional = false;
    for (std::size_t i = 0; i + 1 < 20; ++i) {
        ASSERT_TRUE(
            net.connector.Connect("t" + std::to_string(i), "t" + std::to_string(i + 1), one_way)
                .ok());
    }
    auto report = net.connector.SendEvent("t0", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 17u);
    EXPECT_EQ(report->deliveries.back().tome, "t16");
    EXPECT_EQ(report->deliveries.back().hop, 16u);
    EXPECT_EQ(Dropped(*report, "hop_limit"), 1u);
    EXPECT_EQ(net.StateOf("t17"), "idle");
    EXPECT_EQ(net.connector.stats().dropped.at("hop_limit"), 1u);
}

TEST(Forwarding, OneWayConnectionDoesNotForwardBackwards) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig one_way;
    one_way.bidirectional = false;
    ASSERT_TRUE(net.connector.Connect("a", "b", one_way).ok());
    auto report = net.connector.SendEvent("b", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
    EXPECT_EQ(net.StateOf("a"), "idle");
}

TEST(Forwarding, ForwardsUnhandledEventsAndReportsHandling) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    auto report = net.connector.SendEvent("a", {"UNKNOWN"});
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->deliveries.size(), 2u);
    EXPECT_FALSE(report->deliveries[0].handled);
    EXPECT_FALSE(report->deliveries[1].handled);
    auto ping = net.connector.SendEvent("a", {"PING"});
    ASSERT_TRUE(ping.ok());
    EXPECT_TRUE(ping->deliveries[1].handled);
    EXPECT_EQ(ping->deliveries[1].from_state, "idle");
    EXPECT_EQ(ping->deliveries[1].to_state, "active");
}

TEST(Forwarding, MapsEventTypesPerConnectionKeepingTheEventId) {
    TestNetwork net;
    net.AddTomes({"a", "b", "c"});
    ConnectionConfig map_pay;
    map_pay.bidirectional = false;
    map_pay.event_mapping["PAY"] = "PING";
    ConnectionConfig plain;
    plain.bidirectional = false;
    ASSERT_TRUE(net.connector.Connect("a", "b", map_pay).ok());
    ASSERT_TRUE(net.connector.Connect("b", "c", plain).ok());
    auto report = net.connector.SendEvent("a", {"PAY", {{"amount", 5}}});
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->deliveries.size(), 3u);
    EXPECT_EQ(report->deliveries[0].event_type, "PAY");
    EXPECT_EQ(report->deliveries[1].event_type, "PING");
    EXPECT_EQ(report->deliveries[2].event_type, "PING");  // the mapped event travels on
    EXPECT_EQ(net.StateOf("a"), "paid");
    EXPECT_EQ(net.StateOf("b"), "active");
}

TEST(Forwarding, EventFilterDropsOtherTypes) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.filters.events = {"PAY"};
    auto conn = net.connector.Connect("a", "b", config);
    ASSERT_TRUE(conn.ok());
    auto report = net.connector.SendEvent("a", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
    EXPECT_EQ(Dropped(*report, "filtered"), 1u);
    EXPECT_EQ(net.connector.GetConnection(conn->id)->events_dropped, 1u);
    auto pay = net.connector.SendEvent("a", {"PAY", {{"amount", 1}}});
    ASSERT_TRUE(pay.ok());
    EXPECT_EQ(pay->deliveries.size(), 2u);
}

TEST(Forwarding, DeclarativeThenFunctionTransformShapeThePayload) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.bidirectional = false;
    config.transform = DeclarativeTransform{{{"total", "amount"}}, {"secret"}, {{"n", 1}}};
    Json seen;
    config.transform_fn = [&seen](const TomeEvent& e) -> std::optional<TomeEvent> {
        seen = e.payload;
        TomeEvent out = e;
        out.type = "PAY";
        return out;
    };
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    auto report = net.connector.SendEvent("a", {"CHARGE", {{"total", 42}, {"secret", "s"}}});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(seen, Json::parse(R"({"amount": 42, "n": 1})"));
    ASSERT_EQ(report->deliveries.size(), 2u);
    EXPECT_EQ(report->deliveries[1].event_type, "PAY");
    EXPECT_EQ(net.StateOf("b"), "paid");
    EXPECT_EQ(net.ContextOf("b")["order"]["amount"], 42);
}

TEST(Forwarding, TransformReturningNulloptIsFiltered) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.transform_fn = [](const TomeEvent&) -> std::optional<TomeEvent> { return std::nullopt; };
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    auto report = net.connector.SendEvent("a", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
    EXPECT_EQ(Dropped(*report, "filtered"), 1u);
}

TEST(Forwarding, ThrowingTransformDropsTheEventWithoutEscaping) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.transform_fn = [](const TomeEvent&) -> std::optional<TomeEvent> {
        throw std::runtime_error("boom");
    };
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    auto report = net.connector.SendEvent("a", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
    EXPECT_EQ(Dropped(*report, "transform_failed"), 1u);
}

TEST(Forwarding, RoutingToggleOffDeliversOnlyToTheOrigin) {
    TestNetwork net;
    net.AddTomes(Names(3));
    ASSERT_TRUE(net.connector.CreateRingNetwork(Names(3), {}).ok());
    ASSERT_TRUE(net.toggles.Set(std::string(toggles::kEventRouting), false).ok());
    auto report = net.connector.SendEvent("t0", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
    EXPECT_EQ(Dropped(*report, "routing_disabled"), 2u);  // t0's two links
    EXPECT_EQ(net.StateOf("t1"), "idle");
    ASSERT_TRUE(net.toggles.Set(std::string(toggles::kEventRouting), true).ok());
    EXPECT_EQ(net.connector.SendEvent("t0", {"PING"})->deliveries.size(), 3u);
}

TEST(Forwarding, MissingNeighbourIsSkippedAndCounted) {
    TestNetwork net;
    net.AddTomes({"a", "b", "c"});
    ASSERT_TRUE(net.connector.CreateRingNetwork({"a", "b", "c"}, {}).ok());
    ASSERT_TRUE(net.registry.Remove("b").ok());
    auto report = net.connector.SendEvent("a", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 2u);         // a, then c over c-a
    EXPECT_EQ(Dropped(*report, "tome_missing"), 2u);  // a->b and c->b
}

TEST(Forwarding, UnknownOriginOrBadTraceParentIsAnError) {
    TestNetwork net;
    net.AddTome("a");
    EXPECT_EQ(net.connector.SendEvent("ghost", {"PING"}).status().code(), Code::kNotFound);
    EXPECT_EQ(net.connector.SendEvent("a", {"PING"}, {"xyz", ""}).status().code(),
              Code::kInvalidArgument);
    EXPECT_EQ(net.connector.Broadcast("ghost", {"PING"}).status().code(), Code::kNotFound);
    EXPECT_EQ(net.connector.stats().events_received, 0u);
}

TEST(Forwarding, KeepsTheParentTraceId) {
    TestNetwork net;
    net.AddTome("a");
    const TraceParent parent{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
    auto report = net.connector.SendEvent("a", {"PING"}, parent);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->trace_id, parent.trace_id);
    auto other = net.connector.SendEvent("a", {"PING"});
    ASSERT_TRUE(other.ok());
    EXPECT_NE(other->event_id, report->event_id);
}

TEST(Forwarding, BroadcastReachesNeighboursNotTheSource) {
    TestNetwork net;
    net.AddTome("hub");
    net.AddTomes(Names(3, "s"));
    net.AddTome("far");
    ASSERT_TRUE(net.connector.CreateHubNetwork("hub", Names(3, "s"), {}).ok());
    ASSERT_TRUE(net.connector.Connect("s0", "far", {}).ok());
    auto report = net.connector.Broadcast("hub", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(DeliveriesTo(*report, "hub"), 0u);
    EXPECT_EQ(net.StateOf("hub"), "idle");
    for (const auto& s : Names(3, "s")) EXPECT_EQ(DeliveriesTo(*report, s), 1u) << s;
    EXPECT_EQ(DeliveriesTo(*report, "far"), 1u);  // neighbours forward on
    EXPECT_EQ(report->deliveries.size(), 4u);
    EXPECT_EQ(report->deliveries[0].hop, 1u);
}

TEST(Forwarding, CountsPerConnectionAndUpdatesLastActivity) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    auto conn = net.connector.Connect("a", "b", {});
    ASSERT_TRUE(conn.ok());
    net.clock.Advance(std::chrono::seconds{5});
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());
    ASSERT_TRUE(net.connector.SendEvent("b", {"PING"}).ok());
    auto info = net.connector.GetConnection(conn->id);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->events_forwarded, 2u);
    EXPECT_EQ(info->events_dropped, 0u);  // loop suppression is not a connection drop
    EXPECT_EQ(info->last_activity, net.clock.Now());
}

TEST(Forwarding, ReportSerializes) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    auto conn = net.connector.Connect("a", "b", {});
    ASSERT_TRUE(conn.ok());
    auto report = net.connector.SendEvent("a", {"PING"});
    ASSERT_TRUE(report.ok());
    const Json json = ToJson(*report);
    EXPECT_EQ(json["origin"], "a");
    EXPECT_EQ(json["eventId"], report->event_id);
    ASSERT_EQ(json["deliveries"].size(), 2u);
    EXPECT_EQ(json["deliveries"][1]["viaConnection"], conn->id);
    EXPECT_EQ(json["deliveries"][1]["hop"], 1);
    EXPECT_EQ(json["deliveries"][1]["toState"], "active");
    EXPECT_EQ(json["deliveries"][1]["stateSync"], false);
    EXPECT_EQ(json["dropped"]["already_visited"], 1);
}

}  // namespace
}  // namespace tome::connector
