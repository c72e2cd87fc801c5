// Topology, validation and health.
#include <gtest/gtest.h>

#include "test_network.hpp"

namespace tome::connector {
namespace {

using testing::Names;
using testing::TestNetwork;

std::vector<ValidationIssue> IssuesOf(const ValidationReport& report, const std::string& type) {
    std::vector<ValidationIssue> out;
    for (const auto& i : report.issues) {
        if (i.type == type) out.push_back(i);
    }
    return out;
}

ConnectionConfig OneWay() {
    ConnectionConfig config;
    config.bidirectional = false;
    return config;
}

TEST(Validation, EmptyNetworkIsValid) {
    TestNetwork net;
    auto report = net.connector.Validate();
    EXPECT_TRUE(report.valid);
    EXPECT_TRUE(report.issues.empty());
    EXPECT_FALSE(report.advanced);
}

TEST(Validation, RingOfThreeIsACycleWarning) {
    TestNetwork net;
    net.AddTomes(Names(3));
    ASSERT_TRUE(net.connector.CreateRingNetwork(Names(3), OneWay()).ok());
    auto report = net.connector.Validate();
    EXPECT_TRUE(report.valid);
    auto cycles = IssuesOf(report, "cycle");
    ASSERT_EQ(cycles.size(), 1u);
    EXPECT_EQ(cycles[0].severity, "warning");
    EXPECT_EQ(cycles[0].tomes.size(), 3u);
}

TEST(Validation, TwoWayPairsWithoutALoopAreNotACycle) {
    TestNetwork net;
    net.AddTome("hub");
    net.AddTomes(Names(4, "s"));
    ASSERT_TRUE(net.connector.CreateHubNetwork("hub", Names(4, "s"), {}).ok());
    EXPECT_TRUE(IssuesOf(net.connector.Validate(), "cycle").empty());
}

TEST(Validation, TwoWayRingIsACycle) {
    TestNetwork net;
    net.AddTomes(Names(4));
    ASSERT_TRUE(net.connector.CreateRingNetwork(Names(4), {}).ok());
    auto cycles = IssuesOf(net.connector.Validate(), "cycle");
    ASSERT_EQ(cycles.size(), 1u);
    EXPECT_GE(cycles[0].tomes.size(), 3u);
}

TEST(Validation, FlagsFanOutAndAmplification) {
    ConnectorOptions options;
    options.max_fan_out = 2;
    options.max_amplification = 2;
    TestNetwork net(options);
    net.AddTome("hub");
    net.AddTomes(Names(3, "s"));
    ASSERT_TRUE(net.connector.CreateHubNetwork("hub", Names(3, "s"), OneWay()).ok());
    auto report = net.connector.Validate();
    auto fan_out = IssuesOf(report, "fan_out");
    ASSERT_EQ(fan_out.size(), 1u);
    EXPECT_EQ(fan_out[0].tomes, std::vector<std::string>{"hub"});
    auto amplification = IssuesOf(report, "amplification");
    ASSERT_EQ(amplification.size(), 1u);  // spokes reach nothing over one-way links
    EXPECT_EQ(amplification[0].tomes, std::vector<std::string>{"hub"});
    EXPECT_TRUE(report.valid);
}

TEST(Validation, AmplificationIsBoundedByHopLimit) {
    ConnectorOptions options;
    options.max_amplification = 3;
    options.hop_limit = 2;
    TestNetwork net(options);
    net.AddTomes(Names(6));
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(
            net.connector.Connect("t" + std::to_string(i), "t" + std::to_string(i + 1), OneWay())
                .ok());
    }
    EXPECT_TRUE(IssuesOf(net.connector.Validate(), "amplification").empty());
}

TEST(Validation, MissingTomeIsAnError) {
    TestNetwork net;
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.registry.Remove("b").ok());
    auto report = net.connector.Validate();
    EXPECT_FALSE(report.valid);
    auto missing = IssuesOf(report, "missing_tome");
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0].severity, "error");
    EXPECT_EQ(missing[0].tomes, std::vector<std::string>{"b"});
    EXPECT_EQ(report.ToJson()["valid"], false);
}

TEST(Validation, AdvancedChecksRunOnlyWithTheToggle) {
    TestNetwork net;
    net.AddTomes({"a", "b", "lonely"});
    ConnectionConfig config;
    config.event_mapping["PING"] = "NEVER_HANDLED";
    config.state_mapping["no.such.path"] = "x";
    config.state_mapping["order.amount"] = "y";
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    ASSERT_TRUE(net.connector.Connect("b", "a", {}).ok());
    auto basic = net.connector.Validate();
    EXPECT_TRUE(IssuesOf(basic, "orphan_tome").empty());

    ASSERT_TRUE(net.toggles.Set(std::string(toggles::kAdvancedValidation), true).ok());
    auto report = net.connector.Validate();
    EXPECT_TRUE(report.advanced);
    EXPECT_TRUE(report.valid);
    auto orphans = IssuesOf(report, "orphan_tome");
    ASSERT_EQ(orphans.size(), 1u);
    EXPECT_EQ(orphans[0].tomes, std::vector<std::string>{"lonely"});
    auto duplicates = IssuesOf(report, "duplicate_connection");
    ASSERT_EQ(duplicates.size(), 1u);
    EXPECT_EQ(duplicates[0].tomes, (std::vector<std::string>{"a", "b"}));
    auto unknown = IssuesOf(report, "unknown_event");
    ASSERT_EQ(unknown.size(), 1u);
    EXPECT_NE(unknown[0].message.find("NEVER_HANDLED"), std::string::npos);
    auto paths = IssuesOf(report, "unknown_state_path");
    ASSERT_EQ(paths.size(), 1u);
    EXPECT_NE(paths[0].message.find("no.such.path"), std::string::npos);
    EXPECT_EQ(report.ToJson()["issues"].size(), report.issues.size());
}

TEST(Health, DegradesWhenIdleAndRecoversOnActivity) {
    ConnectorOptions options;
    options.degraded_after = std::chrono::seconds{60};
    TestNetwork net(options);
    net.AddTomes({"a", "b"});
    auto conn = net.connector.Connect("a", "b", {});
    ASSERT_TRUE(conn.ok());
    EXPECT_EQ(net.connector.CheckHealth().healthy, 1u);
    net.clock.Advance(std::chrono::seconds{60});
    EXPECT_EQ(net.connector.CheckHealth().healthy, 1u);  // not more than degraded_after yet
    net.clock.Advance(std::chrono::milliseconds{1});
    auto report = net.connector.CheckHealth();
    EXPECT_EQ(report.degraded, 1u);
    EXPECT_EQ(report.connections.at(0), std::make_pair(conn->id, Health::kDegraded));
    EXPECT_EQ(report.checked_at, net.clock.Now());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());
    EXPECT_EQ(net.connector.CheckHealth().healthy, 1u);
    EXPECT_EQ(net.connector.GetConnection(conn->id)->health, Health::kHealthy);
}

TEST(Health, UnhealthyWhenATomeIsRemoved) {
    TestNetwork net;
    net.AddTomes({"a", "b", "c"});
    auto ab = net.connector.Connect("a", "b", {});
    auto bc = net.connector.Connect("b", "c", {});
    ASSERT_TRUE(ab.ok() && bc.ok());
    ASSERT_TRUE(net.registry.Remove("c").ok());
    net.clock.Advance(std::chrono::minutes{5});  // missing beats idle
    auto report = net.connector.CheckHealth();
    EXPECT_EQ(report.total, 2u);
    EXPECT_EQ(report.degraded, 1u);
    EXPECT_EQ(report.unhealthy, 1u);
    EXPECT_EQ(net.connector.GetConnection(bc->id)->health, Health::kUnhealthy);
    const Json json = report.ToJson();
    EXPECT_EQ(json["unhealthy"], 1);
    EXPECT_EQ(json["connections"][1]["health"], "unhealthy");
}

TEST(Topology, CountsNodesEdgesAndHealth) {
    TestNetwork net;
    net.AddTomes({"a", "b", "c", "d"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.connector.Connect("b", "c", OneWay()).ok());
    ASSERT_TRUE(net.connector.Connect("c", "d", {}).ok());
    ASSERT_TRUE(net.registry.Remove("d").ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());
    auto topology = net.connector.GetTopology();
    EXPECT_EQ(topology.total, 3u);
    EXPECT_EQ(topology.healthy, 2u);
    EXPECT_EQ(topology.unhealthy, 1u);
    ASSERT_EQ(topology.nodes.size(), 4u);
    EXPECT_EQ(topology.nodes[0].id, "a");
    EXPECT_EQ(topology.nodes[0].state, "active");
    EXPECT_EQ(topology.nodes[1].connections, 2u);
    EXPECT_FALSE(topology.nodes[3].present);
    const Json json = topology.ToJson();
    EXPECT_EQ(json["counts"]["total"], 3);
    EXPECT_EQ(json["edges"][1]["direction"], "one-way");
    EXPECT_TRUE(json["nodes"][3]["state"].is_null());
    EXPECT_EQ(json["edges"].size(), 3u);
}

}  // namespace
}  // namespace tome::connector
