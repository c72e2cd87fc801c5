// The retry waits shared by the OTLP transports and RobotCopy: equal jitter within
// [backoff/2, backoff], and exponential growth up to the cap.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "tome/telemetry/api/backoff.hpp"

namespace tome::telemetry {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, JitteredWaitStaysWithinHalfAndAllOfTheBackoff) {
    std::set<long long> seen;
    for (int i = 0; i < 2000; ++i) {
        const milliseconds w = JitteredWait(milliseconds(100));
        ASSERT_GE(w.count(), 50);
        ASSERT_LE(w.count(), 100);
        seen.insert(w.count());
    }
    EXPECT_GT(seen.size(), 10u) << "the waits are spread, not one fixed value";
    EXPECT_EQ(JitteredWait(milliseconds(0)), milliseconds(0));
    EXPECT_EQ(JitteredWait(milliseconds(-5)), milliseconds(0));
}

TEST(Backoff, NextBackoffDoublesUpToTheCap) {
    EXPECT_EQ(NextBackoff(milliseconds(100), milliseconds(1000)), milliseconds(200));
    EXPECT_EQ(NextBackoff(milliseconds(800), milliseconds(1000)), milliseconds(1000));
    EXPECT_EQ(NextBackoff(milliseconds(1000), milliseconds(1000)), milliseconds(1000));
}

}  // namespace
}  // namespace tome::telemetry
