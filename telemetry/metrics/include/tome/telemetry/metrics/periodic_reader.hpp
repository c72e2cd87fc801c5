// PeriodicExportingMetricReader: owns one background thread that collects a MetricReader every
// interval and hands the snapshot to a MetricExporter (never two Exports at once). ForceFlush
// and Shutdown may be called from any thread; both are bounded by their timeout, and Shutdown
// is idempotent (the destructor calls it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/metrics/metric_exporter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"

namespace tome::telemetry::metrics {

struct PeriodicReaderOptions {
    /// Time between two exports (OTEL_METRIC_EXPORT_INTERVAL). Default 60000 ms; lower costs
    /// one collection (a pass over every series) per interval.
    std::chrono::milliseconds interval{60000};
    /// Budget of one Export (OTEL_METRIC_EXPORT_TIMEOUT; 0 = no limit). Default 30000 ms.
    std::chrono::milliseconds timeout{30000};
};

/// Reads OTEL_METRIC_EXPORT_INTERVAL / OTEL_METRIC_EXPORT_TIMEOUT (integer milliseconds).
/// Unparsable or negative values append a warning and keep the default; an interval of 0 is
/// rejected the same way.
PeriodicReaderOptions PeriodicReaderOptionsFromEnv(const EnvLookup& env,
                                                   std::vector<std::string>* warnings);

class PeriodicExportingMetricReader {
  public:
    using Clock = std::chrono::steady_clock;

    /// `reader` should already be attached to a provider (else exports are empty snapshots).
    PeriodicExportingMetricReader(std::shared_ptr<MetricReader> reader,
                                  std::unique_ptr<MetricExporter> exporter,
                                  PeriodicReaderOptions options = {});
    /// Shutdown(5 s) if not done yet.
    ~PeriodicExportingMetricReader();
    PeriodicExportingMetricReader(const PeriodicExportingMetricReader&) = delete;
    PeriodicExportingMetricReader& operator=(const PeriodicExportingMetricReader&) = delete;

    /// Collects and exports now on the calling thread, then flushes the exporter. False on
    /// timeout, export failure or after Shutdown.
    bool ForceFlush(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;
    /// Stops the thread, exports a last time, shuts the exporter down. Later calls return the
    /// first result at once.
    bool Shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;

    const std::shared_ptr<MetricReader>& reader() const noexcept { return reader_; }

  private:
    void Run() noexcept;
    bool CollectAndExport(Clock::time_point deadline) noexcept;

    const PeriodicReaderOptions options_;
    const std::shared_ptr<MetricReader> reader_;
    const std::unique_ptr<MetricExporter> exporter_;
    // Serialise Collect+Export with a bounded wait. (Not std::timed_mutex: ThreadSanitizer
    // does not intercept pthread_mutex_clocklock and reports false errors.)
    std::mutex export_mu_;  // guards exporting_
    std::condition_variable export_cv_;
    bool exporting_ = false;
    std::mutex mu_;  // guards stop_, worker_done_, shutdown_* (not worker_)
    std::condition_variable cv_;
    bool stop_ = false;
    bool worker_done_ = false;
    bool shutdown_called_ = false;
    bool shutdown_result_ = false;
    bool shutdown_done_ = false;
    std::thread worker_;  // last member: starts after everything above is built
};

}  // namespace tome::telemetry::metrics
