#include "alert_config.hpp"

#include <cmath>
#include <set>

#include "demo_faults.hpp"

namespace tome::app {
namespace {

using console::AlertQuantity;
using Stat = AlertQuantity::Stat;

#define TOME_ALERT_TRY(expr)                              \
    do {                                                  \
        if (auto _st = (expr); !_st.ok()) return _st;     \
    } while (0)

class AlertReader {
public:
    explicit AlertReader(const std::string& file) : file_(file) {}

    std::string Where(const YAML::Node& at) const { return file_ + ":" + std::to_string(at.Mark().line + 1); }
    Status Fail(const YAML::Node& at, const std::string& what) const {
        return InvalidArgument(Where(at) + ": " + what);
    }

    Status Keys(const YAML::Node& map, const std::string& where, const std::set<std::string>& allowed) const {
        if (!map.IsMap()) return Fail(map, where + " must be a mapping");
        for (const auto& kv : map) {
            const std::string key = kv.first.Scalar();
            if (allowed.count(key)) continue;
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            return Fail(kv.first, "unknown key '" + where + "." + key + "' (expected one of: " + list + ")");
        }
        return Status::Ok();
    }

    Status String(const YAML::Node& n, const std::string& where, std::string& out) const {
        if (!n.IsScalar() || n.Scalar().empty()) return Fail(n, where + " must be a non-empty string");
        out = n.Scalar();
        return Status::Ok();
    }

    Status Number(const YAML::Node& n, const std::string& where, double& out) const {
        try {
            if (n.IsScalar()) {
                out = n.as<double>();
                if (std::isfinite(out)) return Status::Ok();
            }
        } catch (const YAML::Exception&) {
        }
        return Fail(n, where + " must be a number");
    }

    Status Bool(const YAML::Node& n, const std::string& where, bool& out) const {
        if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
            out = n.Scalar() == "true";
            return Status::Ok();
        }
        return Fail(n, where + " must be true or false");
    }

    Status Duration(const YAML::Node& n, const std::string& where, std::chrono::milliseconds& out) const {
        auto d = n.IsScalar() ? ParseDurationText(n.Scalar()) : std::nullopt;
        if (!d) return Fail(n, where + " must be a duration such as 500ms, 30s, 1m or 15m");
        out = *d;
        return Status::Ok();
    }

    Status StringMap(const YAML::Node& n, const std::string& where, std::map<std::string, std::string>& out) const {
        if (!n.IsMap()) return Fail(n, where + " must map names to strings");
        for (const auto& kv : n) {
            if (!kv.second.IsScalar()) return Fail(kv.second, where + "." + kv.first.Scalar() + " must be a string");
            out[kv.first.Scalar()] = kv.second.Scalar();
        }
        return Status::Ok();
    }

    Status Stat(const YAML::Node& n, const std::string& where, AlertQuantity::Stat& out) const {
        static const std::map<std::string, AlertQuantity::Stat> kStats = {
            {"increase", Stat::kIncrease}, {"rate", Stat::kRate},         {"last", Stat::kLast},
            {"count", Stat::kCount},       {"mean", Stat::kMean},         {"p50", Stat::kP50},
            {"p95", Stat::kP95},           {"p99", Stat::kP99},           {"requests", Stat::kRequests},
            {"errors", Stat::kErrors},     {"errorRate", Stat::kErrorRate}};
        auto it = n.IsScalar() ? kStats.find(n.Scalar()) : kStats.end();
        if (it == kStats.end()) {
            return Fail(n, where + " must be one of increase, rate, last, count, mean, p50, p95, p99 (metrics), "
                               "requests, errors, errorRate (RED)");
        }
        out = it->second;
        return Status::Ok();
    }

    Status Quantity(const YAML::Node& n, const std::string& where, AlertQuantity& q) const {
        TOME_ALERT_TRY(Keys(n, where, {"metric", "unit", "match", "stat", "service", "operation", "edge"}));
        if (!n["stat"]) return Fail(n, where + " needs a stat (p95, increase, errorRate, ...)");
        TOME_ALERT_TRY(Stat(n["stat"], where + ".stat", q.stat));
        const bool metric = static_cast<bool>(n["metric"]);
        const bool red = n["service"] || n["edge"] || n["operation"];
        if (metric == red) {
            return Fail(n, where + " needs either metric (an instrument) or service/operation/edge (RED from spans)");
        }
        if (metric) {
            q.source = AlertQuantity::Source::kMetric;
            TOME_ALERT_TRY(String(n["metric"], where + ".metric", q.metric));
            if (n["unit"]) TOME_ALERT_TRY(String(n["unit"], where + ".unit", q.unit));
            if (auto m = n["match"]) {
                if (!m.IsMap()) return Fail(m, where + ".match must map attribute names to a value or a list of values");
                for (const auto& kv : m) {
                    auto& values = q.match[kv.first.Scalar()];
                    if (kv.second.IsScalar()) {
                        values.push_back(kv.second.Scalar());
                    } else if (kv.second.IsSequence() && kv.second.size() > 0) {
                        for (const auto& v : kv.second) {
                            if (!v.IsScalar()) return Fail(v, where + ".match." + kv.first.Scalar() + " values must be strings");
                            values.push_back(v.Scalar());
                        }
                    } else {
                        return Fail(kv.second, where + ".match." + kv.first.Scalar() + " must be a value or a list of values");
                    }
                }
            }
        } else {
            q.source = AlertQuantity::Source::kRed;
            if (n["unit"] || n["match"]) return Fail(n, where + ": unit and match apply to metrics only");
            if (n["service"]) TOME_ALERT_TRY(String(n["service"], where + ".service", q.service));
            if (n["operation"]) TOME_ALERT_TRY(String(n["operation"], where + ".operation", q.operation));
            if (n["edge"]) TOME_ALERT_TRY(String(n["edge"], where + ".edge", q.edge));
        }
        return Status::Ok();
    }

    // A quantity or {sum: [quantities]}.
    Status Terms(const YAML::Node& n, const std::string& where, std::vector<AlertQuantity>& out) const {
        out.clear();
        if (n.IsMap() && n["sum"]) {
            const YAML::Node list = n["sum"];
            if (n.size() != 1 || !list.IsSequence() || list.size() == 0) {
                return Fail(n, where + ".sum must be the only key, with a non-empty list of quantities");
            }
            for (std::size_t i = 0; i < list.size(); ++i) {
                AlertQuantity q;
                TOME_ALERT_TRY(Quantity(list[i], where + ".sum[" + std::to_string(i) + "]", q));
                out.push_back(std::move(q));
            }
            return Status::Ok();
        }
        AlertQuantity q;
        TOME_ALERT_TRY(Quantity(n, where, q));
        out.push_back(std::move(q));
        return Status::Ok();
    }

    Status Expression(const YAML::Node& n, const std::string& where, console::AlertExpression& e) const {
        e = {};
        if (!n.IsMap()) return Fail(n, where + " must be a quantity, {sum: [...]} or {numerator, denominator}");
        if (n["numerator"] || n["denominator"]) {
            TOME_ALERT_TRY(Keys(n, where, {"numerator", "denominator"}));
            if (!n["numerator"] || !n["denominator"]) return Fail(n, where + " needs both numerator and denominator");
            TOME_ALERT_TRY(Terms(n["numerator"], where + ".numerator", e.terms));
            AlertQuantity d;
            TOME_ALERT_TRY(Quantity(n["denominator"], where + ".denominator", d));
            e.denominator = std::move(d);
            return Status::Ok();
        }
        return Terms(n, where, e.terms);
    }

    Status Baseline(const YAML::Node& n, const std::string& where, console::AlertBaseline& b) const {
        TOME_ALERT_TRY(Keys(n, where, {"span", "mads", "minRatio", "minSlices"}));
        if (n["span"]) TOME_ALERT_TRY(Duration(n["span"], where + ".span", b.span));
        if (n["mads"]) TOME_ALERT_TRY(Number(n["mads"], where + ".mads", b.mads));
        if (n["minRatio"]) TOME_ALERT_TRY(Number(n["minRatio"], where + ".minRatio", b.min_ratio));
        if (n["minSlices"]) {
            double v = 0;
            TOME_ALERT_TRY(Number(n["minSlices"], where + ".minSlices", v));
            if (v < 1 || v > 1000 || v != std::floor(v)) return Fail(n["minSlices"], where + ".minSlices must be an integer from 1 to 1000");
            b.min_slices = static_cast<std::size_t>(v);
        }
        return Status::Ok();
    }

    Status Traces(const YAML::Node& n, const std::string& where, console::AlertTraces& t) const {
        TOME_ALERT_TRY(Keys(n, where, {"service", "operation", "attributes", "minDuration", "errors"}));
        if (n["service"]) TOME_ALERT_TRY(String(n["service"], where + ".service", t.service));
        if (n["operation"]) TOME_ALERT_TRY(String(n["operation"], where + ".operation", t.operation));
        if (n["minDuration"]) TOME_ALERT_TRY(Duration(n["minDuration"], where + ".minDuration", t.min_duration));
        if (n["errors"]) TOME_ALERT_TRY(Bool(n["errors"], where + ".errors", t.errors));
        if (auto a = n["attributes"]) {
            std::map<std::string, std::string> attrs;
            TOME_ALERT_TRY(StringMap(a, where + ".attributes", attrs));
            t.attributes.assign(attrs.begin(), attrs.end());
        }
        return Status::Ok();
    }

    // The fields `n` gives, over `rule` (a shipped rule being overridden, or a new one).
    Status Rule(const YAML::Node& n, const std::string& where, console::AlertRule& rule) const {
        TOME_ALERT_TRY(Keys(n, where, {"name", "enabled", "expr", "op", "threshold", "baseline", "window", "for",
                                       "labels", "annotations", "traces"}));
        rule.where = Where(n);
        if (n["enabled"]) TOME_ALERT_TRY(Bool(n["enabled"], where + ".enabled", rule.enabled));
        if (n["expr"]) TOME_ALERT_TRY(Expression(n["expr"], where + ".expr", rule.expr));
        if (n["op"]) TOME_ALERT_TRY(String(n["op"], where + ".op", rule.op));
        if (n["threshold"]) {
            TOME_ALERT_TRY(Number(n["threshold"], where + ".threshold", rule.threshold));
            rule.baseline.reset();  // an override with a threshold compares with it
        }
        if (n["baseline"]) {
            console::AlertBaseline b = rule.baseline.value_or(console::AlertBaseline{});
            TOME_ALERT_TRY(Baseline(n["baseline"], where + ".baseline", b));
            rule.baseline = b;
        }
        if (n["threshold"] && n["baseline"]) return Fail(n, where + " has both threshold and baseline: choose one");
        if (n["window"]) TOME_ALERT_TRY(Duration(n["window"], where + ".window", rule.window));
        if (n["for"]) TOME_ALERT_TRY(Duration(n["for"], where + ".for", rule.for_duration));
        if (n["labels"]) TOME_ALERT_TRY(StringMap(n["labels"], where + ".labels", rule.labels));
        if (n["annotations"]) TOME_ALERT_TRY(StringMap(n["annotations"], where + ".annotations", rule.annotations));
        if (n["traces"]) {
            console::AlertTraces t;
            TOME_ALERT_TRY(Traces(n["traces"], where + ".traces", t));
            rule.traces = std::move(t);
        }
        return Status::Ok();
    }

private:
    const std::string& file_;
};

}  // namespace

Status ReadAlertsBlock(const std::string& file, const YAML::Node& block, const std::string& where,
                       console::AlertingOptions& alerting) {
    const AlertReader r(file);
    TOME_ALERT_TRY(r.Keys(block, where, {"evaluationIntervalMs", "alertmanager", "webhooks", "resendIntervalMs",
                                         "detectAnomalies", "rules"}));
    if (auto n = block["evaluationIntervalMs"]) {
        double ms = 0;
        TOME_ALERT_TRY(r.Number(n, where + ".evaluationIntervalMs", ms));
        if (ms < 100 || ms > 3'600'000) return r.Fail(n, where + ".evaluationIntervalMs must be between 100 and 3600000");
        alerting.evaluation_interval = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
    }
    if (auto n = block["resendIntervalMs"]) {
        double ms = 0;
        TOME_ALERT_TRY(r.Number(n, where + ".resendIntervalMs", ms));
        if (ms < 1000 || ms > 86'400'000) return r.Fail(n, where + ".resendIntervalMs must be between 1000 and 86400000");
        alerting.notify.resend_interval = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
    }
    if (auto n = block["alertmanager"]) {
        // "" turns it off in an environment.
        if (!n.IsScalar()) return r.Fail(n, where + ".alertmanager must be a URL such as http://127.0.0.1:9093");
        alerting.notify.alertmanager = n.Scalar();
        if (!alerting.notify.alertmanager.empty() && !alerting.notify.alertmanager.starts_with("http://") &&
            !alerting.notify.alertmanager.starts_with("https://")) {
            return r.Fail(n, where + ".alertmanager must be an http:// or https:// URL");
        }
        while (alerting.notify.alertmanager.ends_with('/')) alerting.notify.alertmanager.pop_back();
    }
    if (auto n = block["webhooks"]) {
        if (!n.IsSequence()) return r.Fail(n, where + ".webhooks must be a list of URLs");
        alerting.notify.webhooks.clear();
        for (const auto& url : n) {
            if (!url.IsScalar() || !(url.Scalar().starts_with("http://") || url.Scalar().starts_with("https://"))) {
                return r.Fail(url, where + ".webhooks: each must be an http:// or https:// URL");
            }
            alerting.notify.webhooks.push_back(url.Scalar());
        }
    }
    if (auto n = block["detectAnomalies"]) TOME_ALERT_TRY(r.Bool(n, where + ".detectAnomalies", alerting.detect_anomalies));
    if (auto rules = block["rules"]) {
        if (!rules.IsSequence()) return r.Fail(rules, where + ".rules must be a list of rules");
        for (std::size_t i = 0; i < rules.size(); ++i) {
            const std::string w = where + ".rules[" + std::to_string(i) + "]";
            const YAML::Node n = rules[i];
            if (!n.IsMap() || !n["name"] || !n["name"].IsScalar()) return r.Fail(n, w + " needs a name");
            const std::string name = n["name"].Scalar();
            auto it = std::find_if(alerting.rules.begin(), alerting.rules.end(),
                                   [&](const console::AlertRule& x) { return x.name == name; });
            if (it == alerting.rules.end()) {
                console::AlertRule rule;
                rule.name = name;
                TOME_ALERT_TRY(r.Rule(n, w, rule));
                alerting.rules.push_back(std::move(rule));
            } else if (where.find('.') == std::string::npos) {
                return r.Fail(n, w + ": a second rule named '" + name + "' (first at " + it->where + ")");
            } else {
                TOME_ALERT_TRY(r.Rule(n, w, *it));
            }
        }
    }
    return Status::Ok();
}

Status FinishAlerting(console::AlertingOptions& alerting) {
    std::erase_if(alerting.rules, [](const console::AlertRule& r) { return !r.enabled; });
    for (const auto& rule : alerting.rules) TOME_ALERT_TRY(console::ValidateRule(rule));
    return Status::Ok();
}

}  // namespace tome::app
