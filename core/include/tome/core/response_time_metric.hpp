// The definition of the tome.response_time histogram, which the connector and RobotCopy both
// record into. Both must register it identically (name, description, unit, boundaries), or
// the metrics SDK treats the second registration as a conflict; so it is defined once, here,
// as plain data. Seconds, not milliseconds: promtool rejects `_ms` metric names.
#pragma once

#include <string_view>
#include <vector>

namespace tome::metric_defs {

inline constexpr std::string_view kResponseTimeName = "tome.response_time";
inline constexpr std::string_view kResponseTimeDescription =
    "Duration of connector and RobotCopy operations";
inline constexpr std::string_view kResponseTimeUnit = "s";

/// Bucket boundaries in seconds, from 10 us (one in-process delivery) to 10 s (a stuck remote
/// hop or backend call).
inline std::vector<double> ResponseTimeBoundsSeconds() {
    return {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
            0.025,   0.05,     0.1,     0.25,   0.5,     1,      2.5,   5,      10};
}

}  // namespace tome::metric_defs
