#include "tome/core/clock.hpp"

#include <ctime>
#include <cstdio>

namespace tome {

const SystemClock& SystemClock::Get() {
    static const SystemClock clock;
    return clock;
}

std::string FormatRfc3339(Clock::TimePoint t) {
    using namespace std::chrono;
    const auto since_epoch = t.time_since_epoch();
    const auto secs = duration_cast<seconds>(since_epoch);
    auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
    if (millis < 0) millis += 1000;
    std::time_t tt = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
    return buf;
}

}  // namespace tome
