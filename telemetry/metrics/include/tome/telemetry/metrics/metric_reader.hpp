// MetricReader: the pull side of a MeterProvider. Collect() runs the asynchronous callbacks
// and returns an immutable MetricsData snapshot in the reader's temporality. All methods may be
// called from any thread; collections of one provider are serialised.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/metrics/metric_data.hpp"

namespace tome::telemetry::metrics {

namespace detail {
struct ProviderState;
struct ReaderState;
}  // namespace detail

/// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE.
/// kCumulative: everything cumulative. kDelta: Counter, ObservableCounter and Histogram delta,
/// the up-down kinds cumulative. kLowMemory: only Counter and Histogram delta.
enum class TemporalityPreference : std::uint8_t { kCumulative, kDelta, kLowMemory };

/// Reads the preference (case-insensitive); unset gives kCumulative, an unknown value appends
/// a warning and gives kCumulative.
TemporalityPreference TemporalityPreferenceFromEnv(const EnvLookup& env,
                                                   std::vector<std::string>* warnings);

struct MetricReaderOptions {
    /// Default kCumulative (what Prometheus needs).
    TemporalityPreference temporality = TemporalityPreference::kCumulative;
};

class MetricReader {
  public:
    explicit MetricReader(MetricReaderOptions options = {});
    ~MetricReader();
    MetricReader(const MetricReader&) = delete;
    MetricReader& operator=(const MetricReader&) = delete;

    /// Runs the callbacks and snapshots every instrument. Cumulative points cover (provider
    /// start, now]; delta points cover (previous collection by this reader, now] and only series
    /// that changed. Before MeterProvider::AddReader or after its Shutdown: an empty snapshot
    /// (still with a resource). Never throws.
    MetricsData Collect() noexcept;

    TemporalityPreference temporality() const noexcept { return options_.temporality; }
    bool is_attached() const noexcept;

  private:
    friend class MeterProvider;
    friend struct detail::ProviderState;

    const MetricReaderOptions options_;
    mutable std::mutex mu_;  // guards provider_ and state_
    std::shared_ptr<detail::ProviderState> provider_;
    std::unique_ptr<detail::ReaderState> state_;
};

}  // namespace tome::telemetry::metrics
