#include "tome/telemetry/api/ids.hpp"

#include <set>

#include <gtest/gtest.h>

namespace tome::telemetry {
namespace {

TEST(Ids, GeneratedIdsAreValidLowercaseHexAndDistinct) {
    std::set<std::string> traces;
    std::set<std::string> spans;
    for (int i = 0; i < 10000; ++i) {
        auto t = GenerateTraceId();
        auto s = GenerateSpanId();
        ASSERT_TRUE(t.IsValid());
        ASSERT_TRUE(s.IsValid());
        traces.insert(t.ToHex());
        spans.insert(s.ToHex());
    }
    EXPECT_EQ(traces.size(), 10000u);
    EXPECT_EQ(spans.size(), 10000u);
    for (char c : *traces.begin()) EXPECT_TRUE(std::isxdigit(c) && !std::isupper(c));
}

TEST(Ids, ParsesOnlyExactLowercaseHex) {
    auto t = TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_FALSE(TraceId::FromHex("4BF92F3577B34DA6A3CE929D0E0E4736").has_value());
    EXPECT_FALSE(TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e473").has_value());
    EXPECT_FALSE(SpanId::FromHex("00f067aa0ba902bz").has_value());
    auto zero = SpanId::FromHex("0000000000000000");
    ASSERT_TRUE(zero.has_value());
    EXPECT_FALSE(zero->IsValid());
}

}  // namespace
}  // namespace tome::telemetry
