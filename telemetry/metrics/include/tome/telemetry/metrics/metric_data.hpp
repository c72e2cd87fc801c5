// MetricsData: the immutable snapshot a MetricReader produces (resource, scopes, metrics and
// their points) and that exporters and the Prometheus/OTLP encoders consume. Plain values: a
// snapshot may be read from any number of threads once built.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::metrics {

/// Owned, normalised attributes of one series: sorted by key, keys unique.
using AttributeSet = std::vector<trace::Attribute>;

/// OTLP AggregationTemporality values.
enum class AggregationTemporality : std::uint8_t { kUnspecified = 0, kDelta = 1, kCumulative = 2 };

/// The point of a Sum or Gauge. Exactly one of as_int/as_double is meaningful (is_int).
struct NumberPoint {
    AttributeSet attributes;
    std::uint64_t start_time_unix_nano = 0;
    std::uint64_t time_unix_nano = 0;
    bool is_int = false;
    std::int64_t as_int = 0;
    double as_double = 0;

    double value() const noexcept { return is_int ? static_cast<double>(as_int) : as_double; }
};

/// A measurement kept as an example of a bucket (trace-based: made inside a sampled span).
struct Exemplar {
    std::uint64_t time_unix_nano = 0;
    double value = 0;
    TraceId trace_id;  ///< Invalid when recorded outside a span (always_on filter).
    SpanId span_id;
};

/// An explicit-bucket histogram point: bucket_counts has bounds.size() + 1 entries; bucket i
/// counts values in (bounds[i-1], bounds[i]]; the last one runs to +Inf.
struct HistogramPoint {
    AttributeSet attributes;
    std::uint64_t start_time_unix_nano = 0;
    std::uint64_t time_unix_nano = 0;
    std::uint64_t count = 0;
    double sum = 0;
    bool has_min_max = false;  ///< False when count is 0.
    double min = 0;
    double max = 0;
    std::vector<double> bounds;
    std::vector<std::uint64_t> bucket_counts;
    std::vector<Exemplar> exemplars;  ///< At most one per bucket, in bucket order.
};

enum class MetricType : std::uint8_t { kSum, kGauge, kHistogram };

struct Metric {
    std::string name;
    std::string description;
    std::string unit;
    MetricType type = MetricType::kSum;
    /// kUnspecified for gauges.
    AggregationTemporality temporality = AggregationTemporality::kCumulative;
    bool is_monotonic = false;                     ///< Sums only.
    std::vector<NumberPoint> number_points;        ///< Sum and Gauge.
    std::vector<HistogramPoint> histogram_points;  ///< Histogram.
};

struct ScopeMetrics {
    trace::InstrumentationScope scope;
    std::vector<Metric> metrics;
};

/// One collection: everything one provider held at `time_unix_nano`.
struct MetricsData {
    std::shared_ptr<const trace::Resource> resource;  ///< Never null in a collected snapshot.
    std::vector<ScopeMetrics> scope_metrics;

    /// The metric called `name` in any scope, or nullptr (tests and tools).
    const Metric* Find(std::string_view name) const noexcept {
        for (const auto& s : scope_metrics)
            for (const auto& m : s.metrics)
                if (m.name == name) return &m;
        return nullptr;
    }
};

}  // namespace tome::telemetry::metrics
