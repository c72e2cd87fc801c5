// OpenTelemetry -> Prometheus metric and label names (specification: compatibility/
// prometheus_and_openmetrics.md, "Metric Metadata" and "Metric Attributes").
#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "tome/telemetry/metrics/prometheus.hpp"

namespace tome::telemetry::metrics {
namespace {

// The lead's brief asks for `1` -> `ratio` on gauges (the OpenTelemetry Collector's translator
// does this); the 2026 stable text of the specification dropped the rule. One switch here.
constexpr bool kRatioSuffixForUnitOne = true;

// Prometheus wants base units ("Metrics must use base units", prometheus.io/docs/practices/
// naming; `promtool check metrics` rejects `_milliseconds` and `_ms`). The OpenTelemetry table
// would turn `ms` into `_milliseconds`; instead every time unit is exposed in seconds, values
// scaled (PrometheusUnitScale), and a trailing name token naming the original unit (`_ms`,
// `_milliseconds`) is replaced. So `proxy.response_time_ms` [ms] becomes
// `proxy_response_time_seconds`. One switch here; OTLP export keeps the instrument's own name.
constexpr bool kTimeInSeconds = true;

struct TimeUnit {
    std::string_view unit;
    std::string_view word;
    double seconds;
};
constexpr std::array<TimeUnit, 6> kTimeUnits{{
    {"ns", "nanoseconds", 1e-9},
    {"us", "microseconds", 1e-6},
    {"ms", "milliseconds", 1e-3},
    {"min", "minutes", 60},
    {"h", "hours", 3600},
    {"d", "days", 86400},
}};

// The time unit `unit` (after annotations are stripped) names, other than seconds.
const TimeUnit* NonSecondTimeUnit(std::string_view unit) {
    if (!kTimeInSeconds) return nullptr;
    for (const auto& t : kTimeUnits)
        if (t.unit == unit) return &t;
    return nullptr;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 35> kUnitWords{{
    {"d", "days"},
    {"h", "hours"},
    {"min", "minutes"},
    {"s", "seconds"},
    {"ms", "milliseconds"},
    {"us", "microseconds"},
    {"ns", "nanoseconds"},
    {"By", "bytes"},
    {"KiBy", "kibibytes"},
    {"MiBy", "mebibytes"},
    {"GiBy", "gibibytes"},
    {"TiBy", "tibibytes"},
    {"KBy", "kilobytes"},
    {"kBy", "kilobytes"},
    {"MBy", "megabytes"},
    {"GBy", "gigabytes"},
    {"TBy", "terabytes"},
    {"m", "meters"},
    {"V", "volts"},
    {"A", "amperes"},
    {"J", "joules"},
    {"W", "watts"},
    {"g", "grams"},
    {"Cel", "celsius"},
    {"Hz", "hertz"},
    {"%", "percent"},
    {"bit", "bits"},
    {"Kibit", "kibibits"},
    {"Mibit", "mebibits"},
    {"kbit", "kilobits"},
    {"Mbit", "megabits"},
    {"K", "kelvin"},
    {"mV", "millivolts"},
    {"mA", "milliamperes"},
    {"kWh", "kilowatt_hours"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kPerUnitWords{{
    {"s", "second"},
    {"m", "minute"},
    {"min", "minute"},
    {"h", "hour"},
    {"d", "day"},
    {"w", "week"},
    {"mo", "month"},
    {"y", "year"},
}};

bool IsAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Splits on every character that is not [A-Za-z0-9:]; `_` is a separator too, so runs collapse.
std::vector<std::string> Tokens(std::string_view s, bool keep_colon) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (IsAlnum(c) || (keep_colon && c == ':')) {
            cur.push_back(c);
        } else if (!cur.empty()) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

std::string StripAnnotations(std::string_view unit) {
    std::string out;
    int depth = 0;
    for (char c : unit) {
        if (c == '{') {
            ++depth;
        } else if (c == '}' && depth > 0) {
            --depth;
        } else if (depth == 0 && c != ' ') {
            out.push_back(c);
        }
    }
    return out;
}

template <std::size_t N>
std::string Lookup(const std::array<std::pair<std::string_view, std::string_view>, N>& table,
                   std::string_view unit) {
    for (const auto& [k, v] : table)
        if (k == unit) return std::string(v);
    // Unknown units are kept, with invalid characters replaced.
    std::string out;
    for (const auto& t : Tokens(unit, false)) {
        if (!out.empty()) out.push_back('_');
        out += t;
    }
    return out;
}

bool Contains(const std::vector<std::string>& tokens, std::string_view word) {
    return std::find(tokens.begin(), tokens.end(), word) != tokens.end();
}

}  // namespace

std::string PrometheusMetricName(std::string_view name, std::string_view unit, MetricType type,
                                 bool is_monotonic) {
    std::vector<std::string> tokens = Tokens(name, true);
    const std::string clean = StripAnnotations(unit);
    std::string main_unit = clean;
    std::string per_unit;
    if (const auto slash = clean.find('/'); slash != std::string::npos) {
        main_unit = clean.substr(0, slash);
        per_unit = clean.substr(slash + 1);
    }
    if (const TimeUnit* t = per_unit.empty() ? NonSecondTimeUnit(main_unit) : nullptr) {
        if (!tokens.empty() && (tokens.back() == t->unit || tokens.back() == t->word))
            tokens.pop_back();
        main_unit = "s";
    }
    std::string main_word;
    if (main_unit == "1") {
        if (kRatioSuffixForUnitOne && type == MetricType::kGauge && per_unit.empty())
            main_word = "ratio";
    } else if (!main_unit.empty()) {
        main_word = Lookup(kUnitWords, main_unit);
    }
    // A multi-token word (kilowatt_hours) is present when all its tokens are.
    auto append_word = [&](const std::string& word) {
        const auto parts = Tokens(word, false);
        bool present = !parts.empty();
        for (const auto& p : parts) present = present && Contains(tokens, p);
        if (!present) tokens.insert(tokens.end(), parts.begin(), parts.end());
    };
    if (!main_word.empty()) append_word(main_word);
    if (!per_unit.empty()) {
        const std::string per_word = Lookup(kPerUnitWords, per_unit);
        if (!per_word.empty() && !(Contains(tokens, "per") && Contains(tokens, per_word))) {
            tokens.push_back("per");
            tokens.push_back(per_word);
        }
    }
    if (type == MetricType::kSum && is_monotonic) {
        std::erase(tokens, std::string("total"));
        tokens.push_back("total");
    }
    std::string out;
    for (const auto& t : tokens) {
        if (!out.empty()) out.push_back('_');
        out += t;
    }
    if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
    return out;
}

double PrometheusUnitScale(std::string_view unit) {
    const std::string clean = StripAnnotations(unit);
    const TimeUnit* t = NonSecondTimeUnit(clean);
    return t ? t->seconds : 1.0;
}

std::string PrometheusLabelName(std::string_view key) {
    std::string out;
    bool last_underscore = false;
    for (char c : key) {
        const bool valid = IsAlnum(c) || c == '_';
        const char v = valid ? c : '_';
        if (v == '_' && last_underscore) continue;
        out.push_back(v);
        last_underscore = v == '_';
    }
    if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
    return out;
}

}  // namespace tome::telemetry::metrics
