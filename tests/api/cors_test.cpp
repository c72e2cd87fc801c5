#include "tome/api/cors.hpp"

#include <gtest/gtest.h>

#include "tome/telemetry/api/utf8.hpp"

namespace tome::api {
namespace {

HttpRequest Preflight(const std::string& origin) {
    HttpRequest r;
    r.method = "OPTIONS";
    r.path = "/api/tomes";
    r.headers = {{"origin", origin}, {"access-control-request-method", "POST"}};
    return r;
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "";
}

TEST(Cors, PreflightAllowsConfiguredOriginsOnly) {
    CorsPolicy cors({.allowed_origins = {"http://localhost:3000"}});
    EXPECT_TRUE(CorsPolicy::IsPreflight(Preflight("x")));
    HttpResponse ok = cors.Preflight(Preflight("http://localhost:3000"), RequestContext{});
    EXPECT_EQ(ok.status, 204);
    EXPECT_EQ(HeaderOf(ok, "Access-Control-Allow-Origin"), "http://localhost:3000");
    EXPECT_NE(HeaderOf(ok, "Access-Control-Allow-Headers").find("traceparent"), std::string::npos);
    EXPECT_EQ(cors.Preflight(Preflight("http://other"), RequestContext{}).status, 403);
}

// Found by fuzz/fuzz_api_request: the 403 quoted the origin into hand-written JSON, so an origin
// holding a quote or bytes that are not UTF-8 gave an answer that is not JSON (and it carried no
// traceId/spanId, unlike every other answer).
TEST(Cors, PreflightDenialIsTheErrorEnvelopeWhateverTheOriginHolds) {
    CorsPolicy cors({.allowed_origins = {"http://localhost:3000"}});
    RequestContext ctx;
    ctx.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    ctx.span_id = "00f067aa0ba902b7";
    for (const std::string origin : {"http://x\"", "}\n{\"a", "\xff\xfe", "http://other"}) {
        const HttpResponse r = cors.Preflight(Preflight(origin), ctx);
        EXPECT_EQ(r.status, 403);
        ASSERT_TRUE(telemetry::utf8::IsValid(r.body)) << r.body;
        const Json body = Json::parse(r.body, nullptr, false);
        ASSERT_TRUE(body.is_object()) << r.body;
        EXPECT_EQ(body.value("success", true), false);
        EXPECT_EQ(body["error"].value("code", ""), "cors_origin_denied");
        EXPECT_EQ(body.value("traceId", ""), ctx.trace_id);
        EXPECT_EQ(body.value("spanId", ""), ctx.span_id);
    }
    const Json quoted = Json::parse(cors.Preflight(Preflight("http://x\""), ctx).body);
    EXPECT_EQ(quoted["error"].value("message", ""), "origin 'http://x\"' is not allowed");
}

TEST(Cors, WildcardAllowsAnyOriginAndDecoratesResponses) {
    CorsPolicy cors({.allowed_origins = {"*"}});
    HttpRequest get;
    get.method = "GET";
    get.headers = {{"origin", "http://anything"}};
    HttpResponse r;
    cors.Decorate(get, r);
    EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "http://anything");
    HttpRequest no_origin;
    HttpResponse r2;
    cors.Decorate(no_origin, r2);
    EXPECT_TRUE(r2.headers.empty());
}

}  // namespace
}  // namespace tome::api
