// Prometheus exposition of a MetricsData snapshot: text format 0.0.4 and OpenMetrics 1.0, with
// the OpenTelemetry -> Prometheus name and label rules. Pure functions without shared state;
// safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "tome/telemetry/metrics/metric_data.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"

namespace tome::telemetry::metrics {

enum class ExpositionFormat : std::uint8_t {
    kPrometheusText004,  ///< text/plain; version=0.0.4 (the one Prometheus must support).
    kOpenMetrics100,     ///< application/openmetrics-text; version=1.0.0 (exemplars, # EOF).
};

/// The Content-Type header value to send with `format`.
std::string_view ContentType(ExpositionFormat format) noexcept;

/// OpenMetrics when the Accept header lists application/openmetrics-text with a q-value at
/// least that of text/plain; the 0.0.4 text format otherwise (including an empty header).
ExpositionFormat ChooseExpositionFormat(std::string_view accept_header) noexcept;

/// Renders the snapshot. Families are grouped by Prometheus name across scopes; a later metric
/// whose name clashes with a different TYPE is dropped. Delta sums and delta histograms are
/// dropped (Prometheus is cumulative). One `target_info` carries the resource attributes;
/// every sample carries otel_scope_name / otel_scope_version (when set). No timestamps.
/// Time metrics are converted to seconds (see PrometheusMetricName).
std::string ToPrometheusText(const MetricsData& data, ExpositionFormat format);

/// One scrape response: the body and its Content-Type header value.
struct PrometheusScrape {
    std::string body;
    std::string_view content_type;  ///< Static storage.
};

/// What a `GET /metrics` handler calls: collects `reader` and renders the snapshot in the
/// format the Accept header asks for. `reader` should be a reader dedicated to Prometheus with
/// cumulative temporality (delta sums and histograms are not exposed). Thread-safe as
/// MetricReader::Collect is; callbacks of observable instruments run on the calling thread.
PrometheusScrape ScrapePrometheus(MetricReader& reader, std::string_view accept_header);

/// The Prometheus metric name of an OpenTelemetry metric (without _bucket/_sum/_count):
/// invalid characters become `_` (runs collapsed), the unit becomes a word suffix (`By` ->
/// `bytes`, `By/s` -> `bytes_per_second`, `{...}` dropped; `1` -> `ratio` for gauges)
/// unless already present, and monotonic counters end in `_total`, never doubled.
/// Time is always exposed in the base unit, seconds (Prometheus naming rules; promtool rejects
/// anything else): a metric in `ms`, `us`, `ns`, `min`, `h` or `d` gets the `_seconds` suffix,
/// replacing a trailing `_ms`/`_milliseconds`-style token of its name, and its values are
/// scaled by PrometheusUnitScale(unit). `proxy.response_time_ms` [ms] ->
/// `proxy_response_time_seconds`.
std::string PrometheusMetricName(std::string_view name, std::string_view unit, MetricType type,
                                 bool is_monotonic);

/// The factor by which values (samples, histogram bounds and sums, exemplars) of a metric with
/// `unit` are multiplied in the Prometheus exposition: 1e-3 for `ms`, 60 for `min`, ...; 1 for
/// seconds and every non-time unit.
double PrometheusUnitScale(std::string_view unit);

/// A label name: invalid characters become `_` (runs collapsed), a leading digit gets `_`.
std::string PrometheusLabelName(std::string_view key);

}  // namespace tome::telemetry::metrics
