#include "tome/api/trace_headers.hpp"

#include <gtest/gtest.h>

namespace tome::api {
namespace {

TEST(Traceparent, ParsesAValidHeader) {
    auto t = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(t->parent_span_id, "00f067aa0ba902b7");
    EXPECT_TRUE(t->sampled);
    EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled);
}

class InvalidTraceparent : public ::testing::TestWithParam<const char*> {};

TEST_P(InvalidTraceparent, IsIgnored) { EXPECT_FALSE(ParseTraceparent(GetParam()).has_value()); }

INSTANTIATE_TEST_SUITE_P(
    W3C, InvalidTraceparent,
    ::testing::Values("", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                      "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x"));

TEST(Traceparent, FutureVersionsMayCarryMoreFields) {
    EXPECT_TRUE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-ab").has_value());
    EXPECT_FALSE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01ab").has_value());
}

TEST(IncomingTrace, FallsBackToTheOriginalHeaders) {
    HttpRequest r;
    r.headers = {{"traceparent", "garbage"},
                 {"x-trace-id", "0af7651916cd43dd8448eb211c80319c"},
                 {"x-span-id", "b7ad6b7169203331"}};
    auto t = ExtractIncomingTrace(r);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->trace_id, "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(t->parent_span_id, "b7ad6b7169203331");
    r.headers = {{"x-trace-id", "not-hex"}};
    EXPECT_FALSE(ExtractIncomingTrace(r).has_value());
}

TEST(IncomingTrace, KeepsTracestate) {
    HttpRequest r;
    r.headers = {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                 {"tracestate", "congo=t61rcWkgMzE"}};
    EXPECT_EQ(ExtractIncomingTrace(r)->tracestate, "congo=t61rcWkgMzE");
}

}  // namespace
}  // namespace tome::api
