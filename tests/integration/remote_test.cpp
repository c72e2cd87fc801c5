// A network that spans two tome processes: a two-way ring L1-L2-R1-R2 where L* live in
// process A and R* in process B. An event still reaches every tome exactly once.
#include <gtest/gtest.h>

#include "api_test_util.hpp"
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

}  // namespace
}  // namespace tome::testing
