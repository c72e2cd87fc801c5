// Clock: the one source of time for anything whose behaviour depends on it (connection
// health, rate limits, history timestamps). Tests inject a fake; production uses SystemClock.
// Implementations must be safe to call from any thread.
#pragma once

#include <chrono>
#include <string>

namespace tome {

class Clock {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    Clock() = default;
    Clock(const Clock&) = delete;
    Clock& operator=(const Clock&) = delete;
    virtual ~Clock() = default;

    /// Wall-clock time (for timestamps shown to people and exported).
    virtual TimePoint Now() const = 0;
    /// Monotonic time (for durations and deadlines).
    virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
};

/// The real clock. Stateless; one shared instance is available through SystemClock::Get().
class SystemClock final : public Clock {
public:
    TimePoint Now() const override { return std::chrono::system_clock::now(); }
    std::chrono::steady_clock::time_point SteadyNow() const override {
        return std::chrono::steady_clock::now();
    }
    static const SystemClock& Get();
};

/// RFC 3339 UTC with milliseconds: "2026-11-24T06:43:26.123Z".
std::string FormatRfc3339(Clock::TimePoint t);

}  // namespace tome
