// The definition of the tome.response_time_ms histogram (the original system's name, kept so
// its dashboards carry over), which the connector and RobotCopy both record into. Both must
// register it identically (name, description, unit, boundaries), or the metrics SDK treats the
// second registration as a conflict; so it is defined once, here, as plain data. Values are
// milliseconds; the Prometheus exposition shows it in seconds as tome_response_time_seconds.
#pragma once

#include <string_view>
#include <vector>

namespace tome::metric_defs {

inline constexpr std::string_view kResponseTimeName = "tome.response_time_ms";
inline constexpr std::string_view kResponseTimeDescription =
    "Duration of connector and RobotCopy operations";
inline constexpr std::string_view kResponseTimeUnit = "ms";

/// Bucket boundaries in milliseconds, from 10 us (one in-process delivery) to 10 s (a stuck
/// remote hop or backend call).
inline std::vector<double> ResponseTimeBoundsMillis() {
    return {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,    2.5,  5,    10,
            25,   50,    100,  250, 500,  1000, 2500, 5000, 10000};
}

}  // namespace tome::metric_defs
