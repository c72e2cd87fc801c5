#include "alert_engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <pthread.h>

#include "views.hpp"

namespace tome::console::internal {
namespace {

using Json = nlohmann::json;
using Stat = AlertQuantity::Stat;

constexpr std::int64_t kFlapWindowMs = 10 * 60 * 1000;
constexpr std::size_t kFlapTransitions = 3;
constexpr std::size_t kHintTraces = 40;

std::string StatName(Stat s) {
    switch (s) {
        case Stat::kIncrease: return "increase";
        case Stat::kRate: return "rate";
        case Stat::kLast: return "last";
        case Stat::kCount: return "count";
        case Stat::kMean: return "mean";
        case Stat::kP50: return "p50";
        case Stat::kP95: return "p95";
        case Stat::kP99: return "p99";
        case Stat::kRequests: return "requests";
        case Stat::kErrors: return "errors";
        case Stat::kErrorRate: return "error rate";
    }
    return "?";
}

std::string Describe(const AlertQuantity& q) {
    std::string target;
    if (q.source == AlertQuantity::Source::kRed) {
        target = !q.edge.empty() ? "edge " + q.edge
                                 : q.operation.empty() ? "service " + q.service : q.service + " / " + q.operation;
    } else {
        target = q.metric;
        if (!q.match.empty()) {
            target += "{";
            bool first = true;
            for (const auto& [k, vs] : q.match) {
                target += (first ? "" : ",") + k + "=";
                first = false;
                for (std::size_t i = 0; i < vs.size(); ++i) target += (i ? "|" : "") + vs[i];
            }
            target += "}";
        }
    }
    return StatName(q.stat) + " of " + target;
}

std::string Describe(const AlertExpression& e) {
    std::string out;
    for (std::size_t i = 0; i < e.terms.size(); ++i) out += (i ? " + " : "") + Describe(e.terms[i]);
    if (e.denominator) out = "(" + out + ") / " + Describe(*e.denominator);
    return out;
}

std::string Number(double v) {
    char buf[48];
    if (std::abs(v) >= 100 || v == std::floor(v)) std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (std::abs(v) >= 1) std::snprintf(buf, sizeof buf, "%.2f", v);
    else std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}


std::string Rfc3339(std::int64_t ms) {
    return FormatRfc3339(Clock::TimePoint(std::chrono::milliseconds(ms)));
}

void Replace(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
}

std::string Fingerprint(const std::map<std::string, std::string>& labels) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const auto& [k, v] : labels) {
        for (char c : k + "\x01" + v + "\x02") h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace

std::string_view PhaseName(AlertPhase phase) noexcept {
    switch (phase) {
        case AlertPhase::kInactive: return "inactive";
        case AlertPhase::kPending: return "pending";
        case AlertPhase::kFiring: return "firing";
    }
    return "inactive";
}

std::optional<AlertTransition> Step(AlertState& s, bool holds, std::optional<double> value,
                                    std::chrono::milliseconds for_duration, std::int64_t now_ms) {
    s.value = value;
    s.last_evaluation_ms = now_ms;
    std::optional<AlertTransition> t;
    if (holds) {
        if (s.phase == AlertPhase::kInactive) s.active_since_ms = now_ms;
        if (s.phase != AlertPhase::kFiring && now_ms - s.active_since_ms >= for_duration.count()) {
            s.phase = AlertPhase::kFiring;
            s.firing_since_ms = now_ms;
            t = AlertTransition{AlertPhase::kFiring, now_ms, value, false};
        } else if (s.phase == AlertPhase::kInactive) {
            s.phase = AlertPhase::kPending;
            t = AlertTransition{AlertPhase::kPending, now_ms, value, false};
        }
    } else if (s.phase != AlertPhase::kInactive) {
        const bool resolved = s.phase == AlertPhase::kFiring;
        if (resolved) s.resolved_at_ms = now_ms;
        s.phase = AlertPhase::kInactive;
        s.active_since_ms = 0;
        s.firing_since_ms = 0;
        t = AlertTransition{AlertPhase::kInactive, now_ms, value, resolved};
    }
    if (t) {
        s.history.push_back(*t);
        while (s.history.size() > AlertState::kMaxHistory) s.history.pop_front();
        std::size_t resolutions = 0;
        for (const auto& h : s.history) {
            if (h.resolved && now_ms - h.at_ms <= kFlapWindowMs) ++resolutions;
        }
        s.flapping = resolutions >= kFlapTransitions;
    }
    return t;
}

AlertEngine::AlertEngine(const Store& store, AlertingOptions options, const Clock& clock)
    : store_(store), options_(std::move(options)), clock_(clock), evaluator_(store), notifier_(options_.notify) {
    for (const auto& rule : options_.rules)
        if (rule.enabled) rules_.push_back({rule, AlertState{}});
    external_url_ = options_.external_url;
}

void AlertEngine::SetExternalUrl(std::string url) {
    std::lock_guard lock(mu_);
    external_url_ = std::move(url);
}

AlertEngine::~AlertEngine() { Shutdown(std::chrono::seconds(2)); }

void AlertEngine::Start() {
    std::lock_guard lock(run_mu_);
    if (started_ || stopping_ || (rules_.empty() && !options_.detect_anomalies)) return;
    started_ = true;
    worker_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "tome-alerts");
        Run();
    });
}

void AlertEngine::Shutdown(std::chrono::milliseconds timeout) {
    {
        std::lock_guard lock(run_mu_);
        if (stopping_) return;
        stopping_ = true;
    }
    run_cv_.notify_all();
    if (worker_.joinable()) worker_.join();
    notifier_.Shutdown(timeout);
}

void AlertEngine::Run() {
    std::unique_lock lock(run_mu_);
    while (!stopping_) {
        lock.unlock();
        const auto now_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch()).count();
        try {
            EvaluateNow(now_ms);
        } catch (...) {
            // An evaluation that cannot allocate is skipped; the next one tries again.
        }
        lock.lock();
        run_cv_.wait_for(lock, options_.evaluation_interval, [&] { return stopping_; });
    }
}

void AlertEngine::EvaluateNow(std::int64_t now_ms) {
    if (options_.detect_anomalies) anomalies_.Evaluate(store_.graph(), now_ms);
    // Rules are evaluated one at a time; the state lock is held only to update a rule.
    for (std::size_t i = 0; i < rules_.size(); ++i) EvaluateRule(rules_[i], now_ms);
}

void AlertEngine::EvaluateRule(Rule& r, std::int64_t now_ms) {
    const AlertRule& rule = r.rule;
    const std::int64_t window = rule.window.count();
    const auto value = evaluator_.Evaluate(rule.expr, now_ms - window, now_ms);
    bool holds = false;
    std::optional<double> median, mad;
    std::string error;
    if (!value) {
        error = "no data for " + Describe(rule.expr) + " in the last " + DurationText(rule.window);
    } else if (rule.baseline) {
        std::vector<double> slices;
        const std::int64_t n = std::max<std::int64_t>(1, rule.baseline->span.count() / window);
        for (std::int64_t i = 1; i <= n; ++i) {
            if (auto v = evaluator_.Evaluate(rule.expr, now_ms - (i + 1) * window, now_ms - i * window)) {
                slices.push_back(*v);
            }
        }
        if (slices.size() < rule.baseline->min_slices) {
            error = "baseline: " + std::to_string(slices.size()) + " of " + std::to_string(n) +
                    " windows have data (at least " + std::to_string(rule.baseline->min_slices) + " needed)";
        } else {
            auto [m, d] = MedianAndMad(slices);
            median = m;
            mad = d;
            const double spread = std::max(d, 0.05 * std::abs(m));
            holds = *value > m + rule.baseline->mads * spread && *value >= rule.baseline->min_ratio * m;
        }
    } else {
        holds = rule.op == "<" ? *value < rule.threshold : *value > rule.threshold;
    }

    std::optional<AlertTransition> t;
    {
        std::lock_guard lock(mu_);
        r.state.baseline_median = median;
        r.state.baseline_mad = mad;
        r.state.error = error;
        t = Step(r.state, holds, value, rule.for_duration, now_ms);
    }
    const bool firing_now = t && t->to == AlertPhase::kFiring;
    if (firing_now || (r.state.phase == AlertPhase::kFiring && now_ms - r.state.last_sent_ms >= 60'000)) {
        // The hint is computed when the alert fires and refreshed each minute while it does.
        auto hint = Hint(r, now_ms);
        std::lock_guard lock(mu_);
        if (hint) r.state.hint = std::move(hint);
    }
    if (firing_now) {
        Notify(r, false, now_ms);
    } else if (r.state.phase == AlertPhase::kFiring &&
               now_ms - r.state.last_sent_ms >= options_.notify.resend_interval.count()) {
        Notify(r, false, now_ms);
    } else if (t && t->resolved) {
        Notify(r, true, now_ms);
    }
}

std::vector<TraceIdBytes> AlertEngine::TracesOf(const AlertRule& rule, std::int64_t from_ms, std::int64_t to_ms,
                                                bool baseline) const {
    std::vector<TraceIdBytes> out;
    if (rule.traces) {
        TraceQuery q;
        q.service = rule.traces->service;
        q.operation = rule.traces->operation;
        q.attributes = rule.traces->attributes;
        if (!baseline) {
            q.min_duration_ns = static_cast<std::uint64_t>(rule.traces->min_duration.count()) * 1'000'000;
            q.errors_only = rule.traces->errors;
        }
        q.start_us = from_ms * 1000;
        q.end_us = to_ms * 1000;
        q.limit = kHintTraces;
        return store_.spans().Search(q).traces;
    }
    // A histogram's exemplars name traces that fed it.
    for (const auto& term : rule.expr.terms) {
        if (term.source != AlertQuantity::Source::kMetric) continue;
        const auto points = store_.metrics().Points(term.metric, from_ms * 1000, to_ms * 1000);
        for (const auto& [id, list] : points) {
            for (const auto& p : list) {
                for (const auto& e : p.exemplars) {
                    if (!IsZero(e.trace_id) && out.size() < kHintTraces &&
                        std::find(out.begin(), out.end(), e.trace_id) == out.end()) {
                        out.push_back(e.trace_id);
                    }
                }
            }
        }
    }
    return out;
}

std::optional<RootCauseHint> AlertEngine::Hint(const Rule& r, std::int64_t now_ms) const {
    const AlertRule& rule = r.rule;
    const bool errors = (rule.traces && rule.traces->errors) ||
                        std::any_of(rule.expr.terms.begin(), rule.expr.terms.end(), [](const AlertQuantity& q) {
                            return q.stat == Stat::kErrors || q.stat == Stat::kErrorRate;
                        });
    std::int64_t since = r.state.active_since_ms ? r.state.active_since_ms : now_ms;
    const std::int64_t window = rule.window.count();
    // Affected: the traces since the condition began to hold (one evaluation earlier, as it
    // was building up), within the window: the window alone would mix in traces from before.
    const std::int64_t from =
        std::max(now_ms - window, std::min(since - options_.evaluation_interval.count(), now_ms - 1000));
    const auto affected = TracesOf(rule, from, now_ms, false);
    const std::int64_t baseline_span = rule.baseline ? rule.baseline->span.count() : 10 * window;
    const auto baseline = TracesOf(rule, since - window - baseline_span, since - window, true);
    return FindRootCause(store_, affected, baseline, errors);
}

std::map<std::string, std::string> AlertEngine::Annotations(const Rule& r) const {
    std::map<std::string, std::string> out;
    for (auto [key, text] : r.rule.annotations) {
        const std::string value = r.state.value ? Number(*r.state.value) : "(no data)";
        for (const char* v : {"{{value}}", "{{ value }}"}) Replace(text, v, value);
        for (const char* v : {"{{threshold}}", "{{ threshold }}"}) Replace(text, v, Number(r.rule.threshold));
        for (const char* v : {"{{window}}", "{{ window }}"}) Replace(text, v, DurationText(r.rule.window));
        const std::string baseline = r.state.baseline_median ? Number(*r.state.baseline_median) : "(no baseline)";
        for (const char* v : {"{{baseline}}", "{{ baseline }}"}) Replace(text, v, baseline);
        out[key] = std::move(text);
    }
    if (r.state.hint) out["root_cause"] = r.state.hint->text;
    return out;
}

void AlertEngine::Notify(Rule& r, bool resolved, std::int64_t now_ms) {
    std::map<std::string, std::string> labels = r.rule.labels;
    labels["alertname"] = r.rule.name;
    std::map<std::string, std::string> annotations;
    std::int64_t starts = 0;
    std::string external_url;
    {
        std::lock_guard lock(mu_);
        external_url = external_url_;
        annotations = Annotations(r);
        starts = resolved ? (r.state.history.size() >= 2 ? r.state.history[r.state.history.size() - 2].at_ms : now_ms)
                          : r.state.firing_since_ms;
        r.state.last_sent_ms = resolved ? 0 : now_ms;
    }
    const std::string generator = external_url + "/alerts?alert=" + r.rule.name;
    // A firing alert ends on its own if it is not re-sent in time (Alertmanager's contract).
    const std::int64_t ends = resolved ? now_ms : now_ms + 4 * std::max<std::int64_t>(options_.notify.resend_interval.count(),
                                                                                         options_.evaluation_interval.count());
    if (!options_.notify.alertmanager.empty()) {
        Json alert{{"labels", labels},
                   {"annotations", annotations},
                   {"startsAt", Rfc3339(starts)},
                   {"endsAt", Rfc3339(ends)},
                   {"generatorURL", generator}};
        notifier_.Post(options_.notify.alertmanager + "/api/v2/alerts", Dump(Json::array({alert})));
    }
    if (!options_.notify.webhooks.empty()) {
        const std::string status = resolved ? "resolved" : "firing";
        Json alert{{"status", status},
                   {"labels", labels},
                   {"annotations", annotations},
                   {"startsAt", Rfc3339(starts)},
                   {"endsAt", resolved ? Rfc3339(now_ms) : std::string("0001-01-01T00:00:00Z")},
                   {"generatorURL", generator},
                   {"fingerprint", Fingerprint(labels)}};
        Json payload{{"version", "4"},
                     {"groupKey", "{}:{alertname=\"" + r.rule.name + "\"}"},
                     {"truncatedAlerts", 0},
                     {"status", status},
                     {"receiver", "tome"},
                     {"groupLabels", {{"alertname", r.rule.name}}},
                     {"commonLabels", labels},
                     {"commonAnnotations", annotations},
                     {"externalURL", external_url},
                     {"alerts", Json::array({alert})}};
        for (const auto& url : options_.notify.webhooks) notifier_.Post(url, Dump(payload));
    }
}

std::vector<std::pair<std::string, bool>> AlertEngine::Firing() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, bool>> out;
    for (const auto& r : rules_) out.emplace_back(r.rule.name, r.state.phase == AlertPhase::kFiring);
    return out;
}

Json AlertEngine::StateJson(std::int64_t now_ms) const {
    Json rules = Json::array();
    std::lock_guard lock(mu_);
    for (const auto& r : rules_) {
        const AlertRule& rule = r.rule;
        const AlertState& s = r.state;
        Json j{{"name", rule.name},
               {"state", PhaseName(s.phase)},
               {"expression", Describe(rule.expr)},
               {"windowMs", rule.window.count()},
               {"forMs", rule.for_duration.count()},
               {"labels", rule.labels},
               {"annotations", Annotations(r)},
               {"flapping", s.flapping}};
        j["value"] = s.value ? Json(*s.value) : Json(nullptr);
        if (rule.baseline) {
            j["baseline"] = {{"spanMs", rule.baseline->span.count()},
                             {"mads", rule.baseline->mads},
                             {"minRatio", rule.baseline->min_ratio}};
            if (s.baseline_median) j["baseline"]["median"] = *s.baseline_median;
            if (s.baseline_mad) j["baseline"]["mad"] = *s.baseline_mad;
        } else {
            j["op"] = rule.op;
            j["threshold"] = rule.threshold;
        }
        if (s.active_since_ms) j["activeSinceUs"] = s.active_since_ms * 1000;
        if (s.firing_since_ms) j["firingSinceUs"] = s.firing_since_ms * 1000;
        if (s.resolved_at_ms) j["resolvedAtUs"] = s.resolved_at_ms * 1000;
        if (s.last_evaluation_ms) j["lastEvaluationUs"] = s.last_evaluation_ms * 1000;
        if (!s.error.empty()) j["noData"] = s.error;
        if (s.hint) {
            j["rootCause"] = {{"text", s.hint->text},
                              {"service", s.hint->service},
                              {"operation", s.hint->operation},
                              {"tome", s.hint->tome},
                              {"before", s.hint->before},
                              {"after", s.hint->after},
                              {"errors", s.hint->errors},
                              {"affectedTraces", s.hint->affected_traces},
                              {"baselineTraces", s.hint->baseline_traces},
                              {"examples", s.hint->examples}};
        }
        // The traces of the window the alert is about, as a console search.
        const std::int64_t from = s.active_since_ms ? std::min(s.active_since_ms, now_ms - rule.window.count())
                                                    : now_ms - rule.window.count();
        Json traces{{"start", from}, {"end", now_ms}};
        if (rule.traces) {
            if (!rule.traces->service.empty()) traces["service"] = rule.traces->service;
            if (!rule.traces->operation.empty()) traces["operation"] = rule.traces->operation;
            if (rule.traces->min_duration.count() > 0) traces["minDuration"] = DurationText(rule.traces->min_duration);
            if (rule.traces->errors) traces["errors"] = true;
            Json attrs = Json::array();
            for (const auto& [k, v] : rule.traces->attributes) attrs.push_back(k + "=" + v);
            if (!attrs.empty()) traces["attr"] = attrs;
        }
        j["traces"] = traces;
        Json history = Json::array();
        for (auto it = s.history.rbegin(); it != s.history.rend() && history.size() < 20; ++it) {
            Json h{{"state", it->resolved ? std::string("resolved") : std::string(PhaseName(it->to))},
                   {"atUs", it->at_ms * 1000}};
            h["value"] = it->value ? Json(*it->value) : Json(nullptr);
            history.push_back(std::move(h));
        }
        j["history"] = std::move(history);
        rules.push_back(std::move(j));
    }
    Json anomalies = Json::array();
    for (const auto& a : anomalies_.Snapshot()) {
        Json j{{"target", a.target}, {"kind", a.kind}, {"value", a.value}, {"median", a.median}, {"mad", a.mad},
               {"sinceUs", a.since_ms * 1000}};
        if (a.until_ms) j["untilUs"] = a.until_ms * 1000;
        anomalies.push_back(std::move(j));
    }
    const NotifierStats n = notifier_.Stats();
    return Json{{"evaluationIntervalMs", options_.evaluation_interval.count()},
                {"rules", std::move(rules)},
                {"anomalies", std::move(anomalies)},
                {"notifications",
                 {{"alertmanager", options_.notify.alertmanager},
                  {"webhooks", options_.notify.webhooks},
                  {"sent", n.sent},
                  {"retried", n.retried},
                  {"failed", n.failed},
                  {"dropped", n.dropped},
                  {"lastError", n.last_error}}}};
}

}  // namespace tome::console::internal
