// Bodies and paths that are not UTF-8 JSON, through Proxy::Handle (no sockets): every route
// with a body answers 400 invalid_json naming the byte offset, a path parameter that decodes to
// bytes that are not UTF-8 is answered 4xx, and every answer is valid UTF-8 JSON.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tome/api/proxy.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/telemetry/api/utf8.hpp"
#include "tome/testing/fake_clock.hpp"
#include "tome/testing/in_memory_telemetry.hpp"

namespace tome::api {
namespace {

namespace utf8 = telemetry::utf8;
const std::string kR = "\xEF\xBF\xBD";  // U+FFFD

class OkBackend final : public robotcopy::BackendClient {
  public:
    Result<robotcopy::BackendResponse> Post(const robotcopy::BackendRequest&) override {
        return robotcopy::BackendResponse{200, R"({"ok":true})", 1.0};
    }
};

struct Fixture : tome::testing::InMemoryTelemetry {
    Fixture() {
        connector = std::make_unique<connector::Connector>(tomes, toggles, clock);
        robotcopy::RobotCopyOptions rc;
        rc.backends = {{"node", "http://backend.test:3001"}};
        rc.tracer_provider = tracer;
        robot_copy = std::make_unique<robotcopy::RobotCopy>(rc, toggles, clock,
                                                            std::make_unique<OkBackend>());
        ProxyServices services{tomes, *connector, *robot_copy, toggles, clock};
        services.tracer_provider = tracer.get();
        services.logger_provider = logger.get();
        proxy = std::make_unique<Proxy>(services, ProxyOptions{});
    }

    HttpResponse Send(const std::string& method, const std::string& path, std::string body = "") {
        HttpRequest r;
        r.method = method;
        r.target = r.path = path;
        r.body = std::move(body);
        if (!r.body.empty()) r.headers["content-type"] = "application/json";
        r.client_address = "127.0.0.1";
        return proxy->Handle(r);
    }

    TomeRegistry tomes;
    FeatureToggles toggles;
    tome::testing::FakeClock clock;
    std::unique_ptr<connector::Connector> connector;
    std::unique_ptr<robotcopy::RobotCopy> robot_copy;
    std::unique_ptr<Proxy> proxy;
};

// The error of an answer, after checking that the answer is valid UTF-8 JSON.
Json Error(const HttpResponse& r) {
    EXPECT_TRUE(utf8::IsValid(r.body)) << r.body;
    const Json body = Json::parse(r.body);  // throws on invalid UTF-8
    EXPECT_EQ(body.value("success", true), false) << r.body;
    return body.value("error", Json::object());
}

const std::pair<const char*, const char*> kBodyRoutes[] = {
    {"POST", "/api/tomes"},         {"POST", "/api/tomes/T/events"},
    {"POST", "/api/connections"},   {"POST", "/api/networks/ring"},
    {"POST", "/api/networks/hub"},  {"POST", "/api/broadcast"},
    {"POST", "/api/validate"},      {"PUT", "/api/toggles/enable-tracing"},
    {"PUT", "/api/toggles"},        {"POST", "/api/messages"},
    {"POST", "/api/remote/events"},
};

TEST(InvalidJson, EveryRouteWithABodyAnswers400WithTheOffset) {
    Fixture f;
    struct Body {
        std::string text;
        std::string message;
    };
    const Body bodies[] = {
        {"\xFF{}", "invalid JSON at byte offset 0: the body is not UTF-8 (ill-formed sequence FF)"},
        {"{\"id\":\"\xC3\"}",
         "invalid JSON at byte offset 7: the body is not UTF-8 (ill-formed sequence C3)"},
        {"{\"id\":\"\xF0\x9F\x98\"}",
         "invalid JSON at byte offset 7: the body is not UTF-8 (ill-formed sequence F0 9F 98)"},
        {"\xCC\x89",
         "invalid JSON at byte offset 0: syntax error while parsing value - invalid "
         "literal; near '\xCC\x89'"},
        {"{\"a\":1,}",
         "invalid JSON at byte offset 7: syntax error while parsing object key - "
         "unexpected '}'; expected string literal; near '{\"a\":1,}'"},
        {"[" + std::string(70, '['), "invalid JSON at byte offset 64: nesting deeper than 64"},
        {"{\"n\":-1e999}", "invalid JSON at byte offset 10: number overflow parsing '-1e999'"},
    };
    for (const auto& [method, path] : kBodyRoutes) {
        for (const Body& b : bodies) {
            const HttpResponse r = f.Send(method, path, b.text);
            EXPECT_EQ(r.status, 400) << method << " " << path << ": " << r.body;
            const Json error = Error(r);
            EXPECT_EQ(error.value("code", ""), "invalid_json") << r.body;
            EXPECT_EQ(error.value("message", "").rfind(b.message, 0), 0u)
                << method << " " << path << ": " << r.body;
        }
    }
}

TEST(InvalidJson, IsRecordedOnTheRequestSpanAsAClientError) {
    Fixture f;
    ASSERT_EQ(f.Send("POST", "/api/tomes", "{\"id\":\"\xC3\"}").status, 400);
    const auto span = f.OnlySpan("POST /api/tomes");
    bool found = false;
    for (const auto& a : span.attributes) {
        if (a.key == "http.response.status_code") {
            found = true;
            EXPECT_EQ(std::get<std::int64_t>(a.value), 400);
        }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(span.status.code,
              telemetry::trace::StatusCode::kUnset);  // a 4xx is not a server error
}

TEST(InvalidPath, ParametersThatDecodeToBytesThatAreNotUtf8Get4xxAndValidJson) {
    Fixture f;
    const std::pair<const char*, const char*> requests[] = {
        {"GET", "/api/tomes/%FF%FE"},
        {"DELETE", "/api/tomes/%C3"},
        {"POST", "/api/tomes/%ED%A0%80/events"},
        {"GET", "/api/connections/%C0%AF"},
        {"DELETE", "/api/connections/%F4%90%80%80"},
        {"GET", "/api/toggles/%FF"},
        {"PUT", "/api/toggles/%FF"},
        {"GET", "/api/traces/%FF%FE"},
        {"GET", "/api/nothing/\xFF\xFE"},  // raw bytes in an unknown route
    };
    for (const auto& [method, path] : requests) {
        const std::string body = std::string(method) == "GET" || std::string(method) == "DELETE"
                                     ? ""
                                     : R"({"type":"GO","enabled":true})";
        const HttpResponse r = f.Send(method, path, body);
        EXPECT_GE(r.status, 400) << method << " " << path << ": " << r.body;
        EXPECT_LT(r.status, 500) << method << " " << path << ": " << r.body;
        (void)Error(r);
    }
    const Json error = Error(f.Send("GET", "/api/tomes/%FF%FE"));
    EXPECT_EQ(error.value("code", ""), "not_found");
    EXPECT_NE(error.value("message", "").find("'" + kR + kR + "'"), std::string::npos) << error;
}

TEST(InvalidPath, QuotedInputIsCutAtACharacterBoundary) {
    Fixture f;
    std::string path = "/nothing/";
    while (path.size() < 1000) path += "\xE2\x82\xAC";  // 3-byte characters
    const Json error = Error(f.Send("GET", path));
    const std::string message = error.value("message", "");
    EXPECT_EQ(error.value("code", ""), "route_not_found");
    EXPECT_LT(message.size(), 300u);
    EXPECT_EQ(message.substr(message.size() - 3), "...");
    EXPECT_EQ(message.find(kR), std::string::npos) << message;  // no character was cut
}

}  // namespace
}  // namespace tome::api
