// The audit trail through the real Proxy and a real store: one record per change route with
// who, target, before -> after, result and the request's trace id; refused changes recorded with
// their error; reads not recorded; GET /api/audit's filters; each record also a log record in
// the request's span. Proxy::Handle with in-memory telemetry; no sockets, no sleeps.
#include <gtest/gtest.h>

#include <filesystem>

#include "tome/api/proxy.hpp"
#include "tome/storage/network_store.hpp"
#include "tome/testing/fake_clock.hpp"
#include "tome/testing/in_memory_telemetry.hpp"
#include "tome/testing/temp_dir.hpp"

namespace tome::storage {
namespace {

namespace logs = telemetry::logs;

struct Fixture : tome::testing::InMemoryTelemetry {
    Fixture() {
        store = NetworkStore::Open({dir.File("tome.db")}).value();
        connector = std::make_unique<connector::Connector>(tomes, toggles, clock);
        robotcopy::RobotCopyOptions rc;
        rc.tracer_provider = tracer;
        rc.logger_provider = std::make_shared<logs::LoggerProvider>();
        robot_copy = std::make_unique<robotcopy::RobotCopy>(rc, toggles, clock);
        api::ProxyServices services{tomes, *connector, *robot_copy, toggles, clock};
        services.tracer_provider = tracer.get();
        services.logger_provider = logger.get();
        services.change_store = store.get();
        proxy = std::make_unique<api::Proxy>(services, api::ProxyOptions{});
    }
    ~Fixture() {
        proxy.reset();
        store.reset();
    }

    Json Call(const std::string& method, const std::string& target, const std::string& body = "") {
        api::HttpRequest r;
        r.method = method;
        r.target = target;
        const auto q = target.find('?');
        r.path = target.substr(0, q);
        r.query = q == std::string::npos ? "" : target.substr(q + 1);
        r.body = body;
        if (!body.empty()) r.headers["content-type"] = "application/json";
        r.client_address = "127.0.0.7";
        const api::HttpResponse response = proxy->Handle(r);
        Json envelope = Json::parse(response.body);
        envelope["status"] = response.status;
        return envelope;
    }
    std::vector<Json> Audit(const std::string& query = "") {
        const Json reply = Call("GET", "/api/audit" + query);
        EXPECT_EQ(reply["status"], 200) << reply.dump();
        return reply["data"]["records"].get<std::vector<Json>>();
    }

    tome::testing::TempDir dir{"tome-audit-test"};
    std::unique_ptr<NetworkStore> store;
    TomeRegistry tomes;
    FeatureToggles toggles;
    tome::testing::FakeClock clock;
    std::unique_ptr<connector::Connector> connector;
    std::unique_ptr<robotcopy::RobotCopy> robot_copy;
    std::unique_ptr<api::Proxy> proxy;
};

const char* kTome = R"({"id":"%s","initial":"idle","states":{"idle":{"on":{"GO":"busy"}},"busy":{}}})";

std::string TomeBody(const std::string& id) {
    char buf[256];
    std::snprintf(buf, sizeof buf, kTome, id.c_str());
    return buf;
}

TEST(Audit, EveryChangeRouteLeavesOneRecordWithWhoWhatAndTheTraceId) {
    Fixture f;
    struct Step {
        std::string method, target, body, route, audit_target;
        int status;
    };
    const std::vector<Step> steps = {
        {"POST", "/api/tomes", TomeBody("a"), "/api/tomes", "a", 201},
        {"POST", "/api/tomes", TomeBody("b"), "/api/tomes", "b", 201},
        {"POST", "/api/tomes", TomeBody("c"), "/api/tomes", "c", 201},
        {"POST", "/api/tomes", R"({"id":"far","remote":"http://127.0.0.1:9"})", "/api/tomes", "far", 201},
        {"POST", "/api/connections", R"({"sourceTome":"a","targetTome":"b"})", "/api/connections",
         "conn-1-a-b", 201},
        {"POST", "/api/networks/ring", R"({"tomes":["a","b","c"],"config":{"bidirectional":false}})",
         "/api/networks/ring", "a,b,c", 409},  // a -> b exists already: refused, and recorded
        {"POST", "/api/networks/hub", R"({"hubTome":"c","spokeTomes":["a","far"]})", "/api/networks/hub",
         "c,a,far", 201},
        {"PUT", "/api/toggles/enable-state-sync", R"({"enabled":false})", "/api/toggles/{name}",
         "enable-state-sync", 200},
        {"PUT", "/api/toggles", R"({"toggles":{"enable-advanced-validation":true}})", "/api/toggles",
         "enable-advanced-validation", 200},
        {"DELETE", "/api/connections/conn-1-a-b", "", "/api/connections/{id}", "conn-1-a-b", 200},
        {"DELETE", "/api/tomes/b", "", "/api/tomes/{id}", "b", 200},
        {"DELETE", "/api/tomes/far", "", "/api/tomes/{id}", "far", 200},
        {"DELETE", "/api/tomes/nobody", "", "/api/tomes/{id}", "nobody", 404},
    };
    std::vector<std::string> trace_ids;
    for (const auto& s : steps) {
        const Json reply = f.Call(s.method, s.target, s.body);
        ASSERT_EQ(reply["status"], s.status) << s.method << " " << s.target << ": " << reply.dump();
        trace_ids.push_back(reply["traceId"]);
        // Reads and events are not changes.
        (void)f.Call("GET", "/api/tomes");
    }
    (void)f.Call("POST", "/api/tomes/a/events", R"({"type":"GO"})");
    const std::vector<Json> records = f.Audit("?limit=100");
    ASSERT_EQ(records.size(), steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const Json& r = records[steps.size() - 1 - i];  // newest first
        const Step& s = steps[i];
        SCOPED_TRACE(s.method + " " + s.target);
        EXPECT_EQ(r["who"], "127.0.0.7");
        EXPECT_EQ(r["method"], s.method);
        EXPECT_EQ(r["route"], s.route);
        EXPECT_EQ(r["target"], s.audit_target);
        EXPECT_EQ(r["status"], s.status);
        EXPECT_EQ(r["traceId"], trace_ids[i]);
        EXPECT_EQ(r["result"], s.status < 400 ? "ok" : s.status == 404 ? "not_found" : "already_exists");
        if (s.status >= 400) {
            EXPECT_FALSE(r["message"].get<std::string>().empty());
        }
    }
    // before -> after where it applies.
    const Json& toggle = records[steps.size() - 1 - 7];
    EXPECT_EQ(toggle["before"]["enabled"], true);
    EXPECT_EQ(toggle["after"]["enabled"], false);
    const Json& deleted = records[steps.size() - 1 - 10];
    EXPECT_EQ(deleted["before"]["id"], "b");
    EXPECT_EQ(deleted["before"]["state"], "idle");
    const Json& created = records[steps.size() - 1 - 0];
    EXPECT_TRUE(created["before"].is_null());
    EXPECT_EQ(created["after"]["id"], "a");

    // Filters.
    EXPECT_EQ(f.Audit("?target=b").size(), 2u);
    EXPECT_EQ(f.Audit("?who=127.0.0.7&limit=3").size(), 3u);
    EXPECT_TRUE(f.Audit("?who=someone-else").empty());
    EXPECT_EQ(f.Audit("?from=2026-01-01T00:00:00Z&to=" +
                      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         f.clock.Now().time_since_epoch()).count()))
                  .size(),
              steps.size());
    EXPECT_TRUE(f.Audit("?to=2026-01-01T00:00:00.500Z").empty());
    for (const char* bad : {"?limit=0", "?limit=1001", "?from=yesterday", "?colour=red", "?from=5&to=4"}) {
        const Json reply = f.Call("GET", std::string("/api/audit") + bad);
        EXPECT_EQ(reply["status"], 400) << bad;
        EXPECT_EQ(reply["error"]["code"], "invalid_argument") << bad;
    }

    // Each record is also a log record, in its request's span.
    const auto logs = f.Named("Audit record");
    ASSERT_EQ(logs.size(), steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        EXPECT_EQ(logs[i].trace_id.ToHex(), trace_ids[i]);
        EXPECT_EQ(logs[i].severity, steps[i].status < 400 ? logs::Severity::kInfo : logs::Severity::kWarn);
    }
}

TEST(Audit, WithoutAStoreTheTrailIsInMemory) {
    tome::testing::InMemoryTelemetry telemetry;
    TomeRegistry tomes;
    FeatureToggles toggles;
    tome::testing::FakeClock clock;
    connector::Connector connector(tomes, toggles, clock);
    robotcopy::RobotCopy robot_copy({}, toggles, clock);
    api::Proxy proxy({tomes, connector, robot_copy, toggles, clock}, {});
    api::HttpRequest put;
    put.method = "PUT";
    put.target = put.path = "/api/toggles/enable-state-sync";
    put.body = R"({"enabled":false})";
    put.headers["content-type"] = "application/json";
    ASSERT_EQ(proxy.Handle(put).status, 200);
    api::HttpRequest get;
    get.method = "GET";
    get.target = get.path = "/api/audit";
    const Json reply = Json::parse(proxy.Handle(get).body);
    EXPECT_EQ(reply["data"]["durable"], false);
    ASSERT_EQ(reply["data"]["count"], 1);
    EXPECT_EQ(reply["data"]["records"][0]["target"], "enable-state-sync");
}

}  // namespace
}  // namespace tome::storage
