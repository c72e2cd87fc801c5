// A network that spans two tome processes: a two-way ring L1-L2-R1-R2 where L* live in
// process A and R* in process B. An event still reaches every tome exactly once. The hop
// carries the whole Context: business.* baggage that entered A shows on B's spans (read back
// from B's OTLP file, written at shutdown) and on B's structured logs (JSON lines on stdout).
// A ring across three processes keeps serving while one of them stops answering: the breakers
// open after their threshold, forwards then fail fast, and the half-open probe closes them
// once the far side answers again.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "api_test_util.hpp"
#include "tome/testing/sanitizer_scale.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

using nlohmann::json;

TEST(RemoteTomes, RingAcrossTwoProcessesDeliversToEachTomeExactlyOnce) {
    TomeProcess a;
    TomeProcess b;
    HttpClient ca(a.port());
    HttpClient cb(b.port());
    const std::string url_a = "http://127.0.0.1:" + std::to_string(a.port());
    const std::string url_b = "http://127.0.0.1:" + std::to_string(b.port());
    for (const char* id : {"L1", "L2"}) {
        ASSERT_EQ(ca.Post("/api/tomes", SimpleTome(id)).status, 201);
        ASSERT_EQ(cb.Post("/api/tomes", {{"id", id}, {"remote", url_a}}).status, 201);
    }
    for (const char* id : {"R1", "R2"}) {
        ASSERT_EQ(cb.Post("/api/tomes", SimpleTome(id)).status, 201);
        ASSERT_EQ(ca.Post("/api/tomes", {{"id", id}, {"remote", url_b}}).status, 201);
    }
    // Each process knows the connections that touch its own tomes.
    auto connect = [](HttpClient& c, const char* s, const char* t) {
        auto r = c.Post("/api/connections", {{"sourceTome", s}, {"targetTome", t}});
        ASSERT_EQ(r.status, 201) << r.body;
    };
    connect(ca, "L1", "L2");
    connect(ca, "L2", "R1");
    connect(ca, "R2", "L1");
    connect(cb, "R1", "R2");
    connect(cb, "L2", "R1");
    connect(cb, "R2", "L1");

    auto sent = ca.Post("/api/tomes/L1/events", {{"type", "GO"}});
    ASSERT_EQ(sent.status, 200) << sent.body;
    json report = CheckEnvelope(sent, true);
    std::map<std::string, int> seen;
    for (const auto& d : report["deliveries"]) {
        if (!d["stateSync"].get<bool>()) ++seen[d["tome"].get<std::string>()];
    }
    EXPECT_EQ(seen, (std::map<std::string, int>{{"L1", 1}, {"L2", 1}, {"R1", 1}, {"R2", 1}}))
        << report.dump();
    for (const char* id : {"L1", "L2"}) {
        EXPECT_EQ(CheckEnvelope(ca.Get(std::string("/api/tomes/") + id), true)["eventsReceived"], 1);
    }
    for (const char* id : {"R1", "R2"}) {
        EXPECT_EQ(CheckEnvelope(cb.Get(std::string("/api/tomes/") + id), true)["eventsReceived"], 1);
    }
    // The far side continued the caller's trace.
    const std::string trace = report["traceId"];
    EXPECT_EQ(cb.Get("/api/traces/" + trace).status, 200);

    EXPECT_EQ(a.Stop(), std::optional<int>(0));
    // With A gone, B's forwards to L1/L2 fail, are counted, and B keeps serving.
    auto after = cb.Post("/api/tomes/R1/events", {{"type", "GO"}});
    ASSERT_EQ(after.status, 200) << after.body;
    EXPECT_GE(CheckEnvelope(after, true)["dropped"].value("remote_failed", 0), 1);
    EXPECT_EQ(b.Stop(), std::optional<int>(0));
}

/// The string or int value of an OTLP/JSON attribute list entry, or "" when absent.
std::string OtlpAttribute(const json& attributes, const std::string& key) {
    for (const auto& a : attributes) {
        if (a.value("key", "") != key) continue;
        const json& v = a["value"];
        if (v.contains("stringValue")) return v["stringValue"].get<std::string>();
        if (v.contains("intValue")) {
            return v["intValue"].is_string() ? v["intValue"].get<std::string>()
                                             : std::to_string(v["intValue"].get<long long>());
        }
    }
    return "";
}

TEST(RemoteTomes, BusinessBaggageTravelsToTheFarSidesSpansAndLogs) {
    const std::string spans_path = ::testing::TempDir() + "/tome_remote_business_spans.jsonl";
    std::filesystem::remove(spans_path);
    TomeProcess a;
    TomeProcess b({}, {{"TOME_OTLP_FILE", spans_path}, {"TOME_LOG_LEVEL", "debug"}});
    HttpClient ca(a.port());
    HttpClient cb(b.port());
    const std::string url_b = "http://127.0.0.1:" + std::to_string(b.port());
    ASSERT_EQ(ca.Post("/api/tomes", SimpleTome("L1")).status, 201);
    ASSERT_EQ(ca.Post("/api/tomes", {{"id", "R1"}, {"remote", url_b}}).status, 201);
    ASSERT_EQ(cb.Post("/api/tomes", SimpleTome("R1")).status, 201);
    ASSERT_EQ(cb.Post("/api/tomes", SimpleTome("R2")).status, 201);
    ASSERT_EQ(ca.Post("/api/connections", {{"sourceTome", "L1"}, {"targetTome", "R1"}}).status,
              201);
    ASSERT_EQ(cb.Post("/api/connections", {{"sourceTome", "R1"}, {"targetTome", "R2"}}).status,
              201);

    // Business context only as baggage (the payload has none), so B can only learn it from
    // the hop's headers.
    const std::string trace = "6e0c63257de34c92bf9efcd03927272e";
    auto sent = ca.Request(
        "POST", "/api/tomes/L1/events", R"({"type":"GO"})",
        {{"content-type", "application/json"},
         {"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"},
         {"baggage", "business.order_id=o-77,business.order_value=1500;type=int,tenant=t1"}});
    ASSERT_EQ(sent.status, 200) << sent.body;
    json report = CheckEnvelope(sent, true);
    ASSERT_EQ(report["traceId"], trace);
    std::set<std::string> reached;
    for (const auto& d : report["deliveries"]) reached.insert(d["tome"].get<std::string>());
    EXPECT_EQ(reached, (std::set<std::string>{"L1", "R1", "R2"})) << report.dump();

    // B's log of its own forward R1 -> R2: in A's trace, with A's business baggage.
    auto m = b.WaitForOutput(std::regex(R"(\{"level":"debug","message":"Event forwarded".*\n)"));
    json line = json::parse(m.str());
    EXPECT_EQ(line["attributes"]["trace.id"], trace);
    EXPECT_EQ(line["attributes"]["tome.source"], "R1");
    EXPECT_EQ(line["attributes"]["tome.target"], "R2");
    EXPECT_EQ(line["attributes"]["business.order_id"], "o-77");
    EXPECT_EQ(line["attributes"]["business.order_value"], 1500);  // typed through the hop
    EXPECT_FALSE(line["attributes"].contains("tenant"));

    EXPECT_EQ(a.Stop(), std::optional<int>(0));
    ASSERT_EQ(b.Stop(), std::optional<int>(0));  // flushes the span file
    std::ifstream in(spans_path);
    ASSERT_TRUE(in) << spans_path;
    std::size_t forwards = 0;
    for (std::string text; std::getline(in, text);) {
        if (text.empty()) continue;
        const json request = json::parse(text);
        for (const auto& rs : request["resourceSpans"]) {
            for (const auto& ss : rs["scopeSpans"]) {
                for (const auto& span : ss["spans"]) {
                    if (span["name"] != "event.forward") continue;
                    ++forwards;
                    EXPECT_EQ(span["traceId"], trace);
                    EXPECT_EQ(OtlpAttribute(span["attributes"], "business.order_id"), "o-77");
                    EXPECT_EQ(OtlpAttribute(span["attributes"], "business.order_value"), "1500");
                }
            }
        }
    }
    EXPECT_EQ(forwards, 2u);  // B's deliveries to R1 and R2
}


TEST(RemoteTomes, RingAcrossThreeProcessesKeepsServingWhileOneStopsAnswering) {
    using Clock = std::chrono::steady_clock;
    const auto timeout = Scaled(std::chrono::milliseconds(400));
    const auto open_for = Scaled(std::chrono::milliseconds(1500));
    constexpr int kThreshold = 3;
    const std::map<std::string, std::string> env = {
        {"TOME_REMOTE_TIMEOUT_MS", std::to_string(timeout.count())},
        {"TOME_REMOTE_FAILURE_THRESHOLD", std::to_string(kThreshold)},
        {"TOME_REMOTE_OPEN_MS", std::to_string(open_for.count())},
        {"TOME_LOG_LEVEL", "info"}};
    TomeProcess a({}, env);
    TomeProcess b({}, env);
    TomeProcess c({}, env);
    HttpClient ca(a.port());
    HttpClient cb(b.port());
    HttpClient cc(c.port());
    const std::map<std::string, std::pair<HttpClient*, std::string>> home = {
        {"A1", {&ca, "http://127.0.0.1:" + std::to_string(a.port())}},
        {"B1", {&cb, "http://127.0.0.1:" + std::to_string(b.port())}},
        {"C1", {&cc, "http://127.0.0.1:" + std::to_string(c.port())}}};
    // Each process holds its ring tome, knows the other two as remote, and knows the two-way
    // connections that touch its own tome. A2 is a local tome of A outside the ring.
    for (const auto& [id, where] : home) {
        for (const auto& [other, other_home] : home) {
            auto r = other == id ? where.first->Post("/api/tomes", SimpleTome(id))
                                 : where.first->Post("/api/tomes", {{"id", other},
                                                                    {"remote", other_home.second}});
            ASSERT_EQ(r.status, 201) << r.body;
        }
    }
    ASSERT_EQ(ca.Post("/api/tomes", SimpleTome("A2")).status, 201);
    for (const auto& [s, t] : std::vector<std::pair<std::string, std::string>>{
             {"A1", "B1"}, {"B1", "C1"}, {"C1", "A1"}}) {
        for (HttpClient* client : {home.at(s).first, home.at(t).first}) {
            auto r = client->Post("/api/connections",
                                  {{"sourceTome", s}, {"targetTome", t}, {"config", {{"bidirectional", true}}}});
            ASSERT_EQ(r.status, 201) << r.body;
        }
    }
    auto send = [&ca](const std::string& tome) {
        const auto start = Clock::now();
        auto r = ca.Post("/api/tomes/" + tome + "/events", {{"type", "GO"}});
        EXPECT_EQ(r.status, 200) << r.body;
        return std::make_pair(CheckEnvelope(r, true), Clock::now() - start);
    };
    auto reached = [](const json& report) {
        std::set<std::string> out;
        for (const auto& d : report["deliveries"]) out.insert(d["tome"].get<std::string>());
        return out;
    };
    auto circuit_of_c1 = [&ca]() -> std::string {
        const json topology = CheckEnvelope(ca.Get("/api/topology"), true);
        for (const auto& n : topology["nodes"]) {
            if (n["id"] == "C1") return n.value("circuitState", "<none>");
        }
        return "<no node C1 in " + topology.dump() + ">";
    };
    EXPECT_EQ(reached(send("A1").first), (std::set<std::string>{"A1", "B1", "C1"}));
    EXPECT_EQ(circuit_of_c1(), "closed");

    // C stops answering: its socket still accepts, so every call to it waits for the timeout.
    ASSERT_EQ(::kill(c.pid(), SIGSTOP), 0);
    int failed = 0;
    for (int i = 0; i < kThreshold; ++i) {
        const auto [report, took] = send("A1");
        EXPECT_EQ(reached(report), (std::set<std::string>{"A1", "B1"})) << report.dump();
        failed += report["dropped"].value("remote_failed", 0);
        EXPECT_GE(took, timeout) << "A's own forward to C1 waited for the timeout";
    }
    EXPECT_GE(failed, kThreshold);
    EXPECT_EQ(circuit_of_c1(), "open");
    a.WaitForOutput(std::regex(R"("message":"Remote circuit opened".*"tome.target":"C1")"));

    // Open: forwards to C1 fail fast, in A and in B; the ring and A's local tome keep serving.
    for (int i = 0; i < 5; ++i) {
        const auto [report, took] = send("A1");
        EXPECT_EQ(reached(report), (std::set<std::string>{"A1", "B1"})) << report.dump();
        // A drops its forward to C1 (B does not try: C1 was already queued in A's journey).
        EXPECT_EQ(report["dropped"].value("circuit_open", 0), 1) << report.dump();
        EXPECT_EQ(report["dropped"].value("remote_failed", 0), 0) << report.dump();
        EXPECT_LT(took, timeout) << "no forward waited for the dead side";
        const auto [local, local_took] = send("A2");
        EXPECT_EQ(reached(local), (std::set<std::string>{"A2"}));
        EXPECT_LT(local_took, timeout);
    }
    const std::string metrics = ca.Get("/metrics").body;
    EXPECT_NE(metrics.find(R"(tome_remote_circuit_state{tome_remote_endpoint=")"),
              std::string::npos) << metrics.substr(0, 2000);
    EXPECT_TRUE(std::regex_search(metrics, std::regex(R"(tome_remote_circuit_state\{[^}]*tome_target="C1"[^}]*\} 2)")))
        << "the gauge says open";

    // C answers again: after the open duration one probe goes through and closes the breaker.
    ASSERT_EQ(::kill(c.pid(), SIGCONT), 0);
    const auto give_up = Clock::now() + open_for + Scaled(std::chrono::seconds(20));
    std::set<std::string> last;
    while (Clock::now() < give_up) {
        last = reached(send("A1").first);
        if (last.count("C1") > 0 && circuit_of_c1() == "closed") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polls the breaker's clock
    }
    EXPECT_EQ(last, (std::set<std::string>{"A1", "B1", "C1"}));
    EXPECT_EQ(circuit_of_c1(), "closed");
    a.WaitForOutput(std::regex(R"("message":"Remote circuit closed".*"tome.target":"C1")"));
    for (TomeProcess* p : {&a, &b, &c}) EXPECT_EQ(p->Stop(), std::optional<int>(0));
}

}  // namespace
}  // namespace tome::testing
