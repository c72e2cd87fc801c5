// The bad-input table: each kind of wrong request gets its HTTP status and an error that names
// the field or thing, and nothing already accepted is lost or half-applied.
#include <gtest/gtest.h>

#include "api_test_util.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

using nlohmann::json;

struct BadRequest {
    const char* name;
    const char* method;
    const char* path;
    std::string body;
    std::map<std::string, std::string> headers;
    int status;
    const char* code;
    const char* message_fragment;
};

void PrintTo(const BadRequest& b, std::ostream* os) { *os << b.name; }

class BadInput : public ::testing::TestWithParam<BadRequest> {
protected:
    static void SetUpTestSuite() {
        process_ = new TomeProcess();
        HttpClient c(process_->port());
        ASSERT_EQ(c.Post("/api/tomes", SimpleTome("Existing")).status, 201);
    }
    static void TearDownTestSuite() {
        EXPECT_EQ(process_->Stop(), std::optional<int>(0));
        delete process_;
    }
    static TomeProcess* process_;
};
TomeProcess* BadInput::process_ = nullptr;

TEST_P(BadInput, GetsItsStatusAndANamedError) {
    const BadRequest& b = GetParam();
    HttpClient client(process_->port());
    auto r = client.Request(b.method, b.path, b.body, b.headers);
    EXPECT_EQ(r.status, b.status) << r.body;
    json error = CheckEnvelope(r, false);
    EXPECT_EQ(error.value("code", ""), b.code) << r.body;
    EXPECT_NE(error.value("message", "").find(b.message_fragment), std::string::npos) << r.body;
}

const std::string kBig(1024 * 1024 + 10, 'x');

INSTANTIATE_TEST_SUITE_P(
    Table, BadInput,
    ::testing::Values(
        BadRequest{"MalformedJson", "POST", "/api/connections", "{\"sourceTome\": ", {}, 400,
                   "invalid_json", "invalid JSON at byte offset 15: "},
        // Bodies that are not UTF-8 (RFC 8259), quoted without echoing the bad bytes.
        BadRequest{"BodyNotUtf8", "POST", "/api/tomes", "\xFF{\"id\":\"x\"}", {}, 400,
                   "invalid_json", "byte offset 0: the body is not UTF-8 (ill-formed sequence FF)"},
        BadRequest{"LoneLeadByteInString", "POST", "/api/tomes", "{\"id\":\"\xC3\"}", {}, 400,
                   "invalid_json", "byte offset 7: the body is not UTF-8 (ill-formed sequence C3)"},
        BadRequest{"SurrogateInString", "POST", "/api/tomes", "{\"id\":\"\xED\xA0\x80\"}", {},
                   400, "invalid_json", "byte offset 7: the body is not UTF-8 (ill-formed sequence ED)"},
        // Valid UTF-8 (U+0349) that is not JSON: the excerpt keeps the whole character.
        BadRequest{"CharacterThatIsNotJson", "POST", "/api/tomes", "\xCC\x89", {}, 400,
                   "invalid_json", "byte offset 0: syntax error while parsing value - invalid "
                                   "literal; near '\xCC\x89'"},
        BadRequest{"NumberOverflow", "POST", "/api/tomes", R"({"id":1e999})", {}, 400,
                   "invalid_json", "number overflow"},
        BadRequest{"TooDeep", "POST", "/api/tomes/Existing/events",
                   R"({"type":"GO","payload":)" + std::string(100, '['), {}, 400, "invalid_json",
                   "byte offset 86: nesting deeper than 64 levels"},
        // A path parameter that percent-decodes to bytes that are not UTF-8: 404, quoted with
        // U+FFFD for each (the answer itself stays valid UTF-8).
        BadRequest{"NonUtf8TomeId", "GET", "/api/tomes/%FF%FE", "", {}, 404, "not_found",
                   "'\xEF\xBF\xBD\xEF\xBF\xBD'"},
        BadRequest{"BodyNotObject", "POST", "/api/connections", "[1,2]", {}, 400,
                   "invalid_argument", "JSON object"},
        BadRequest{"EmptyBody", "POST", "/api/connections", "", {}, 400, "invalid_argument",
                   "empty"},
        BadRequest{"MissingField", "POST", "/api/connections", R"({"sourceTome":"Existing"})", {},
                   400, "invalid_argument", "targetTome"},
        BadRequest{"WrongType", "POST", "/api/connections",
                   R"({"sourceTome":"Existing","targetTome":7})", {}, 400, "invalid_argument",
                   "targetTome"},
        BadRequest{"UnknownField", "POST", "/api/connections",
                   R"({"sourceTome":"Existing","targetTome":"OrderService","colour":"red"})", {},
                   400, "invalid_argument", "colour"},
        BadRequest{"BadConfig", "POST", "/api/connections",
                   R"({"sourceTome":"Existing","targetTome":"OrderService","config":{"bidirectional":"yes"}})",
                   {}, 400, "invalid_argument", "bidirectional"},
        BadRequest{"UnknownTome", "POST", "/api/connections",
                   R"({"sourceTome":"Existing","targetTome":"Ghost"})", {}, 404, "not_found",
                   "Ghost"},
        BadRequest{"UnknownConnection", "GET", "/api/connections/conn-nope", "", {}, 404,
                   "not_found", "conn-nope"},
        BadRequest{"UnknownConnectionDelete", "DELETE", "/api/connections/conn-nope", "", {}, 404,
                   "not_found", "conn-nope"},
        BadRequest{"UnknownTomeGet", "GET", "/api/tomes/Ghost", "", {}, 404, "not_found", "Ghost"},
        BadRequest{"EventToUnknownTome", "POST", "/api/tomes/Ghost/events", R"({"type":"GO"})", {},
                   404, "not_found", "Ghost"},
        BadRequest{"EventWithoutType", "POST", "/api/tomes/Existing/events", R"({"payload":{}})",
                   {}, 400, "invalid_argument", "type"},
        BadRequest{"DuplicateTome", "POST", "/api/tomes",
                   R"({"id":"Existing","initial":"a","states":{"a":{}}})", {}, 409,
                   "already_exists", "Existing"},
        BadRequest{"InvalidTomeDefinition", "POST", "/api/tomes",
                   R"({"id":"Broken","initial":"zzz","states":{"a":{}}})", {}, 400,
                   "invalid_argument", "initial"},
        BadRequest{"OversizedBody", "POST", "/api/tomes", kBig, {}, 413, "payload_too_large",
                   "1048576"},
        BadRequest{"WrongContentType", "POST", "/api/tomes", R"({"id":"X"})",
                   {{"content-type", "text/plain"}}, 415, "unsupported_media_type", "text/plain"},
        BadRequest{"UnknownRoute", "GET", "/api/nothing-here", "", {}, 404, "route_not_found",
                   "/api/nothing-here"},
        BadRequest{"WrongMethod", "PATCH", "/api/topology", "", {}, 405, "method_not_allowed",
                   "PATCH"},
        BadRequest{"RingTooSmall", "POST", "/api/networks/ring", R"({"tomes":["Existing"]})", {},
                   400, "invalid_argument", "tomes"},
        BadRequest{"HubWithoutSpokes", "POST", "/api/networks/hub", R"({"hubTome":"Existing"})", {},
                   400, "invalid_argument", "spokeTomes"},
        BadRequest{"UnknownToggle", "PUT", "/api/toggles/enable-teleport", R"({"enabled":true})", {},
                   404, "not_found", "enable-teleport"},
        BadRequest{"ToggleNotBoolean", "PUT", "/api/toggles/enable-tracing", R"({"enabled":"yes"})",
                   {}, 400, "invalid_argument", "boolean"},
        BadRequest{"BadTraceId", "GET", "/api/traces/XYZ", "", {}, 400, "invalid_argument", "XYZ"},
        BadRequest{"BroadcastUnknownTome", "POST", "/api/broadcast",
                   R"({"sourceTome":"Ghost","event":{"type":"GO"}})", {}, 404, "not_found", "Ghost"}),
    [](const ::testing::TestParamInfo<BadRequest>& param) { return param.param.name; });

TEST(BadInputAtomicity, RingNamingOneUnknownTomeCreatesNoConnection) {
    TomeProcess process;
    HttpClient client(process.port());
    const auto before = CheckEnvelope(client.Get("/api/connections"), true)["count"].get<int>();
    ASSERT_EQ(client.Post("/api/tomes", SimpleTome("R1")).status, 201);
    ASSERT_EQ(client.Post("/api/tomes", SimpleTome("R2")).status, 201);
    auto r = client.Post("/api/networks/ring", {{"tomes", {"R1", "R2", "Ghost", "OrderService"}}});
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_NE(CheckEnvelope(r, false)["message"].get<std::string>().find("Ghost"), std::string::npos);
    EXPECT_EQ(CheckEnvelope(client.Get("/api/connections"), true)["count"].get<int>(), before);
    // A bulk toggle update with one unknown name changes nothing either.
    auto t = client.Request("PUT", "/api/toggles",
                            R"({"toggles":{"enable-state-sync":false,"enable-teleport":true}})");
    EXPECT_EQ(t.status, 404);
    EXPECT_EQ(CheckEnvelope(client.Get("/api/toggles/enable-state-sync"), true)["enabled"], true);
    // The earlier accepted tomes are intact.
    EXPECT_EQ(client.Get("/api/tomes/R1").status, 200);
    EXPECT_EQ(process.Stop(), std::optional<int>(0));
}

TEST(RateLimit, RefusesPastTheMaximumWithRetryAfter) {
    TomeProcess process({}, {{"TOME_RATE_LIMIT_ENABLED", "true"}, {"TOME_RATE_LIMIT_MAX", "5"},
                             {"TOME_RATE_LIMIT_WINDOW_MS", "60000"}});
    HttpClient client(process.port());
    for (int i = 0; i < 5; ++i) ASSERT_EQ(client.Get("/api/health").status, 200) << i;
    auto r = client.Get("/api/health");
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(CheckEnvelope(r, false)["code"], "rate_limited");
    ASSERT_FALSE(r.Header("retry-after").empty());
    EXPECT_GE(std::stoi(r.Header("retry-after")), 1);
    EXPECT_EQ(process.Stop(), std::optional<int>(0));
}

}  // namespace
}  // namespace tome::testing
