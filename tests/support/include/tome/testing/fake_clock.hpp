// FakeClock: a Clock whose time moves only when a test says so. Safe to read from any thread.
#pragma once

#include <atomic>
#include <chrono>

#include "tome/core/clock.hpp"

namespace tome::testing {

class FakeClock final : public Clock {
public:
    explicit FakeClock(TimePoint start = TimePoint{std::chrono::seconds{1'800'000'000}})
        : wall_ns_(start.time_since_epoch().count()) {}

    TimePoint Now() const override { return TimePoint{TimePoint::duration{wall_ns_.load()}}; }
    std::chrono::steady_clock::time_point SteadyNow() const override {
        return std::chrono::steady_clock::time_point{
            std::chrono::steady_clock::duration{steady_ns_.load()}};
    }

    /// Moves both clocks forward.
    void Advance(std::chrono::nanoseconds d) {
        wall_ns_ += std::chrono::duration_cast<TimePoint::duration>(d).count();
        steady_ns_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d).count();
    }

private:
    std::atomic<TimePoint::rep> wall_ns_;
    std::atomic<std::chrono::steady_clock::duration::rep> steady_ns_{1'000'000'000};
};

}  // namespace tome::testing
