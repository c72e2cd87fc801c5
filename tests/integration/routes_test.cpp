// Every route of the API, answered over HTTP by the real binary, in the envelope.
#include <gtest/gtest.h>

#include "api_test_util.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

using nlohmann::json;

class Routes : public ::testing::Test {
protected:
    static void SetUpTestSuite() { process_ = new TomeProcess(); }
    static void TearDownTestSuite() {
        EXPECT_EQ(process_->Stop(), std::optional<int>(0)) << process_->output();
        delete process_;
    }
    HttpClient client_{process_->port()};
    static TomeProcess* process_;
};
TomeProcess* Routes::process_ = nullptr;

int CountDeliveries(const json& report, const std::string& tome) {
    int n = 0;
    for (const auto& d : report["deliveries"])
        if (d["tome"] == tome && !d["stateSync"].get<bool>()) ++n;
    return n;
}

TEST_F(Routes, TopologyShowsTheDemoNetwork) {
    auto r = client_.Get("/api/topology");
    ASSERT_EQ(r.status, 200);
    json data = CheckEnvelope(r, true);
    std::set<std::string> nodes;
    for (const auto& n : data["nodes"]) nodes.insert(n["id"].get<std::string>());
    for (const char* id : {"OrderService", "PaymentService", "InventoryService",
                           "NotificationService", "AnalyticsService"}) {
        EXPECT_TRUE(nodes.count(id)) << id;
    }
    ASSERT_GE(data["edges"].size(), 4u);
    const json& edge = data["edges"][0];
    for (const char* f : {"id", "source", "target", "direction", "health", "createdAt",
                          "lastActivity", "traceId"}) {
        EXPECT_TRUE(edge.contains(f)) << f;
    }
    EXPECT_TRUE(data["counts"].contains("healthy"));
}

TEST_F(Routes, TomesCanBeCreatedInspectedDrivenAndDeleted) {
    auto created = client_.Post("/api/tomes", SimpleTome("RouteTome"));
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(CheckEnvelope(created, true)["state"], "a");

    auto list = client_.Get("/api/tomes");
    ASSERT_EQ(list.status, 200);
    bool found = false;
    const json tomes = CheckEnvelope(list, true)["tomes"];
    for (const auto& t : tomes) found |= t["id"] == "RouteTome";
    EXPECT_TRUE(found);

    auto sent = client_.Post("/api/tomes/RouteTome/events", {{"type", "GO"}, {"payload", {{"x", 1}}}});
    ASSERT_EQ(sent.status, 200) << sent.body;
    json report = CheckEnvelope(sent, true);
    EXPECT_EQ(report["deliveries"][0]["toState"], "b");

    auto one = client_.Get("/api/tomes/RouteTome");
    ASSERT_EQ(one.status, 200);
    json view = CheckEnvelope(one, true);
    EXPECT_EQ(view["state"], "b");
    EXPECT_EQ(view["eventsReceived"], 1);
    EXPECT_EQ(view["context"]["n"], 0);

    auto machines = client_.Get("/api/machines");
    ASSERT_EQ(machines.status, 200);
    found = false;
    const json registered = CheckEnvelope(machines, true)["machines"];
    for (const auto& m : registered) found |= m["id"] == "RouteTome";
    EXPECT_TRUE(found);

    ASSERT_EQ(client_.Delete("/api/tomes/RouteTome").status, 200);
    EXPECT_EQ(client_.Get("/api/tomes/RouteTome").status, 404);
}

TEST_F(Routes, ConnectionsCanBeCreatedListedAndDeleted) {
    ASSERT_EQ(client_.Post("/api/tomes", SimpleTome("ConnA")).status, 201);
    ASSERT_EQ(client_.Post("/api/tomes", SimpleTome("ConnB")).status, 201);
    auto created = client_.Post("/api/connections",
                                {{"sourceTome", "ConnA"},
                                 {"targetTome", "ConnB"},
                                 {"config", {{"bidirectional", false}, {"eventMapping", {{"GO", "GO"}}}}}});
    ASSERT_EQ(created.status, 201) << created.body;
    json conn = CheckEnvelope(created, true);
    const std::string id = conn["id"];
    EXPECT_EQ(conn["sourceTome"], "ConnA");
    EXPECT_EQ(conn["direction"], "one-way");

    auto all = client_.Get("/api/connections");
    ASSERT_EQ(all.status, 200);
    EXPECT_GE(CheckEnvelope(all, true)["connections"].size(), 5u);
    auto of = client_.Get("/api/connections?tome=ConnA");
    ASSERT_EQ(of.status, 200);
    EXPECT_EQ(CheckEnvelope(of, true)["connections"].size(), 1u);
    auto one = client_.Get("/api/connections/" + id);
    ASSERT_EQ(one.status, 200);
    EXPECT_EQ(CheckEnvelope(one, true)["id"], id);

    auto del = client_.Delete("/api/connections/" + id);
    ASSERT_EQ(del.status, 200);
    EXPECT_EQ(client_.Get("/api/connections/" + id).status, 404);
}

TEST_F(Routes, EventInFiveTomeTwoWayRingReachesEachTomeExactlyOnce) {
    std::vector<std::string> ring;
    for (int i = 0; i < 5; ++i) {
        ring.push_back("Ring" + std::to_string(i));
        ASSERT_EQ(client_.Post("/api/tomes", SimpleTome(ring.back())).status, 201);
    }
    auto created = client_.Post("/api/networks/ring", {{"tomes", ring}});
    ASSERT_EQ(created.status, 201) << created.body;
    json net = CheckEnvelope(created, true);
    EXPECT_EQ(net["connections"].size(), 5u);
    EXPECT_EQ(net["type"], "ring");

    auto sent = client_.Post("/api/tomes/Ring2/events", {{"type", "GO"}});
    ASSERT_EQ(sent.status, 200) << sent.body;
    json report = CheckEnvelope(sent, true);
    for (const auto& id : ring) EXPECT_EQ(CountDeliveries(report, id), 1) << id;
    EXPECT_GT(report["dropped"].value("already_visited", 0), 0);
    for (const auto& id : ring) {
        EXPECT_EQ(CheckEnvelope(client_.Get("/api/tomes/" + id), true)["eventsReceived"], 1) << id;
    }
}

TEST_F(Routes, HubBroadcastAndValidate) {
    ASSERT_EQ(client_.Post("/api/tomes", SimpleTome("Hub")).status, 201);
    std::vector<std::string> spokes;
    for (int i = 0; i < 3; ++i) {
        spokes.push_back("Spoke" + std::to_string(i));
        ASSERT_EQ(client_.Post("/api/tomes", SimpleTome(spokes.back())).status, 201);
    }
    auto hub = client_.Post("/api/networks/hub", {{"hubTome", "Hub"}, {"spokeTomes", spokes}});
    ASSERT_EQ(hub.status, 201) << hub.body;
    EXPECT_EQ(CheckEnvelope(hub, true)["connections"].size(), 3u);

    auto b = client_.Post("/api/broadcast", {{"sourceTome", "Hub"}, {"event", {{"type", "GO"}}}});
    ASSERT_EQ(b.status, 200) << b.body;
    json report = CheckEnvelope(b, true);
    for (const auto& s : spokes) EXPECT_EQ(CountDeliveries(report, s), 1) << s;
    EXPECT_EQ(CountDeliveries(report, "Hub"), 0);

    auto v = client_.Request("POST", "/api/validate");
    ASSERT_EQ(v.status, 200) << v.body;
    json validation = CheckEnvelope(v, true);
    EXPECT_TRUE(validation.contains("valid"));
    EXPECT_TRUE(validation.contains("issues"));
}

TEST_F(Routes, HealthAndMetricsReportTheProcess) {
    auto h = client_.Get("/api/health");
    ASSERT_EQ(h.status, 200);
    json health = CheckEnvelope(h, true);
    EXPECT_TRUE(health.contains("status"));
    EXPECT_GE(health["tomes"].get<int>(), 5);
    auto m = client_.Get("/api/metrics");
    ASSERT_EQ(m.status, 200);
    json metrics = CheckEnvelope(m, true);
    EXPECT_GE(metrics["requests"]["total"].get<int>(), 1);
    EXPECT_TRUE(metrics.contains("connector"));
}

TEST_F(Routes, TelemetryReportsTheSdkCounts) {
    (void)client_.Get("/api/health");
    auto r = client_.Get("/api/telemetry");
    ASSERT_EQ(r.status, 200);
    json t = CheckEnvelope(r, true);
    // Every earlier request of this suite started a server span.
    EXPECT_GE(t["spans"]["started"].get<int>(), 1) << t.dump();
    EXPECT_EQ(t["spans"]["started"], t["spans"]["sampled"]);
    EXPECT_TRUE(t["spans"]["dropped"].contains("queueFull"));
    // The total is the sum of the reasons listed beside it, the persistent queue's included.
    const auto& dropped = t["spans"]["dropped"];
    EXPECT_EQ(dropped["total"].get<std::uint64_t>(),
              dropped["queueFull"].get<std::uint64_t>() + dropped["exportFailed"].get<std::uint64_t>() +
                  dropped["shutdown"].get<std::uint64_t>() +
                  dropped["persistentQueueFull"].get<std::uint64_t>())
        << t.dump();
}

TEST_F(Routes, TogglesSwitchRouting) {
    auto all = client_.Get("/api/toggles");
    ASSERT_EQ(all.status, 200);
    EXPECT_EQ(CheckEnvelope(all, true)["toggles"]["enable-event-routing"], true);
    ASSERT_EQ(client_.Post("/api/tomes", SimpleTome("ToggleA")).status, 201);
    ASSERT_EQ(client_.Post("/api/tomes", SimpleTome("ToggleB")).status, 201);
    ASSERT_EQ(client_.Post("/api/connections", {{"sourceTome", "ToggleA"}, {"targetTome", "ToggleB"}}).status, 201);

    auto off = client_.Request("PUT", "/api/toggles/enable-event-routing", R"({"enabled":false})");
    ASSERT_EQ(off.status, 200) << off.body;
    EXPECT_EQ(CheckEnvelope(off, true)["previous"], true);
    EXPECT_EQ(CheckEnvelope(client_.Get("/api/toggles/enable-event-routing"), true)["enabled"], false);
    json report = CheckEnvelope(client_.Post("/api/tomes/ToggleA/events", {{"type", "GO"}}), true);
    EXPECT_EQ(CountDeliveries(report, "ToggleB"), 0);

    auto on = client_.Request("PUT", "/api/toggles", R"({"toggles":{"enable-event-routing":true}})");
    ASSERT_EQ(on.status, 200) << on.body;
    report = CheckEnvelope(client_.Post("/api/tomes/ToggleA/events", {{"type", "GO"}}), true);
    EXPECT_EQ(CountDeliveries(report, "ToggleB"), 1);
}

TEST_F(Routes, IncomingTraceparentSetsTheIdsAndTheHistory) {
    const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    auto r = client_.Request("POST", "/api/tomes/OrderService/events",
                             R"({"type":"ORDER_PLACED","payload":{"orderId":"o-9","total":10}})",
                             {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"},
                              {"tracestate", "vendor=abc"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json()["traceId"], trace);
    EXPECT_NE(r.Json()["spanId"], "00f067aa0ba902b7");
    EXPECT_EQ(r.Header("tracestate"), "vendor=abc");

    auto history = client_.Get("/api/traces/" + trace);
    ASSERT_EQ(history.status, 200) << history.body;
    json trace_view = CheckEnvelope(history, true);
    EXPECT_EQ(trace_view["traceId"], trace);
    EXPECT_GE(trace_view["messageCount"].get<int>(), 2);

    auto legacy = client_.Request("GET", "/api/health", "",
                                  {{"x-trace-id", "0af7651916cd43dd8448eb211c80319c"},
                                   {"x-span-id", "b7ad6b7169203331"}});
    EXPECT_EQ(legacy.Json()["traceId"], "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(client_.Get("/api/traces/0af7651916cd43dd8448eb211c80319d").status, 404);
}

TEST_F(Routes, CorsPreflightAnswersConfiguredOrigins) {
    auto ok = client_.Request("OPTIONS", "/api/tomes", "",
                              {{"origin", "http://localhost:3000"},
                               {"access-control-request-method", "POST"}});
    EXPECT_EQ(ok.status, 204);
    EXPECT_EQ(ok.Header("access-control-allow-origin"), "http://localhost:3000");
    auto denied = client_.Request("OPTIONS", "/api/tomes", "",
                                  {{"origin", "http://evil.example"},
                                   {"access-control-request-method", "POST"}});
    EXPECT_EQ(denied.status, 403);
    auto simple = client_.Request("GET", "/api/health", "", {{"origin", "http://localhost:3000"}});
    EXPECT_EQ(simple.Header("access-control-allow-origin"), "http://localhost:3000");
}

TEST(HopLimit, DropsAndCountsForwardsPastTheLimit) {
    TomeProcess process({}, {{"TOME_HOP_LIMIT", "3"}});
    HttpClient client(process.port());
    std::vector<std::string> chain;
    for (int i = 0; i < 6; ++i) {
        chain.push_back("Chain" + std::to_string(i));
        ASSERT_EQ(client.Post("/api/tomes", SimpleTome(chain.back())).status, 201);
    }
    for (int i = 0; i + 1 < 6; ++i) {
        ASSERT_EQ(client.Post("/api/connections", {{"sourceTome", chain[i]},
                                                   {"targetTome", chain[i + 1]},
                                                   {"config", {{"bidirectional", false}}}}).status, 201);
    }
    json report = CheckEnvelope(client.Post("/api/tomes/Chain0/events", {{"type", "GO"}}), true);
    EXPECT_EQ(CountDeliveries(report, "Chain3"), 1);
    EXPECT_EQ(CountDeliveries(report, "Chain4"), 0);
    EXPECT_EQ(report["dropped"]["hop_limit"], 1);
    json metrics = CheckEnvelope(client.Get("/api/metrics"), true);
    EXPECT_EQ(metrics["connector"]["dropped"]["hop_limit"], 1) << metrics.dump();
    EXPECT_EQ(process.Stop(), std::optional<int>(0));
}

}  // namespace
}  // namespace tome::testing
