// Alert rules the console evaluates over its own data, and where their notifications go.
// A rule is an expression (a metric instrument, a ratio of two counts, or the RED of a service,
// operation or edge), compared with a threshold or with its own recent baseline over a window,
// that must hold `for` a while before it fires. The same rules export as a Prometheus rule file
// (ExportPrometheusRules) over the names Prometheus holds when it scrapes tome's /metrics.
// Plain values; safe to copy between threads.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tome/core/status.hpp"

namespace tome::console {

/// One count or measure read from the console's data over the rule's window.
struct AlertQuantity {
    enum class Source : std::uint8_t {
        kMetric,  ///< An instrument (every series whose attributes match `match`).
        kRed,     ///< The RED of an operation, a service (operation empty) or an edge.
    };
    /// What is taken of it. Metric sums: kIncrease, kRate, kLast. Gauges: kLast. Histograms:
    /// kP50/kP95/kP99, kMean, kCount, kRate (per second). RED: kRequests, kErrors, kRate,
    /// kErrorRate, kP50/kP95/kP99 (milliseconds).
    enum class Stat : std::uint8_t {
        kIncrease, kRate, kLast, kCount, kMean, kP50, kP95, kP99, kRequests, kErrors, kErrorRate,
    };

    Source source = Source::kMetric;
    Stat stat = Stat::kLast;
    // kMetric
    std::string metric;  ///< Instrument name ("orders", "order.duration").
    /// The instrument's unit as it declares it ("s", "ms", "{order}"). Only the Prometheus
    /// export needs it (the name and scale Prometheus sees); "" for none.
    std::string unit;
    /// Attribute filters: every key must have one of its values ({"outcome": {"error"}}).
    std::map<std::string, std::vector<std::string>> match;
    // kRed
    std::string service;    ///< service.name (required for operations and services).
    std::string operation;  ///< Span name; empty: the service's entry spans.
    std::string edge;       ///< "<source>-><target>" node ids instead of a service.
};

/// The expression of a rule: the sum of `terms` (usually one), or `numerator / denominator`.
struct AlertExpression {
    std::vector<AlertQuantity> terms;
    std::optional<AlertQuantity> denominator;  ///< Set for a ratio.
};

/// "Clearly above its own recent baseline": the value is compared with the same expression
/// computed over each `window`-long slice of the trailing `span` before the current window; it
/// holds when value > median + mads × MAD and value >= median × min_ratio (MAD never counted
/// below 5 % of the median, so steady series do not fire on noise).
struct AlertBaseline {
    std::chrono::milliseconds span{15 * 60 * 1000};
    double mads = 5.0;
    double min_ratio = 1.5;
    /// Slices with no data are skipped; fewer than this many slices: no verdict (inactive).
    std::size_t min_slices = 5;
};

/// Which traces a rule is about (its console links, and the traces its root-cause hint
/// compares with a baseline). Optional; without it, a histogram rule uses its exemplars.
struct AlertTraces {
    std::string service;
    std::string operation;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::chrono::milliseconds min_duration{0};
    bool errors = false;  ///< Failing traces (the hint then looks for errors, not time).
};

struct AlertRule {
    std::string name;  ///< The alertname label: [A-Za-z_][A-Za-z0-9_]*.
    AlertExpression expr;
    /// Threshold comparison: ">" or "<" (with `threshold`), unless `baseline` is set.
    std::string op = ">";
    double threshold = 0;
    std::optional<AlertBaseline> baseline;
    std::chrono::milliseconds window{60'000};  ///< What the expression covers, ending now.
    std::chrono::milliseconds for_duration{0};  ///< How long it must hold before firing.
    std::map<std::string, std::string> labels;       ///< severity, ...
    std::map<std::string, std::string> annotations;  ///< summary, description: {{value}}, {{window}}
    std::optional<AlertTraces> traces;
    std::string where;  ///< "FILE:LINE" of the rule, for messages.
    /// False: neither evaluated nor exported (an environment turning a shipped rule off).
    bool enabled = true;
};

/// Where firing and resolved alerts go, and how often.
struct AlertNotifyOptions {
    /// Alertmanager's base URL ("http://127.0.0.1:9093"): alerts are POSTed to /api/v2/alerts.
    std::string alertmanager;
    /// Plain webhooks, sent Alertmanager's webhook payload (version "4").
    std::vector<std::string> webhooks;
    /// A firing alert is sent again this often (Alertmanager forgets alerts not re-sent).
    /// Default 60 s.
    std::chrono::milliseconds resend_interval{60'000};
    /// Per delivery; a failed one is retried with backoff up to `max_attempts`. Default 5 s.
    std::chrono::milliseconds timeout{5'000};
    std::size_t max_attempts = 4;
    /// Deliveries waiting at most; the oldest are dropped (counted) beyond. Default 1000.
    std::size_t max_queue = 1000;
};

struct AlertingOptions {
    std::vector<AlertRule> rules;
    /// How often every rule is evaluated. Default 5 s.
    std::chrono::milliseconds evaluation_interval{5'000};
    AlertNotifyOptions notify;
    /// What this process's alerts are marked as (the generatorURL's host, the `service` label).
    std::string external_url;
    /// Baselines of latency and error rate per service and edge, anomalies shown on the console.
    bool detect_anomalies = true;
};

/// Checks a rule: name syntax, a known stat for its source, a ratio of counts, window and for
/// durations. Errors (kInvalidArgument) start with the rule's `where` and name the field.
Status ValidateRule(const AlertRule& rule);

/// The rules as a Prometheus rule file (one group), over the names Prometheus sees when it
/// scrapes tome's /metrics. A rule with no PromQL equivalent (RED from spans) is left out with
/// a comment saying why; a baseline rule is approximated and says how.
std::string ExportPrometheusRules(const std::vector<AlertRule>& rules, const std::string& group = "tome");

}  // namespace tome::console
