// Prometheus text format 0.0.4 and OpenMetrics 1.0 rendering of a MetricsData snapshot.
#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tome/telemetry/api/utf8.hpp"
#include "tome/telemetry/metrics/prometheus.hpp"

namespace tome::telemetry::metrics {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string FormatDouble(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, ptr) : "NaN";
}

// OpenMetrics wants `le` as a canonical float ("1.0", not "1").
std::string FormatBound(double v, bool openmetrics) {
    std::string s = FormatDouble(v);
    if (openmetrics && s.find_first_of(".eEIN") == std::string::npos) s += ".0";
    return s;
}

std::string FormatValue(const NumberPoint& p) {
    return p.is_int ? std::to_string(p.as_int) : FormatDouble(p.as_double);
}

template <class T>
std::string JoinArray(const std::vector<T>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        if constexpr (std::is_same_v<T, std::string>) {
            out += '"' + v[i] + '"';
        } else if constexpr (std::is_same_v<T, bool>) {
            out += v[i] ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
            out += FormatDouble(v[i]);
        } else {
            out += std::to_string(v[i]);
        }
    }
    return out + "]";
}

std::string Stringify(const trace::AttributeValue& value) {
    return std::visit(
        [](const auto& v) -> std::string {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string>)
                return v;
            else if constexpr (std::is_same_v<V, bool>)
                return v ? "true" : "false";
            else if constexpr (std::is_same_v<V, std::int64_t>)
                return std::to_string(v);
            else if constexpr (std::is_same_v<V, double>)
                return FormatDouble(v);
            else
                return JoinArray(v);
        },
        value);
}

// Label values and HELP text: backslash, newline (and '"' in label values) escaped; each
// ill-formed UTF-8 subpart replaced by U+FFFD, since both formats are UTF-8 text and a scraper
// rejects the whole exposition for one bad byte.
void EscapeInto(std::string& out, std::string_view s, bool quote) {
    std::string storage;  // used only when `s` is not valid UTF-8
    s = utf8::Sanitize(s, storage);
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quote && c == '"')
            out += "\\\"";
        else
            out.push_back(c);
    }
}

// Attributes arrive sorted by key; keys that sanitise to the same label join with ';'.
Labels ToLabels(const AttributeSet& attributes) {
    Labels out;
    for (const auto& a : attributes) {
        std::string name = PrometheusLabelName(a.key);
        std::string value = Stringify(a.value);
        auto it =
            std::find_if(out.begin(), out.end(), [&](const auto& l) { return l.first == name; });
        if (it != out.end()) {
            it->second += ';' + value;
        } else {
            out.emplace_back(std::move(name), std::move(value));
        }
    }
    return out;
}

std::string LabelText(const Labels& labels) {
    if (labels.empty()) return {};
    std::string out = "{";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i) out += ',';
        out += labels[i].first;
        out += "=\"";
        EscapeInto(out, labels[i].second, true);
        out += '"';
    }
    return out + "}";
}

std::string ExemplarText(const Exemplar& e) {
    Labels l;
    if (e.trace_id.IsValid()) {
        l.emplace_back("trace_id", e.trace_id.ToHex());
        l.emplace_back("span_id", e.span_id.ToHex());
    }
    char ts[48];
    std::snprintf(ts, sizeof ts, "%" PRIu64 ".%03" PRIu64, e.time_unix_nano / 1000000000u,
                  (e.time_unix_nano / 1000000u) % 1000u);
    return " # " + (l.empty() ? std::string("{}") : LabelText(l)) + ' ' + FormatDouble(e.value) +
           ' ' + ts;
}

struct Family {
    std::string name;  // the TYPE/HELP name
    std::string type;
    std::string help;
    std::string samples;
};

class Renderer {
  public:
    explicit Renderer(bool om) : om_(om) {}

    void Add(const ScopeMetrics& scope, const Metric& metric) {
        // Time in seconds: a metric in another time unit is rendered from a scaled copy.
        const double scale = PrometheusUnitScale(metric.unit);
        std::optional<Metric> scaled;
        if (scale != 1.0) scaled = Scaled(metric, scale);
        const Metric& m = scaled ? *scaled : metric;
        std::string type;
        const bool cumulative = m.temporality == AggregationTemporality::kCumulative;
        if (m.type == MetricType::kSum) {
            if (!cumulative) return;  // delta sums are dropped (Prometheus is cumulative)
            type = m.is_monotonic ? "counter" : "gauge";
        } else if (m.type == MetricType::kGauge) {
            type = "gauge";
        } else {
            if (!cumulative) return;
            type = "histogram";
        }
        const std::string name = PrometheusMetricName(m.name, m.unit, m.type, m.is_monotonic);
        std::string family = name;
        if (om_ && type == "counter") family = name.substr(0, name.size() - 6);  // no _total
        Family* f = Find(name, family, type);
        if (f == nullptr) return;  // TYPE conflict: dropped
        if (f->help.empty()) f->help = m.description;

        Labels scope_labels;
        scope_labels.emplace_back("otel_scope_name", scope.scope.name);
        if (!scope.scope.version.empty())
            scope_labels.emplace_back("otel_scope_version", scope.scope.version);
        if (!scope.scope.schema_url.empty())
            scope_labels.emplace_back("otel_scope_schema_url", scope.scope.schema_url);
        auto labels_for = [&](const AttributeSet& attrs) {
            Labels l = ToLabels(attrs);
            l.insert(l.end(), scope_labels.begin(), scope_labels.end());
            return l;
        };
        for (const auto& p : m.number_points)
            f->samples += name + LabelText(labels_for(p.attributes)) + ' ' + FormatValue(p) + '\n';
        for (const auto& p : m.histogram_points)
            AddHistogram(*f, name, labels_for(p.attributes), p);
    }

    std::string Finish(const MetricsData& data) {
        std::string out;
        if (data.resource && !data.resource->attributes().empty()) {
            out += om_ ? "# HELP target Target metadata\n# TYPE target info\n"
                       : "# HELP target_info Target metadata\n# TYPE target_info gauge\n";
            out += "target_info" + LabelText(ToLabels(SortedResource(*data.resource))) + " 1\n";
        }
        for (const auto& f : families_) {
            if (!f.help.empty()) {
                out += "# HELP " + f.name + ' ';
                EscapeInto(out, f.help, false);
                out += '\n';
            }
            out += "# TYPE " + f.name + ' ' + f.type + '\n';
            out += f.samples;
        }
        if (om_) out += "# EOF\n";
        return out;
    }

  private:
    static Metric Scaled(const Metric& m, double scale) {
        Metric out = m;
        for (auto& p : out.number_points) {
            p.as_double = p.value() * scale;
            p.is_int = false;
        }
        for (auto& p : out.histogram_points) {
            for (auto& b : p.bounds) b *= scale;
            p.sum *= scale;
            p.min *= scale;
            p.max *= scale;
            for (auto& e : p.exemplars) e.value *= scale;
        }
        return out;
    }

    static AttributeSet SortedResource(const trace::Resource& r) {
        AttributeSet a = r.attributes();
        std::stable_sort(a.begin(), a.end(),
                         [](const auto& x, const auto& y) { return x.key < y.key; });
        return a;
    }

    // Keyed by the sample name (with _total), so a counter and a gauge that would emit the
    // same samples clash in both formats.
    Family* Find(const std::string& name, const std::string& family, const std::string& type) {
        if (auto it = index_.find(name); it != index_.end()) {
            Family& f = families_[it->second];
            return f.type == type ? &f : nullptr;
        }
        if (name == "target_info") return nullptr;  // reserved for the resource
        index_.emplace(name, families_.size());
        families_.push_back({family, type, {}, {}});
        return &families_.back();
    }

    void AddHistogram(Family& f, const std::string& name, const Labels& labels,
                      const HistogramPoint& p) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < p.bucket_counts.size(); ++i) {
            cumulative += p.bucket_counts[i];
            Labels l = labels;
            const bool last = i == p.bounds.size();
            l.emplace_back("le", last ? "+Inf" : FormatBound(p.bounds[i], om_));
            f.samples += name + "_bucket" + LabelText(l) + ' ' + std::to_string(cumulative);
            if (om_) {
                for (const auto& e : p.exemplars) {
                    const bool in_bucket =
                        (last || e.value <= p.bounds[i]) && (i == 0 || e.value > p.bounds[i - 1]);
                    if (in_bucket) {
                        f.samples += ExemplarText(e);
                        break;
                    }
                }
            }
            f.samples += '\n';
        }
        const std::string lt = LabelText(labels);
        f.samples += name + "_sum" + lt + ' ' + FormatDouble(p.sum) + '\n';
        f.samples += name + "_count" + lt + ' ' + std::to_string(p.count) + '\n';
    }

    const bool om_;
    std::vector<Family> families_;
    std::map<std::string, std::size_t> index_;
};

double QValue(std::string_view params) {
    // params: ";version=1.0.0;q=0.5"
    std::size_t pos = 0;
    while ((pos = params.find(';', pos)) != std::string_view::npos) {
        ++pos;
        while (pos < params.size() && params[pos] == ' ') ++pos;
        if (params.substr(pos, 2) == "q=") {
            std::string v(params.substr(pos + 2, params.find(';', pos) - pos - 2));
            char* end = nullptr;
            const double q = std::strtod(v.c_str(), &end);
            return end == v.c_str() ? 1.0 : q;
        }
    }
    return 1.0;
}

}  // namespace

std::string_view ContentType(ExpositionFormat format) noexcept {
    return format == ExpositionFormat::kOpenMetrics100
               ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
               : "text/plain; version=0.0.4; charset=utf-8";
}

ExpositionFormat ChooseExpositionFormat(std::string_view accept) noexcept {
    double q_om = 0, q_text = 0;
    std::size_t start = 0;
    while (start <= accept.size()) {
        std::size_t end = accept.find(',', start);
        if (end == std::string_view::npos) end = accept.size();
        std::string_view item = accept.substr(start, end - start);
        const std::size_t semi = item.find(';');
        std::string type(item.substr(0, semi));
        std::erase(type, ' ');
        for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const double q = semi == std::string_view::npos ? 1.0 : QValue(item.substr(semi));
        if (type == "application/openmetrics-text") q_om = std::max(q_om, q);
        if (type == "text/plain") q_text = std::max(q_text, q);
        start = end + 1;
    }
    return q_om > 0 && q_om >= q_text ? ExpositionFormat::kOpenMetrics100
                                      : ExpositionFormat::kPrometheusText004;
}

std::string ToPrometheusText(const MetricsData& data, ExpositionFormat format) {
    Renderer r(format == ExpositionFormat::kOpenMetrics100);
    for (const auto& scope : data.scope_metrics)
        for (const auto& m : scope.metrics) r.Add(scope, m);
    return r.Finish(data);
}

PrometheusScrape ScrapePrometheus(MetricReader& reader, std::string_view accept_header) {
    const ExpositionFormat format = ChooseExpositionFormat(accept_header);
    return {ToPrometheusText(reader.Collect(), format), ContentType(format)};
}

}  // namespace tome::telemetry::metrics
