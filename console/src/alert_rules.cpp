// Rule checks and the Prometheus export of alert rules (tome/console/alerts.hpp).
#include <cmath>
#include <regex>
#include <sstream>

#include "alert_eval.hpp"
#include "tome/console/alerts.hpp"
#include "tome/telemetry/metrics/prometheus.hpp"

namespace tome::console {
namespace {

using Stat = AlertQuantity::Stat;
using Source = AlertQuantity::Source;
namespace pm = telemetry::metrics;
using internal::DurationText;

bool IsHistogramStat(Stat s) {
    return s == Stat::kP50 || s == Stat::kP95 || s == Stat::kP99 || s == Stat::kMean || s == Stat::kCount;
}
bool IsCount(Stat s) {
    return s == Stat::kIncrease || s == Stat::kCount || s == Stat::kRequests || s == Stat::kErrors || s == Stat::kRate;
}

Status CheckQuantity(const AlertRule& rule, const AlertQuantity& q, const std::string& what) {
    auto fail = [&](const std::string& m) { return InvalidArgument(rule.where + ": alert " + rule.name + ": " + what + m); };
    if (q.source == Source::kRed) {
        if (q.service.empty() && q.edge.empty()) return fail("red needs a service (and optionally an operation) or an edge");
        switch (q.stat) {
            case Stat::kRequests: case Stat::kErrors: case Stat::kRate: case Stat::kErrorRate:
            case Stat::kP50: case Stat::kP95: case Stat::kP99: return Status::Ok();
            default: return fail("red takes requests, errors, rate, error_rate, p50, p95 or p99");
        }
    }
    if (q.metric.empty()) return fail("metric needs a name");
    if (q.stat == Stat::kRequests || q.stat == Stat::kErrors || q.stat == Stat::kErrorRate) {
        return fail("a metric takes increase, rate, last, count, mean, p50, p95 or p99");
    }
    return Status::Ok();
}


std::string Number(double v) {
    std::ostringstream os;
    os.precision(12);
    os << v;
    return os.str();
}

std::string RegexEscape(const std::string& s) {
    static const std::string kSpecial = R"(\.^$|?*+()[]{})";
    std::string out;
    for (char c : s) {
        if (kSpecial.find(c) != std::string::npos) out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

std::string Quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

std::string Matchers(const AlertQuantity& q) {
    if (q.match.empty()) return "";
    std::string out = "{";
    bool first = true;
    for (const auto& [key, values] : q.match) {
        out += first ? "" : ", ";
        first = false;
        if (values.size() == 1) {
            out += pm::PrometheusLabelName(key) + "=" + Quoted(values[0]);
        } else {
            std::string alt;
            for (const auto& v : values) alt += (alt.empty() ? "" : "|") + RegexEscape(v);
            out += pm::PrometheusLabelName(key) + "=~" + Quoted(alt);
        }
    }
    return out + "}";
}

// PromQL of one quantity over `w`; empty when there is none. `scale`: what Prometheus
// multiplied the instrument's values by.
std::string PromQl(const AlertQuantity& q, const std::string& w, double& scale) {
    scale = 1;
    if (q.source != Source::kMetric) return "";
    const bool histogram = IsHistogramStat(q.stat);
    const bool counter = q.stat == Stat::kIncrease || q.stat == Stat::kRate;
    const std::string name = pm::PrometheusMetricName(
        q.metric, q.unit, histogram ? pm::MetricType::kHistogram : counter ? pm::MetricType::kSum : pm::MetricType::kGauge,
        counter);
    const std::string m = Matchers(q);
    if (histogram && q.stat != Stat::kCount) scale = pm::PrometheusUnitScale(q.unit);
    switch (q.stat) {
        case Stat::kIncrease: return "sum(increase(" + name + m + "[" + w + "]))";
        case Stat::kRate: return "sum(rate(" + name + m + "[" + w + "]))";
        case Stat::kLast: return "sum(" + name + m + ")";
        case Stat::kCount: return "sum(increase(" + name + "_count" + m + "[" + w + "]))";
        case Stat::kMean:
            return "(sum(increase(" + name + "_sum" + m + "[" + w + "])) / sum(increase(" + name + "_count" + m + "[" + w + "])))";
        case Stat::kP50: case Stat::kP95: case Stat::kP99: {
            const std::string quantile = q.stat == Stat::kP50 ? "0.5" : q.stat == Stat::kP95 ? "0.95" : "0.99";
            return "histogram_quantile(" + quantile + ", sum by (le) (rate(" + name + "_bucket" + m + "[" + w + "])))";
        }
        default: return "";
    }
}

std::string Indent(const std::string& text, const std::string& pad) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out += pad + line + "\n";
    return out;
}

// The console's annotation placeholders in Prometheus's template language; the ones with no
// Prometheus value ({{window}}, {{threshold}}) become their text.
std::string Template(std::string text, const AlertRule& rule) {
    const std::vector<std::pair<std::string, std::string>> kPlaceholders = {
        {"{{value}}", "{{ $value | printf \"%.4g\" }}"},
        {"{{ value }}", "{{ $value | printf \"%.4g\" }}"},
        {"{{window}}", DurationText(rule.window)},
        {"{{ window }}", DurationText(rule.window)},
        {"{{threshold}}", Number(rule.threshold)},
        {"{{ threshold }}", Number(rule.threshold)},
        {"{{baseline}}", "its recent baseline"},
        {"{{ baseline }}", "its recent baseline"}};
    for (const auto& [from, to] : kPlaceholders) {
        for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
            text.replace(at, from.size(), to);
        }
    }
    return text;
}

}  // namespace

Status ValidateRule(const AlertRule& rule) {
    auto fail = [&](const std::string& m) { return InvalidArgument(rule.where + ": alert " + rule.name + ": " + m); };
    static const std::regex kName("[A-Za-z_][A-Za-z0-9_]*");
    if (!std::regex_match(rule.name, kName)) {
        return InvalidArgument(rule.where + ": alert name '" + rule.name + "' must match [A-Za-z_][A-Za-z0-9_]*");
    }
    if (rule.expr.terms.empty()) return fail("needs an expression (metric, red or ratio)");
    for (const auto& q : rule.expr.terms) {
        if (Status st = CheckQuantity(rule, q, ""); !st.ok()) return st;
    }
    if (rule.expr.denominator) {
        if (Status st = CheckQuantity(rule, *rule.expr.denominator, "denominator: "); !st.ok()) return st;
        for (const auto* q : {&rule.expr.terms.front(), &*rule.expr.denominator}) {
            if (!IsCount(q->stat)) return fail("a ratio divides counts (increase, rate, count, requests, errors)");
        }
    }
    if (rule.op != ">" && rule.op != "<") return fail("the comparison must be above (>) or below (<)");
    if (!std::isfinite(rule.threshold)) return fail("the threshold must be a finite number");
    if (rule.window < std::chrono::seconds(1)) return fail("window must be at least 1s");
    if (rule.for_duration < std::chrono::milliseconds(0)) return fail("for must not be negative");
    for (const auto& q : rule.expr.terms) {
        if (q.source == Source::kRed && rule.window > std::chrono::hours(1)) {
            return fail("window: RED from spans covers the last hour at most");
        }
    }
    if (rule.baseline) {
        if (rule.baseline->span < rule.window * static_cast<long>(rule.baseline->min_slices)) {
            return fail("baseline: its span must hold at least " + std::to_string(rule.baseline->min_slices) +
                        " windows");
        }
        if (!(rule.baseline->mads > 0) || !(rule.baseline->min_ratio >= 1)) {
            return fail("baseline: mads must be positive and minRatio at least 1");
        }
    }
    return Status::Ok();
}

std::string ExportPrometheusRules(const std::vector<AlertRule>& rules, const std::string& group) {
    std::ostringstream out;
    out << "# Generated by `tome alerts export --format prometheus` from tome's alert rules (config/tome.yaml).\n"
        << "# Do not edit: change the rules there and export again (a test fails when this file is stale).\n"
        << "# Metric names are those Prometheus holds when it scrapes tome's /metrics.\n"
        << "groups:\n"
        << "  - name: " << group << "\n"
        << "    rules:\n";
    for (const auto& rule : rules) {
        if (!rule.enabled) continue;
        const std::string w = DurationText(rule.window);
        std::string expr;
        double scale = 1;
        bool exportable = true;
        std::vector<std::string> terms;
        for (const auto& q : rule.expr.terms) {
            double s = 1;
            std::string t = PromQl(q, w, s);
            if (t.empty()) exportable = false;
            scale = s;
            // A counter nobody has incremented has no series: count it as zero in a sum.
            terms.push_back(rule.expr.terms.size() > 1 && IsCount(q.stat) ? "(" + t + " or vector(0))" : t);
        }
        std::string denominator;
        if (rule.expr.denominator) {
            double s = 1;
            denominator = PromQl(*rule.expr.denominator, w, s);
            if (denominator.empty()) exportable = false;
        }
        if (!exportable) {
            out << "      # " << rule.name << ": not exported: it reads RED derived from spans, which lives in the\n"
                << "      # console; in Prometheus, the Collector's spanmetrics connector gives an equivalent.\n";
            continue;
        }
        for (std::size_t i = 0; i < terms.size(); ++i) expr += (i ? " + " : "") + terms[i];
        if (rule.expr.denominator) {
            // No failures yet is a ratio of zero, not an absent series.
            if (terms.size() == 1 && IsCount(rule.expr.terms[0].stat)) expr = "(" + expr + " or vector(0))";
            expr = expr + " / " + denominator;
        }
        const double threshold = rule.threshold * scale;
        std::string alert_expr;
        if (rule.baseline) {
            // Prometheus has no median absolute deviation: half the interquartile range stands
            // for it (as robust: a few outliers in the span move neither).
            const std::string record = "tome:" + rule.name + ":value";
            const std::string span = DurationText(rule.baseline->span);
            const auto over = [&](const char* q) {
                return std::string("quantile_over_time(") + q + ", " + record + "[" + span + "] offset " + w + ")";
            };
            out << "      # " << rule.name << ": its baseline (median + " << Number(rule.baseline->mads)
                << " MADs of the trailing " << span << " in the console) is computed here over a recorded\n"
                << "      # series, with half its interquartile range standing for the MAD.\n"
                << "      - record: " << record << "\n"
                << "        expr: " << expr << "\n";
            alert_expr = record + " > " + over("0.5") + " + " + Number(rule.baseline->mads) + " * (" + over("0.75") +
                         " - " + over("0.25") + ") / 2\n  and\n" + record + " >= " + Number(rule.baseline->min_ratio) +
                         " * " + over("0.5");
        } else {
            alert_expr = expr + " " + rule.op + " " + Number(threshold);
        }
        out << "      - alert: " << rule.name << "\n"
            << "        expr: |\n"
            << Indent(alert_expr, "          ");
        if (rule.for_duration.count() > 0) out << "        for: " << DurationText(rule.for_duration) << "\n";
        if (!rule.labels.empty()) {
            out << "        labels:\n";
            for (const auto& [k, v] : rule.labels) out << "          " << k << ": " << Quoted(v) << "\n";
        }
        if (!rule.annotations.empty()) {
            out << "        annotations:\n";
            for (const auto& [k, v] : rule.annotations) out << "          " << k << ": " << Quoted(Template(v, rule)) << "\n";
        }
        if (scale != 1) {
            out << "        # Prometheus holds this instrument in seconds: the threshold above is in seconds.\n";
        }
    }
    return out.str();
}

}  // namespace tome::console
