// Remote tomes: a network spanning two connectors ("machines") joined by an in-process fake
// RemoteTomeSender that calls the far side's ContinueEvent.
#include "tome/connector/remote.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "test_network.hpp"

namespace tome::connector {
namespace {

using testing::DeliveriesTo;
using testing::Dropped;
using testing::TestNetwork;

/// Routes Deliver() to the connector registered for the endpoint; records each call.
class FakeSender final : public RemoteTomeSender {
  public:
    struct Call {
        std::string endpoint, tome, event_id, origin;
        EventPath path;
        std::string trace_id;
    };

    void Add(const std::string& endpoint, Connector* connector) { peers_[endpoint] = connector; }

    Result<DeliveryReport> Deliver(const std::string& endpoint, const std::string& tome_id,
                                   const TomeEvent& event, const std::string& event_id,
                                   const std::string& origin, const EventPath& path,
                                   const TraceParent& trace,
                                   std::chrono::milliseconds /*timeout*/) override {
        calls.push_back(Call{endpoint, tome_id, event_id, origin, path, trace.trace_id});
        auto it = peers_.find(endpoint);
        if (it == peers_.end()) return Unavailable("no route to " + endpoint);
        return it->second->ContinueEvent(tome_id, event, event_id, origin, path, trace);
    }

    std::vector<Call> calls;

  private:
    std::map<std::string, Connector*> peers_;
};

/// Machine A holds a0, a1; machine B holds b0, b1. The two-way ring a0-a1-b0-b1-a0 is known to
/// each side as the connections touching its own tomes.
struct TwoMachines {
    TwoMachines() {
        a.AddTomes({"a0", "a1"});
        b.AddTomes({"b0", "b1"});
        sender->Add("http://a", &a.connector);
        sender->Add("http://b", &b.connector);
        EXPECT_TRUE(a.connector.RegisterRemoteTome("b0", "http://b").ok());
        EXPECT_TRUE(a.connector.RegisterRemoteTome("b1", "http://b").ok());
        EXPECT_TRUE(b.connector.RegisterRemoteTome("a0", "http://a").ok());
        EXPECT_TRUE(b.connector.RegisterRemoteTome("a1", "http://a").ok());
        a.connector.SetRemoteSender(sender);
        b.connector.SetRemoteSender(sender);
        for (auto* side : {&a, &b}) {
            EXPECT_TRUE(side->connector.Connect("a1", "b0", {}).ok());
            EXPECT_TRUE(side->connector.Connect("b1", "a0", {}).ok());
        }
        EXPECT_TRUE(a.connector.Connect("a0", "a1", {}).ok());
        EXPECT_TRUE(b.connector.Connect("b0", "b1", {}).ok());
    }

    TestNetwork a, b;
    std::shared_ptr<FakeSender> sender = std::make_shared<FakeSender>();
};

TEST(Remote, RingAcrossTwoMachinesDeliversToEachTomeOnce) {
    TwoMachines m;
    auto report = m.a.connector.SendEvent("a0", {"PING"});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->deliveries.size(), 4u);
    for (const char* t : {"a0", "a1", "b0", "b1"}) EXPECT_EQ(DeliveriesTo(*report, t), 1u) << t;
    EXPECT_EQ(m.b.StateOf("b0"), "active");
    EXPECT_EQ(m.b.StateOf("b1"), "active");
    EXPECT_EQ(m.a.StateOf("a1"), "active");
    // a0 forwards to b1 (remote, hop 1) before a1; the far side goes on from b1 to b0 (hop 2),
    // so a1 later finds b0 already visited: one crossing in all.
    ASSERT_EQ(m.sender->calls.size(), 1u);
    const auto& call = m.sender->calls[0];
    EXPECT_EQ(call.tome, "b1");
    EXPECT_EQ(call.endpoint, "http://b");
    EXPECT_EQ(call.path.tomes, std::vector<std::string>{"a0"});
    EXPECT_EQ(std::set<std::string>(call.path.visited.begin(), call.path.visited.end()),
              (std::set<std::string>{"a0", "a1", "b1"}));
    EXPECT_EQ(call.event_id, report->event_id);
    EXPECT_EQ(call.origin, "a0");
    EXPECT_EQ(call.trace_id, report->trace_id);
    std::vector<std::pair<std::string, std::size_t>> order;
    for (const auto& d : report->deliveries) order.emplace_back(d.tome, d.hop);
    EXPECT_EQ(order, (std::vector<std::pair<std::string, std::size_t>>{
                         {"a0", 0}, {"b1", 1}, {"b0", 2}, {"a1", 1}}));
    EXPECT_EQ(Dropped(*report, "already_visited"), 5u);
    EXPECT_EQ(m.a.connector.stats().events_received, 1u);
    EXPECT_EQ(m.b.connector.stats().events_received, 0u);
    EXPECT_EQ(m.b.connector.stats().deliveries, 2u);
}

TEST(Remote, FarSideCanCallBackWithoutRepeats) {
    TwoMachines m;
    // Entering on B: b0 forwards to b1 (local) and to a1 (remote), whose side forwards to a0,
    // which would call back into B for b1 -- already visited.
    auto report = m.b.connector.SendEvent("b0", {"PING"});
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->deliveries.size(), 4u);
    for (const char* t : {"a0", "a1", "b0", "b1"}) EXPECT_EQ(DeliveriesTo(*report, t), 1u) << t;
}

TEST(Remote, UnreachableEndpointIsCountedAndTheRestGoesOn) {
    TwoMachines m;
    ASSERT_TRUE(m.a.connector.UnregisterRemoteTome("b1").ok());
    ASSERT_TRUE(m.a.connector.RegisterRemoteTome("b1", "http://nowhere").ok());
    auto report = m.a.connector.SendEvent("a0", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(Dropped(*report, "remote_failed"), 1u);
    EXPECT_EQ(DeliveriesTo(*report, "b0"), 1u);
    EXPECT_EQ(DeliveriesTo(*report, "b1"), 1u);  // reached from b0 on the far side
}

TEST(Remote, WithoutSenderForwardsAreDropped) {
    TestNetwork net;
    net.AddTome("a");
    ASSERT_TRUE(net.connector.RegisterRemoteTome("r", "https://peer").ok());
    ASSERT_TRUE(net.connector.Connect("a", "r", {}).ok());
    auto report = net.connector.SendEvent("a", {"PING"});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->deliveries.size(), 1u);
    EXPECT_EQ(Dropped(*report, "remote_failed"), 1u);
}

TEST(Remote, RegistrationIsValidatedAndRemoteTomesCountAsPresent) {
    TestNetwork net;
    net.AddTome("a");
    EXPECT_EQ(net.connector.RegisterRemoteTome("a", "http://x").code(), Code::kAlreadyExists);
    EXPECT_EQ(net.connector.RegisterRemoteTome("r", "ftp://x").code(), Code::kInvalidArgument);
    EXPECT_EQ(net.connector.RegisterRemoteTome("", "http://x").code(), Code::kInvalidArgument);
    EXPECT_EQ(net.connector.UnregisterRemoteTome("r").code(), Code::kNotFound);
    ASSERT_TRUE(net.connector.RegisterRemoteTome("r", "http://x").ok());
    EXPECT_EQ(net.connector.RegisterRemoteTome("r", "http://y").code(), Code::kAlreadyExists);
    auto conn = net.connector.Connect("a", "r", {});
    ASSERT_TRUE(conn.ok());
    EXPECT_EQ(conn->health, Health::kHealthy);
    EXPECT_TRUE(net.connector.Validate().valid);
    auto topology = net.connector.GetTopology();
    ASSERT_EQ(topology.nodes.size(), 2u);
    EXPECT_EQ(topology.nodes[1].endpoint, "http://x");
    EXPECT_TRUE(topology.nodes[1].present);
    ASSERT_TRUE(net.connector.UnregisterRemoteTome("r").ok());
    EXPECT_EQ(net.connector.GetConnection(conn->id)->health, Health::kUnhealthy);
}

TEST(Remote, ContinueEventSkipsVisitedAndKeepsIds) {
    TestNetwork net;
    net.AddTomes({"x", "y", "z"});
    ASSERT_TRUE(net.connector.CreateRingNetwork({"x", "y", "z"}, {}).ok());
    const EventPath path{{"origin", "hop1"}, {"origin", "hop1", "z"}};
    auto report = net.connector.ContinueEvent("x", {"PING"}, "evt-1", "origin", path);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->event_id, "evt-1");
    EXPECT_EQ(report->origin, "origin");
    ASSERT_EQ(report->deliveries.size(), 2u);  // x, y; z was visited elsewhere
    EXPECT_EQ(report->deliveries[0].hop, 2u);
    EXPECT_EQ(report->deliveries[1].hop, 3u);
    EXPECT_EQ(net.StateOf("z"), "idle");
    EXPECT_EQ(net.connector.ContinueEvent("x", {"PING"}, "", "o", path).status().code(),
              Code::kInvalidArgument);
}

}  // namespace
}  // namespace tome::connector

namespace tome::connector {
namespace {

TEST(DeliveryReportJson, RoundTripsForReportsFromAnotherProcess) {
    DeliveryReport r;
    r.event_id = "evt-1";
    r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    r.origin = "A";
    r.deliveries.push_back({"B", "conn-1", "GO", 2, true, "a", "b", false});
    r.deliveries.push_back({"C", "conn-2", "SYNC_STATE", 3, true, "x", "x", true});
    r.dropped = {{"already_visited", 2}, {"hop_limit", 1}};
    auto back = DeliveryReportFromJson(ToJson(r));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(ToJson(*back), ToJson(r));
    EXPECT_EQ(back->dropped.at("hop_limit"), 1u);
    EXPECT_FALSE(DeliveryReportFromJson(Json{{"deliveries", {{{"hop", 1}}}}}).ok());
}

}  // namespace
}  // namespace tome::connector
