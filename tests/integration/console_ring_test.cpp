// The console as the one picture of a network that spans processes: three `tome serve`
// processes form one two-way ring (A1 in A, B1 in B, C1 in C); B and C export OTLP to A's own
// receiver. A's console then holds one trace per event with spans from all three processes, and
// the ring's edges (tome to tome, and service to service across the remote hops).
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "api_test_util.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

using nlohmann::json;

// Polls `fetch` until `done` holds or `timeout` passes; returns the last answer.
json PollUntil(const std::function<json()>& fetch, const std::function<bool(const json&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    json last = fetch();
    while (!done(last) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling an observable state
        last = fetch();
    }
    return last;
}

json ConsoleData(HttpClient& c, const std::string& target) {
    const ClientResponse r = c.Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    const json body = json::parse(r.body, nullptr, false);
    return body.is_object() ? body.value("data", json()) : json();
}

TEST(ConsoleRing, ThreeProcessesReportToOneConsoleAndEachEventIsOneTrace) {
    TomeProcess a({}, {{"OTEL_SERVICE_NAME", "tome-a"}});
    const std::string url_a = "http://127.0.0.1:" + std::to_string(a.port());
    const std::map<std::string, std::string> export_to_a = {
        {"OTEL_EXPORTER_OTLP_ENDPOINT", url_a}, {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
        {"OTEL_BSP_SCHEDULE_DELAY", "100"},     {"OTEL_BLRP_SCHEDULE_DELAY", "100"},
        {"OTEL_METRIC_EXPORT_INTERVAL", "1000"}};
    auto env = [&](const char* service) {
        auto e = export_to_a;
        e["OTEL_SERVICE_NAME"] = service;
        return e;
    };
    TomeProcess b({}, env("tome-b"));
    TomeProcess c({}, env("tome-c"));
    HttpClient ca(a.port()), cb(b.port()), cc(c.port());
    const std::map<std::string, std::pair<HttpClient*, std::string>> homes = {
        {"A1", {&ca, url_a}},
        {"B1", {&cb, "http://127.0.0.1:" + std::to_string(b.port())}},
        {"C1", {&cc, "http://127.0.0.1:" + std::to_string(c.port())}}};
    for (const auto& [id, home] : homes) {
        for (auto& [other, other_home] : homes) {
            auto r = other == id ? home.first->Post("/api/tomes", SimpleTome(id))
                                 : other_home.first->Post("/api/tomes", {{"id", id}, {"remote", home.second}});
            ASSERT_EQ(r.status, 201) << r.body;
        }
    }
    // The ring A1-B1-C1-A1: each process holds the connections that touch its own tome.
    const std::vector<std::pair<std::string, std::string>> ring = {{"A1", "B1"}, {"B1", "C1"}, {"C1", "A1"}};
    for (const auto& [s, t] : ring) {
        for (const auto& id : {s, t}) {
            auto r = homes.at(id).first->Post("/api/connections", {{"sourceTome", s}, {"targetTome", t}});
            ASSERT_EQ(r.status, 201) << r.body;
        }
    }

    std::vector<std::string> traces;
    for (int i = 0; i < 5; ++i) {
        auto sent = ca.Post("/api/tomes/A1/events", {{"type", "GO"}});
        ASSERT_EQ(sent.status, 200) << sent.body;
        const json report = CheckEnvelope(sent, true);
        std::multiset<std::string> reached;
        for (const auto& d : report["deliveries"]) {
            if (!d["stateSync"].get<bool>()) reached.insert(d["tome"].get<std::string>());
        }
        ASSERT_EQ(reached, (std::multiset<std::string>{"A1", "B1", "C1"})) << report.dump();
        traces.push_back(report["traceId"]);
    }

    // Every trace in A's console comes to hold the spans of all three processes, each span's
    // parent with it. The spans arrive in several OTLP requests and ingest rounds, so a trace
    // can be seen incomplete on the way; it must not stay so.
    for (const auto& trace : traces) {
        const json t = PollUntil([&] { return ConsoleData(ca, "/console/api/traces/" + trace); },
                                 [](const json& d) {
                                     return d.is_object() && d.contains("services") &&
                                            d["services"].size() == 3 &&
                                            d.value("incomplete", true) == false;
                                 });
        ASSERT_TRUE(t.is_object()) << trace;
        std::set<std::string> services;
        for (const auto& s : t["services"]) services.insert(s["name"].get<std::string>());
        EXPECT_EQ(services, (std::set<std::string>{"tome-a", "tome-b", "tome-c"})) << t.dump();
        EXPECT_FALSE(t.value("incomplete", true)) << "every span's parent is in the trace: " << t.dump();
        EXPECT_EQ(t["rootService"], "tome-a");
    }
    // B's spans are searchable in A: one trace per event.
    const json found = ConsoleData(ca, "/console/api/traces?service=tome-b&limit=50");
    std::set<std::string> found_ids;
    for (const auto& t : found["traces"]) found_ids.insert(t["traceId"].get<std::string>());
    for (const auto& trace : traces) EXPECT_TRUE(found_ids.count(trace)) << trace;

    // The graph: A calls B and C across processes, and the ring's tomes forward to each other.
    const json graph = PollUntil([&] { return ConsoleData(ca, "/console/api/graph?window=5m"); },
                                 [](const json& g) {
                                     std::set<std::string> ids;
                                     for (const auto& e : g["edges"]) ids.insert(e["id"].get<std::string>());
                                     return ids.count("service:tome-a->service:tome-b") &&
                                            ids.count("service:tome-a->service:tome-c");
                                 });
    std::set<std::string> edge_ids;
    std::set<std::string> ring_tomes;
    for (const auto& e : graph["edges"]) {
        edge_ids.insert(e["id"].get<std::string>());
        EXPECT_GT(e["requests"].get<int>(), 0);
        if (e["kind"] == "forward") {
            ring_tomes.insert(e["source"].get<std::string>());
            ring_tomes.insert(e["target"].get<std::string>());
        }
    }
    EXPECT_TRUE(edge_ids.count("service:tome-a->service:tome-b")) << graph.dump();
    EXPECT_TRUE(edge_ids.count("service:tome-a->service:tome-c")) << graph.dump();
    EXPECT_TRUE(edge_ids.count("tome:A1->tome:B1")) << graph.dump();
    EXPECT_TRUE(edge_ids.count("tome:A1->tome:C1")) << graph.dump();
    EXPECT_EQ(ring_tomes, (std::set<std::string>{"tome:A1", "tome:B1", "tome:C1"}));

    // The Jaeger view of the same data.
    const ClientResponse services = ca.Get("/jaeger/api/services");
    ASSERT_EQ(services.status, 200);
    std::set<std::string> jaeger_services;
    const json service_list = services.Json();  // kept: the loop below must not walk a temporary
    for (const auto& s : service_list["data"]) jaeger_services.insert(s.get<std::string>());
    EXPECT_TRUE(jaeger_services.count("tome-b") && jaeger_services.count("tome-c")) << services.body;

    EXPECT_EQ(c.Stop(), std::optional<int>(0));
    EXPECT_EQ(b.Stop(), std::optional<int>(0));
    EXPECT_EQ(a.Stop(), std::optional<int>(0));
}

}  // namespace
}  // namespace tome::testing
