// DemoFaults: faults injected on purpose into `tome demo`'s workload, so that each shipped
// alert can be made to fire and then resolve. A fault is a pair "<step>.<kind>=<value>":
//
//   <step>.latency=600ms      adds that much simulated work to the step (order, payment,
//                             inventory, notification)
//   <step>.failure_rate=0.05  that share of the step's calls fail (payment: declined, as a
//                             real decline; other steps: the step fails with an error)
//   <step>.down=true          the step's tome leaves the network (its connections turn
//                             unhealthy; orders that need it fail) until the fault is cleared
//                             (also analytics, the observer, which no order waits for)
//
// Set from `tome demo --fault K=V` and at run time with PUT /api/demo/faults (a JSON object of
// the same pairs; {} clears them), shown by GET /api/demo/faults.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tome/core/status.hpp"

namespace tome::app {

/// The demo's steps, as fault keys name them, and the tome each one drives.
inline constexpr std::string_view kDemoFaultSteps[] = {"order", "payment", "inventory", "notification",
                                                       "analytics"};
std::string_view DemoStepTome(std::string_view step);

/// What is injected into one step (plain value).
struct StepFault {
    std::chrono::milliseconds latency{0};
    double failure_rate = 0;
    bool down = false;
    bool empty() const { return latency.count() == 0 && failure_rate == 0 && !down; }
};

/// Parses "600ms", "1.5s", "2m", "250" (ms); nullopt when malformed or negative.
std::optional<std::chrono::milliseconds> ParseDurationText(std::string_view text);

class DemoFaults {
public:
    /// Called with (tome id, down) when a step's `down` changes; the demo takes the tome out
    /// of the network or puts it back. Set before faults are.
    using DownHandler = std::function<Status(const std::string& tome, bool down)>;
    void OnDownChange(DownHandler handler);

    /// Parses every "K=V" pair first and applies them only when all are valid (kInvalidArgument
    /// naming the pair). `replace` clears what is not named (PUT); else adds (--fault).
    Status Set(const std::map<std::string, std::string>& pairs, bool replace);
    /// PUT /api/demo/faults: a JSON object of string (or number, bool) values.
    Status SetJson(const nlohmann::json& body);
    /// {"inventory.latency": "600ms", ...}: what is injected now.
    nlohmann::json ToJson() const;
    StepFault For(std::string_view step) const;

private:
    mutable std::mutex mu_;
    std::map<std::string, StepFault, std::less<>> faults_;  // guarded by mu_; by step
    DownHandler on_down_;                                   // guarded by mu_
};

}  // namespace tome::app
