#include "tome/robotcopy/message_history.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "tome/testing/fake_clock.hpp"

namespace tome::robotcopy {
namespace {

using tome::testing::FakeClock;

TrackedMessage Message(std::string trace, std::string span, std::string action) {
    TrackedMessage m;
    m.trace_id = std::move(trace);
    m.span_id = std::move(span);
    m.action = std::move(action);
    return m;
}

TEST(MessageHistory, KeepsTrackingOrderPerTrace) {
    FakeClock clock;
    MessageHistory history(clock);
    history.Track(Message("t1", "s1", "a"));
    history.Track(Message("t2", "s2", "x"));
    history.Track(Message("t1", "s3", "b"));
    history.Track(Message("t1", "s4", "c"));

    auto t1 = history.MessagesOf("t1");
    ASSERT_EQ(t1.size(), 3u);
    EXPECT_EQ(t1[0].action, "a");
    EXPECT_EQ(t1[1].action, "b");
    EXPECT_EQ(t1[2].action, "c");
    EXPECT_EQ(history.MessagesOf("t2").size(), 1u);
    EXPECT_TRUE(history.MessagesOf("unknown").empty());
    EXPECT_EQ(history.size(), 4u);
    EXPECT_EQ(history.trace_count(), 2u);
    EXPECT_EQ(history.evicted(), 0u);
}

TEST(MessageHistory, FillsEmptyTimestampFromClockAndKeepsGivenOne) {
    FakeClock clock;
    MessageHistory history(clock);
    history.Track(Message("t", "s", "a"));
    TrackedMessage given = Message("t", "s", "b");
    given.timestamp = Clock::TimePoint{std::chrono::seconds{42}};
    history.Track(given);

    auto messages = history.MessagesOf("t");
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].timestamp, clock.Now());
    EXPECT_EQ(messages[1].timestamp, Clock::TimePoint{std::chrono::seconds{42}});
}

TEST(MessageHistory, EvictsOldestPastCapacityAndCountsIt) {
    FakeClock clock;
    MessageHistory history(clock, {.capacity = 3, .max_per_trace = 100});
    history.Track(Message("t1", "s", "1"));
    history.Track(Message("t2", "s", "2"));
    history.Track(Message("t1", "s", "3"));
    history.Track(Message("t3", "s", "4"));
    history.Track(Message("t3", "s", "5"));

    EXPECT_EQ(history.size(), 3u);
    EXPECT_EQ(history.evicted(), 2u);
    // "1" (t1) and "2" (t2) went; t2 is gone entirely.
    auto t1 = history.MessagesOf("t1");
    ASSERT_EQ(t1.size(), 1u);
    EXPECT_EQ(t1[0].action, "3");
    EXPECT_TRUE(history.MessagesOf("t2").empty());
    EXPECT_EQ(history.trace_count(), 2u);
    EXPECT_EQ(history.FullTrace("t2").status().code(), Code::kNotFound);
}

TEST(MessageHistory, CapsMessagesPerTrace) {
    FakeClock clock;
    MessageHistory history(clock, {.capacity = 100, .max_per_trace = 2});
    for (int i = 0; i < 5; ++i) history.Track(Message("t", "s", std::to_string(i)));
    history.Track(Message("other", "s", "x"));

    auto t = history.MessagesOf("t");
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].action, "3");
    EXPECT_EQ(t[1].action, "4");
    EXPECT_EQ(history.evicted(), 3u);
    EXPECT_EQ(history.size(), 3u);

    // Global eviction still works after per-trace evictions.
    MessageHistory small(clock, {.capacity = 2, .max_per_trace = 1});
    small.Track(Message("a", "s", "1"));
    small.Track(Message("a", "s", "2"));
    small.Track(Message("b", "s", "3"));
    small.Track(Message("c", "s", "4"));
    EXPECT_EQ(small.size(), 2u);
    EXPECT_EQ(small.evicted(), 2u);
    EXPECT_TRUE(small.MessagesOf("a").empty());
    EXPECT_EQ(small.MessagesOf("b").at(0).action, "3");
}

TEST(MessageHistory, FullTraceHasShapeSpansAndTimes) {
    FakeClock clock;
    MessageHistory history(clock);
    const auto start = clock.Now();
    TrackedMessage first = Message("t", "span-a", "connection.create");
    first.data = {{"k", 1}};
    first.duration_ms = 2.5;
    history.Track(first);
    clock.Advance(std::chrono::milliseconds{150});
    TrackedMessage second = Message("t", "span-b", "event.forward");
    second.parent_span_id = "span-a";
    second.status = "error";
    second.error = "boom";
    history.Track(second);
    history.Track(Message("t", "span-a", "event.forward"));

    auto trace = history.FullTrace("t");
    ASSERT_TRUE(trace.ok()) << trace.status().ToString();
    const Json& j = *trace;
    EXPECT_EQ(j["traceId"], "t");
    EXPECT_EQ(j["messageCount"], 3);
    EXPECT_EQ(j["spans"], (Json{"span-a", "span-b"}));
    EXPECT_EQ(j["startTime"], FormatRfc3339(start));
    EXPECT_EQ(j["endTime"], FormatRfc3339(start + std::chrono::milliseconds{150}));
    EXPECT_DOUBLE_EQ(j["durationMs"].get<double>(), 150.0);
    ASSERT_EQ(j["messages"].size(), 3u);

    const Json& m0 = j["messages"][0];
    EXPECT_EQ(m0["traceId"], "t");
    EXPECT_EQ(m0["spanId"], "span-a");
    EXPECT_EQ(m0["parentSpanId"], "");
    EXPECT_EQ(m0["action"], "connection.create");
    EXPECT_EQ(m0["data"], (Json{{"k", 1}}));
    EXPECT_EQ(m0["status"], "ok");
    EXPECT_FALSE(m0.contains("error"));
    EXPECT_EQ(m0["timestamp"], FormatRfc3339(start));
    EXPECT_DOUBLE_EQ(m0["durationMs"].get<double>(), 2.5);

    const Json& m1 = j["messages"][1];
    EXPECT_EQ(m1["status"], "error");
    EXPECT_EQ(m1["error"], "boom");
    EXPECT_EQ(m1["parentSpanId"], "span-a");
}

TEST(MessageHistory, FullTraceOfUnknownTraceIsNotFound) {
    FakeClock clock;
    MessageHistory history(clock);
    auto trace = history.FullTrace("nope");
    ASSERT_FALSE(trace.ok());
    EXPECT_EQ(trace.status().code(), Code::kNotFound);
    EXPECT_NE(trace.status().message().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace tome::robotcopy
