#include "tome/robotcopy/health_monitor.hpp"

#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <pthread.h>

#include "instrumentation.hpp"

namespace tome::robotcopy {
namespace {

std::int64_t Count(const Json& report, const char* key) {
    if (!report.is_object()) return 0;
    auto it = report.find(key);
    return it != report.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

/// "error", "degraded" or "healthy" (see RunOnce).
std::string StatusOf(const Json& report, bool failed) {
    if (failed) return "error";
    if (report.is_object() && report.value("status", std::string()) == "error") return "error";
    if (Count(report, "degraded") > 0 || Count(report, "unhealthy") > 0) return "degraded";
    return "healthy";
}

}  // namespace

HealthMonitor::HealthMonitor(Check check, RobotCopy& robot_copy, HealthMonitorOptions options)
    : check_(std::move(check)), robot_copy_(robot_copy), options_(options) {}

HealthMonitor::~HealthMonitor() { Shutdown(); }

void HealthMonitor::Start() {
    std::lock_guard lock(lifecycle_mu_);
    if (started_) return;
    started_ = true;
    thread_ = std::jthread([this](std::stop_token stop) {
        pthread_setname_np(pthread_self(), "tome-health");
        Loop(std::move(stop));
    });
}

void HealthMonitor::Shutdown() {
    std::lock_guard lock(lifecycle_mu_);
    // Also marks a never-started monitor as done, so a later Start() does nothing.
    started_ = true;
    if (!thread_.joinable()) return;
    thread_.request_stop();  // wakes the wait below through its stop_callback
    thread_.join();
}

void HealthMonitor::Loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock(wait_mu_);
            // Returns early only when stop is requested (the predicate never holds otherwise).
            cv_.wait_for(lock, stop, options_.interval, [] { return false; });
        }
        if (stop.stop_requested()) break;
        try {
            Tick();
        } catch (...) {
            // Out of memory while building or tracking the report: skip this round; the
            // exception must not end the process from this thread.
        }
    }
}

bool HealthMonitor::Tick() {
    if (!robot_copy_.toggles().IsEnabled(toggles::kHealthMonitoring)) {
        checks_skipped_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    RunOnce();
    return true;
}

Json HealthMonitor::RunOnce() {
    const Clock& clock = robot_copy_.clock();
    namespace trace = telemetry::trace;
    const internal::Instrumentation& telemetry = robot_copy_.instrumentation();
    // A new trace per check; its ids are the tracked message's (one id system).
    trace::Span span =
        telemetry.Start("health.check", {}, nullptr, trace::SpanKind::kInternal, /*root=*/true);
    TrackedMessage message;
    const bool own = span.GetContext().IsValid();
    message.trace_id = own ? span.GetContext().trace_id.ToHex() : RobotCopy::NewTraceId();
    message.span_id = own ? span.GetContext().span_id.ToHex() : RobotCopy::NewSpanId();
    message.action = "health.check";
    message.timestamp = clock.Now();
    const auto started = clock.SteadyNow();

    // The check is user code: nothing it throws may leave this thread.
    Json report;
    try {
        const trace::Scope scope(span.ToContext());  // what the check logs joins this span
        report = check_ ? check_() : Json{{"status", "unknown"}, {"error", "no check"}};
    } catch (const std::exception& e) {
        report = Json{{"status", "error"}, {"error", e.what()}};
        message.status = "error";
        message.error = e.what();
    } catch (...) {
        report = Json{{"status", "error"}, {"error", "unknown exception"}};
        message.status = "error";
        message.error = "unknown exception";
    }
    message.duration_ms =
        std::chrono::duration<double, std::milli>(clock.SteadyNow() - started).count();
    telemetry.health_time.Record(message.duration_ms);
    if (message.status != "ok") span.SetStatus(trace::StatusCode::kError, message.error);
    if (span.IsRecording() && report.is_object()) {
        if (auto it = report.find("unhealthy"); it != report.end() && it->is_number_unsigned()) {
            span.SetAttribute("tome.connections.unhealthy", it->get<std::uint64_t>());
        }
    }
    message.data = Json{{"report", report}};
    const std::string status = StatusOf(report, message.status != "ok");

    std::string previous;
    {
        std::lock_guard lock(report_mu_);
        previous = std::exchange(last_status_, status);
        has_report_ = true;
        last_report_ = report;
        last_trace_id_ = message.trace_id;
        last_checked_at_ = message.timestamp;
    }
    if (status != previous) {
        const bool worse = status != "healthy";
        telemetry.Log(worse ? internal::logs::Severity::kWarn : internal::logs::Severity::kInfo,
                      worse ? "Health degraded" : "Health recovered",
                      {{"tome.health.status", status},
                       {"tome.health.previous", previous},
                       {"tome.connections.degraded", Count(report, "degraded")},
                       {"tome.connections.unhealthy", Count(report, "unhealthy")}},
                      span.GetContext(), trace::Context::Current().baggage);
    }
    checks_run_.fetch_add(1, std::memory_order_relaxed);
    robot_copy_.TrackMessage(std::move(message));
    return report;
}

Json HealthMonitor::LastReport() const {
    Json out;
    {
        std::lock_guard lock(report_mu_);
        out["checkedAt"] = has_report_ ? Json(FormatRfc3339(last_checked_at_)) : Json(nullptr);
        out["traceId"] = has_report_ ? Json(last_trace_id_) : Json(nullptr);
        out["report"] = last_report_;
    }
    out["checksRun"] = checks_run();
    out["checksSkipped"] = checks_skipped();
    return out;
}

}  // namespace tome::robotcopy
