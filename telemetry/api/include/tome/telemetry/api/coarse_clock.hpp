// CoarseSteadyNow: std::chrono::steady_clock's time read from CLOCK_MONOTONIC_COARSE (Linux),
// for deadlines of seconds computed on hot paths (an export's 30 s budget per span in the
// simple processors). It is the same time base as steady_clock, up to one scheduler tick
// (1-10 ms) behind, and costs a few nanoseconds where a precise read costs 20-25 ns on the
// virtual machines tome runs on. Never use it for timestamps or durations that are reported.
#pragma once

#include <chrono>
#include <ctime>

namespace tome::telemetry {

inline std::chrono::steady_clock::time_point CoarseSteadyNow() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

}  // namespace tome::telemetry
