#include "tome/api/cors.hpp"

#include <gtest/gtest.h>

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
    HttpResponse ok = cors.Preflight(Preflight("http://localhost:3000"));
    EXPECT_EQ(ok.status, 204);
    EXPECT_EQ(HeaderOf(ok, "Access-Control-Allow-Origin"), "http://localhost:3000");
    EXPECT_NE(HeaderOf(ok, "Access-Control-Allow-Headers").find("traceparent"), std::string::npos);
    EXPECT_EQ(cors.Preflight(Preflight("http://other")).status, 403);
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
