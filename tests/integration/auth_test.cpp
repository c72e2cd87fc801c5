// Bearer tokens against the real binary: a table of routes x (no token, a wrong token, and a
// token of each scope) with the status each cell must get; the 401/403 answers (envelope,
// WWW-Authenticate) and their audit records; and no token, right or wrong, anywhere in what the
// process writes or shows: its log lines on stdout, its metrics, the spans and logs it keeps.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "api_test_util.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kTokens = {
    {"reader", "reader-secret-0123456789abcdef"}, {"writer", "writer-secret-0123456789abcdef"},
    {"admin", "admin-secret-0123456789abcdef"},   {"ingest", "ingest-secret-0123456789abcdef"},
    {"peer", "peer-secret-0123456789abcdef"}};
const std::string kWrongToken = "wrong-secret-0123456789abcdef";

std::string WriteConfig() {
    const auto path = std::filesystem::temp_directory_path() /
                      ("tome-auth-test-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream out(path);
    out << "development:\n"
           "  server: {host: 127.0.0.1, port: 0}\n"
           "  logging: {level: debug}\n"
           "  security:\n"
           "    tokens:\n"
           "      - {name: reader, token: \"" << kTokens.at("reader") << "\", scopes: [read]}\n"
           "      - {name: writer, token: \"" << kTokens.at("writer") << "\", scopes: [write]}\n"
           "      - {name: admin, token: \"${TEST_ADMIN_TOKEN}\", scopes: [admin]}\n"
           "      - {name: ingest, token: \"" << kTokens.at("ingest") << "\", scopes: [ingest]}\n"
           "      - {name: peer, token: \"" << kTokens.at("peer") << "\", scopes: [remote]}\n";
    return path.string();
}

struct Route {
    std::string method, target, body;
    std::string needs;  // "", read, write, admin, ingest, remote
};

/// What the token named `token` may do (its scope, and what admin and write include).
bool Grants(const std::string& token, const std::string& needs) {
    if (needs.empty()) return true;
    if (token == "admin") return needs == "admin" || needs == "write" || needs == "read";
    if (token == "writer") return needs == "write" || needs == "read";
    if (token == "reader") return needs == "read";
    if (token == "ingest") return needs == "ingest";
    if (token == "peer") return needs == "remote";
    return false;
}

TEST(Auth, EachRouteAnswersEachKindOfTokenAsItsScopeSays) {
    const std::string config = WriteConfig();
    TomeProcess tome({}, {{"TOME_ENV", "development"}, {"TOME_CONSOLE_GRPC_PORT", "0"},
                          {"TEST_ADMIN_TOKEN", kTokens.at("admin")}, {"OTEL_TRACES_EXPORTER", "none"},
                          {"OTEL_METRICS_EXPORTER", "none"}, {"OTEL_LOGS_EXPORTER", "none"}},
                     config);
    HttpClient client(tome.port());
    int n = 0;
    const auto fresh_tome = [&] { return SimpleTome("t" + std::to_string(++n)).dump(); };
    std::vector<Route> routes = {
        {"GET", "/", "", ""},  // the console's page: no data, no token
        {"GET", "/api/tomes", "", "read"},
        {"GET", "/api/health", "", "read"},
        {"GET", "/metrics", "", "read"},
        {"GET", "/console/api/stats", "", "read"},
        {"GET", "/jaeger/api/services", "", "read"},
        {"POST", "/api/tomes", "", "write"},
        {"POST", "/api/tomes/t1/events", R"({"type":"GO"})", "write"},
        {"DELETE", "/api/connections/no-such-connection", "", "write"},
        {"PUT", "/api/toggles/enable-kotlin-backend", R"({"enabled":false})", "admin"},
        {"GET", "/api/audit", "", "admin"},
        {"POST", "/v1/traces", "{}", "ingest"},
        {"POST", "/api/remote/events", "{}", "remote"},
    };
    const std::vector<std::string> callers = {"", "wrong", "reader", "writer", "admin", "ingest", "peer"};
    int refused = 0;
    for (const auto& route : routes) {
        for (const auto& caller : callers) {
            SCOPED_TRACE(route.method + " " + route.target + " as " + (caller.empty() ? "nobody" : caller));
            std::map<std::string, std::string> headers;
            if (caller == "wrong") headers["authorization"] = "Bearer " + kWrongToken;
            else if (!caller.empty()) headers["authorization"] = "Bearer " + kTokens.at(caller);
            const std::string body = route.body.empty() && route.method == "POST" ? fresh_tome() : route.body;
            const ClientResponse r = client.Request(route.method, route.target, body, headers);
            const bool token_ok = caller != "" && caller != "wrong";
            if (route.needs.empty()) {
                EXPECT_EQ(r.status, 200);
            } else if (!token_ok) {
                ++refused;
                EXPECT_EQ(r.status, 401) << r.body;
                EXPECT_EQ(r.Header("www-authenticate").rfind("Bearer realm=\"tome\"", 0), 0u);
                EXPECT_EQ(CheckEnvelope(r, false)["code"], "unauthenticated");
            } else if (!Grants(caller, route.needs)) {
                ++refused;
                EXPECT_EQ(r.status, 403) << r.body;
                EXPECT_NE(r.Header("www-authenticate").find("error=\"insufficient_scope\", scope=\"" + route.needs),
                          std::string::npos);
                EXPECT_EQ(CheckEnvelope(r, false)["code"], "permission_denied");
            } else {
                EXPECT_NE(r.status, 401) << r.body;
                EXPECT_NE(r.status, 403) << r.body;
                EXPECT_LT(r.status, 500) << r.body;
            }
        }
    }
    // The token may travel as access_token (what the console's EventSource does).
    EXPECT_EQ(client.Get("/console/api/stats?access_token=" + kTokens.at("reader")).status, 200);
    EXPECT_EQ(client.Get("/console/api/stats?access_token=" + kWrongToken).status, 401);
    ++refused;

    // Every refusal is in the audit trail: who (the token's name, or the address), what, the code.
    const auto admin = std::map<std::string, std::string>{{"authorization", "Bearer " + kTokens.at("admin")}};
    const json audit = CheckEnvelope(client.Request("GET", "/api/audit?limit=1000", "", admin), true);
    int unauthenticated = 0, denied = 0;
    for (const auto& rec : audit["records"]) {
        if (rec["result"] == "unauthenticated") {
            ++unauthenticated;
            EXPECT_EQ(rec["who"], "127.0.0.1");
        }
        if (rec["result"] == "permission_denied") {
            ++denied;
            EXPECT_TRUE(kTokens.count(rec["who"].get<std::string>())) << rec.dump();
        }
        EXPECT_EQ(rec["traceId"].get<std::string>().size(), 32u);
    }
    EXPECT_EQ(unauthenticated + denied, refused);
    EXPECT_EQ(unauthenticated, 2 * 12 + 1);  // 12 routes with a scope, no token and a wrong one; + access_token

    // No secret anywhere: the log lines, the metrics, the spans and log records the console keeps,
    // the audit trail.
    std::string seen = tome.output();
    seen += client.Request("GET", "/metrics", "", admin).body;
    seen += client.Request("GET", "/console/api/traces?limit=1000", "", admin).body;
    seen += client.Request("GET", "/console/api/logs?limit=1000", "", admin).body;
    seen += audit.dump();
    ASSERT_NE(tome.Stop(), std::nullopt);
    seen += tome.output();
    EXPECT_NE(seen.find("Audit record"), std::string::npos);  // what is searched is not empty
    for (const auto& [name, secret] : kTokens) EXPECT_EQ(seen.find(secret), std::string::npos) << name;
    EXPECT_EQ(seen.find(kWrongToken), std::string::npos);
    EXPECT_EQ(seen.find("secret-0123456789"), std::string::npos);
    std::filesystem::remove(config);
}

TEST(Auth, ATooShortOrUnsetTokenStopsStartUpWithoutPrintingIt) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("tome-auth-short-" + std::to_string(::getpid()) + ".yaml");
    {
        std::ofstream out(path);
        out << "development:\n  security:\n    tokens:\n      - {name: ops, token: \"short-secret\", scopes: [admin]}\n";
    }
    ChildProcess short_token({TOME_BINARY, "serve", "--port", "0", "--config", path.string()},
                             {}, {"TOME_", "OTEL_"});
    EXPECT_EQ(short_token.WaitForExit(std::chrono::seconds(20)), 2);
    short_token.ReadAvailableOutput();
    EXPECT_NE(short_token.output().find("token 'ops' is shorter than 16 characters"), std::string::npos)
        << short_token.output();
    EXPECT_EQ(short_token.output().find("short-secret"), std::string::npos);
    {
        std::ofstream out(path);
        out << "development:\n  security:\n    tokens:\n      - {name: ops, token: \"${NO_SUCH_TOKEN_VAR}\", scopes: [admin]}\n";
    }
    ChildProcess unset({TOME_BINARY, "check-config", path.string()}, {}, {"TOME_", "OTEL_", "NO_SUCH"});
    EXPECT_EQ(unset.WaitForExit(std::chrono::seconds(20)), 2);
    unset.ReadAvailableOutput();
    EXPECT_NE(unset.output().find("${NO_SUCH_TOKEN_VAR} is not set"), std::string::npos) << unset.output();
    std::filesystem::remove(path);
}

/// A loopback port that was free a moment ago (the console's gRPC receiver has no "pick one").
unsigned short FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

TEST(Auth, TheConsolesOtlpGrpcReceiverTakesOnlyAnIngestToken) {
    const std::string config = WriteConfig();
    const unsigned short grpc_port = FreePort();
    TomeProcess receiver({}, {{"TOME_ENV", "development"}, {"TOME_CONSOLE_GRPC_PORT", std::to_string(grpc_port)},
                              {"TEST_ADMIN_TOKEN", kTokens.at("admin")}, {"OTEL_TRACES_EXPORTER", "none"},
                              {"OTEL_METRICS_EXPORTER", "none"}, {"OTEL_LOGS_EXPORTER", "none"}},
                         config);
    // Two senders: tome processes exporting their own telemetry over OTLP/gRPC to the receiver's
    // console, one with the ingest token, one with the reader's (no ingest scope).
    const auto sender_env = [&](const std::string& service, const std::string& token) {
        return std::map<std::string, std::string>{
            {"TOME_ENV", "development"}, {"TOME_CONSOLE_ENABLED", "false"}, {"OTEL_SERVICE_NAME", service},
            {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
            {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(grpc_port)},
            {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer " + token}, {"OTEL_BSP_SCHEDULE_DELAY", "100"}};
    };
    TomeProcess good({}, sender_env("grpc-sender-good", kTokens.at("ingest")));
    TomeProcess bad({}, sender_env("grpc-sender-bad", kTokens.at("reader")));
    HttpClient to_good(good.port()), to_bad(bad.port()), to_receiver(receiver.port());
    const auto reader = std::map<std::string, std::string>{{"authorization", "Bearer " + kTokens.at("reader")}};
    const auto services = [&] {
        const ClientResponse r = to_receiver.Request("GET", "/console/api/services", "", reader);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.body;
    };
    // Each sender makes spans until the good one's arrive and the bad one has seen its exports fail.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int bad_failures = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        (void)to_good.Get("/api/tomes");
        (void)to_bad.Get("/api/tomes");
        bad_failures = CheckEnvelope(to_bad.Get("/api/telemetry"), true)["exports"]["failures"].get<int>();
        if (services().find("grpc-sender-good") != std::string::npos && bad_failures > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling what the processes show
    }
    EXPECT_NE(services().find("grpc-sender-good"), std::string::npos) << services();
    EXPECT_GT(bad_failures, 0);
    EXPECT_EQ(services().find("grpc-sender-bad"), std::string::npos) << services();
    std::filesystem::remove(config);
}

}  // namespace
}  // namespace tome::testing
