// AlertEngine: evaluates the alert rules over the console's data every evaluation interval on
// its own thread: inactive -> pending -> firing -> resolved, with the value, since when, a
// bounded history, flapping detection and, for a firing latency or error alert, a root-cause
// hint. Firing and resolved alerts go to the AlertNotifier (Alertmanager, webhooks); the
// anomaly detector runs in the same round.
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "alert_eval.hpp"
#include "alert_notifier.hpp"
#include "anomaly.hpp"
#include "root_cause.hpp"
#include "store.hpp"
#include "tome/console/alerts.hpp"
#include "tome/core/clock.hpp"

namespace tome::console::internal {

enum class AlertPhase : std::uint8_t { kInactive, kPending, kFiring };
std::string_view PhaseName(AlertPhase phase) noexcept;

struct AlertTransition {
    AlertPhase to = AlertPhase::kInactive;
    std::int64_t at_ms = 0;
    std::optional<double> value;
    bool resolved = false;  ///< firing -> inactive
};

/// One rule's evaluation state (a plain value; the engine guards it).
struct AlertState {
    AlertPhase phase = AlertPhase::kInactive;
    std::optional<double> value;
    std::optional<double> baseline_median;
    std::optional<double> baseline_mad;
    std::int64_t active_since_ms = 0;  ///< Condition true since (pending or firing).
    std::int64_t firing_since_ms = 0;
    std::int64_t resolved_at_ms = 0;   ///< The last firing -> resolved.
    std::int64_t last_evaluation_ms = 0;
    std::int64_t last_sent_ms = 0;
    std::deque<AlertTransition> history;  ///< The last kMaxHistory transitions.
    bool flapping = false;
    std::optional<RootCauseHint> hint;
    std::string error;  ///< Why the last evaluation had no value (no data), for people.

    static constexpr std::size_t kMaxHistory = 100;
};

/// Moves `state` to what `holds` (the condition now) implies at `now_ms`; returns the
/// transition made, if any. The rule's `for` decides pending -> firing. Pure; for tests too.
std::optional<AlertTransition> Step(AlertState& state, bool holds, std::optional<double> value,
                                    std::chrono::milliseconds for_duration, std::int64_t now_ms);

class AlertEngine {
public:
    AlertEngine(const Store& store, AlertingOptions options, const Clock& clock);
    ~AlertEngine();
    AlertEngine(const AlertEngine&) = delete;
    AlertEngine& operator=(const AlertEngine&) = delete;

    /// Starts the evaluation thread (no-op without rules and anomaly detection).
    void Start();
    /// Stops evaluating and delivers pending notifications within `timeout`. Idempotent.
    void Shutdown(std::chrono::milliseconds timeout);
    /// One evaluation round at `now_ms` (the thread's work; tests call it directly).
    void EvaluateNow(std::int64_t now_ms);

    /// GET /api/alerts: every rule with its state, the anomalies, delivery counts.
    nlohmann::json StateJson(std::int64_t now_ms) const;
    /// (alertname, firing) of every rule: tome.alerts.firing.
    std::vector<std::pair<std::string, bool>> Firing() const;
    NotifierStats notifier_stats() const { return notifier_.Stats(); }
    /// Where notifications link back to (generatorURL, externalURL).
    void SetExternalUrl(std::string url);
    const AlertingOptions& options() const noexcept { return options_; }

private:
    struct Rule {
        AlertRule rule;
        AlertState state;
    };
    void EvaluateRule(Rule& r, std::int64_t now_ms);
    std::optional<RootCauseHint> Hint(const Rule& r, std::int64_t now_ms) const;
    std::vector<TraceIdBytes> TracesOf(const AlertRule& rule, std::int64_t from_ms, std::int64_t to_ms,
                                       bool baseline) const;
    void Notify(Rule& r, bool resolved, std::int64_t now_ms);
    std::map<std::string, std::string> Annotations(const Rule& r) const;
    void Run();

    const Store& store_;
    const AlertingOptions options_;
    const Clock& clock_;
    AlertEvaluator evaluator_;
    AnomalyDetector anomalies_;
    AlertNotifier notifier_;
    mutable std::mutex mu_;  // guards rules_' states and external_url_
    std::vector<Rule> rules_;
    std::string external_url_;
    std::mutex run_mu_;
    std::condition_variable run_cv_;
    bool stopping_ = false;  // guarded by run_mu_
    bool started_ = false;   // guarded by run_mu_
    std::thread worker_;     // last member
};

}  // namespace tome::console::internal
