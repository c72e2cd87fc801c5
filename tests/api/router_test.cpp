#include "tome/api/router.hpp"

#include <gtest/gtest.h>

namespace tome::api {
namespace {

TEST(Router, MatchesTemplatesAndCapturesParameters) {
    Router<int> r;
    r.Add("GET", "/api/tomes/{id}", "tome", 1);
    r.Add("DELETE", "/api/tomes/{id}", "tome", 2);
    r.Add("POST", "/api/tomes/{id}/events", "event", 3);
    auto m = r.Find("POST", "/api/tomes/Order%20Svc/events");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->handler, 3);
    EXPECT_EQ(m.params.at("id"), "Order Svc");
}

TEST(Router, TellsWrongMethodFromUnknownPath) {
    Router<int> r;
    r.Add("GET", "/api/tomes/{id}", "tome", 1);
    r.Add("DELETE", "/api/tomes/{id}", "tome", 2);
    auto wrong = r.Find("PUT", "/api/tomes/x");
    EXPECT_EQ(wrong.route, nullptr);
    EXPECT_TRUE(wrong.path_matched);
    EXPECT_EQ(wrong.allowed_methods, "GET, DELETE");
    auto unknown = r.Find("GET", "/api/tomes/x/y/z");
    EXPECT_FALSE(unknown.path_matched);
}

TEST(Router, IgnoresTrailingSlashButNotExtraSegments) {
    Router<int> r;
    r.Add("GET", "/api/topology", "topology", 1);
    EXPECT_NE(r.Find("GET", "/api/topology/").route, nullptr);
    EXPECT_EQ(r.Find("GET", "/api/topology/extra").route, nullptr);
}

}  // namespace
}  // namespace tome::api
