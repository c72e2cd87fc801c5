// HealthMonitor: runs a health check every interval on its own thread (while
// toggles::kHealthMonitoring is on) and keeps the last report; each check is tracked in the
// RobotCopy history as a "health.check" message. A change of the overall status is logged
// through RobotCopy's logger: WARN "Health degraded" when it turns degraded or error, INFO
// "Health recovered" when it turns healthy again. All methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tome/core/clock.hpp"
#include "tome/robotcopy/robot_copy.hpp"

namespace tome::robotcopy {

struct HealthMonitorOptions {
    /// Time between two checks of the background thread; the first check runs one interval
    /// after Start(). Default 30 s; lowering it costs one check (and one history entry) each.
    std::chrono::milliseconds interval{30000};
};

class HealthMonitor {
public:
    /// Produces a report, e.g. the connector's HealthReport JSON. Should not throw; an
    /// exception is caught and turned into {"status": "error", "error": what} anyway.
    using Check = std::function<Json()>;

    /// Borrows `robot_copy`, which must outlive the monitor. Does not start the thread.
    HealthMonitor(Check check, RobotCopy& robot_copy, HealthMonitorOptions options = {});
    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;
    /// Calls Shutdown().
    ~HealthMonitor();

    /// Starts the background thread. A second call, or a call after Shutdown(), does nothing.
    void Start();
    /// Stops and joins the thread, waking it at once. Idempotent; safe to call without Start().
    /// Must not be called from inside the check (it would join its own thread).
    void Shutdown();

    /// Runs the check now on the calling thread (whatever the toggle says), inside a root
    /// "health.check" span that is the current Context while the check runs (so what the check
    /// logs is correlated with it), tracks a "health.check" message under that trace, stores and
    /// returns the report. The status is "error" when the check threw or the report says
    /// {"status": "error"}, "degraded" when its "degraded" or "unhealthy" count is above 0, else
    /// "healthy"; the status before the first check counts as healthy. When it differs from the
    /// previous check's, logs WARN "Health degraded" or INFO "Health recovered" (tome.health.status,
    /// tome.health.previous, tome.connections.degraded, tome.connections.unhealthy) in the span.
    Json RunOnce();
    /// What the thread does each interval: RunOnce() when toggles::kHealthMonitoring is on,
    /// else counts a skipped check. Returns whether the check ran.
    bool Tick();

    /// {checkedAt (RFC 3339 or null), traceId (of the last check, or null), report (null before
    /// the first check), checksRun, checksSkipped}.
    Json LastReport() const;
    std::uint64_t checks_run() const { return checks_run_.load(std::memory_order_relaxed); }
    std::uint64_t checks_skipped() const {
        return checks_skipped_.load(std::memory_order_relaxed);
    }

private:
    void Loop(std::stop_token stop);

    const Check check_;
    RobotCopy& robot_copy_;
    const HealthMonitorOptions options_;

    std::atomic<std::uint64_t> checks_run_{0};
    std::atomic<std::uint64_t> checks_skipped_{0};

    mutable std::mutex report_mu_;  // guards the five fields below
    std::string last_status_ = "healthy";
    bool has_report_ = false;
    Json last_report_;
    std::string last_trace_id_;
    Clock::TimePoint last_checked_at_{};

    std::mutex wait_mu_;  // only for cv_ waits
    std::condition_variable_any cv_;

    std::mutex lifecycle_mu_;  // guards started_ and the start/join of thread_
    bool started_ = false;

    // Declared last: destroyed first, after everything the thread touches is still alive.
    std::jthread thread_;
};

}  // namespace tome::robotcopy
