#include "tome/api/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "tome/testing/fake_clock.hpp"

namespace tome::api {
namespace {

TEST(RateLimiter, DisabledAdmitsEverything) {
    testing::FakeClock clock;
    RateLimiter limiter({.enabled = false, .max_requests = 1}, clock);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Admit("a").allowed);
    EXPECT_EQ(limiter.refused(), 0u);
}

TEST(RateLimiter, RefusesPastTheMaximumUntilTheWindowEnds) {
    testing::FakeClock clock;
    RateLimiter limiter({.enabled = true, .window = std::chrono::seconds(10), .max_requests = 3},
                        clock);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("a").allowed);
    RateDecision refused = limiter.Admit("a");
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after_seconds, 10u);
    EXPECT_TRUE(limiter.Admit("b").allowed) << "clients are counted separately";
    clock.Advance(std::chrono::milliseconds(7500));
    EXPECT_EQ(limiter.Admit("a").retry_after_seconds, 3u);
    clock.Advance(std::chrono::milliseconds(2500));
    EXPECT_TRUE(limiter.Admit("a").allowed);
    EXPECT_EQ(limiter.refused(), 2u);
}

TEST(RateLimiter, MemoryIsBoundedByMaxClients) {
    testing::FakeClock clock;
    RateLimiter limiter({.enabled = true, .window = std::chrono::seconds(10), .max_requests = 1,
                         .max_clients = 32},
                        clock);
    // Far more clients than can be remembered: none is refused on its first request.
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.Admit("c" + std::to_string(i)).allowed);
}

}  // namespace
}  // namespace tome::api
