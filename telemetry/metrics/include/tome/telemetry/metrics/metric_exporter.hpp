// MetricExporter: where a PeriodicExportingMetricReader sends each snapshot; and the in-memory
// exporter for tests. Export is never called concurrently; Shutdown may be called from another
// thread while an Export runs and must make it return promptly.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "tome/telemetry/metrics/metric_data.hpp"
#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::metrics {

/// Same meaning as for spans: success, retryable failure, non-retryable failure.
using trace::ExportResult;

class MetricExporter {
  public:
    using Clock = std::chrono::steady_clock;

    MetricExporter() = default;
    virtual ~MetricExporter() = default;
    MetricExporter(const MetricExporter&) = delete;
    MetricExporter& operator=(const MetricExporter&) = delete;

    /// Exports one snapshot and returns by `deadline` (best effort). Never throws, never called
    /// concurrently with itself. After Shutdown returns kFailureNonRetryable.
    virtual ExportResult Export(const MetricsData& data, Clock::time_point deadline) noexcept = 0;
    /// Flushes anything the exporter buffers itself. Default: nothing to do.
    virtual bool ForceFlush(std::chrono::milliseconds timeout) noexcept {
        (void)timeout;
        return true;
    }
    /// Releases resources and aborts a running Export. Idempotent.
    virtual bool Shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

/// Keeps every exported snapshot in a shared store that tests read. All methods thread-safe.
class InMemoryMetricExporter final : public MetricExporter {
  public:
    struct Store {
        std::mutex mu;
        std::condition_variable cv;
        std::vector<MetricsData> exports;              ///< Guarded by mu.
        int shutdowns = 0;                             ///< Guarded by mu.
        ExportResult result = ExportResult::kSuccess;  ///< What Export returns; set by tests.

        /// Waits (bounded, no sleep) until at least `n` exports arrived; false on timeout.
        bool WaitForExports(std::size_t n, std::chrono::milliseconds timeout);
        std::size_t size();
    };

    explicit InMemoryMetricExporter(std::shared_ptr<Store> store) : store_(std::move(store)) {}

    ExportResult Export(const MetricsData& data, Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

  private:
    std::shared_ptr<Store> store_;
    bool shut_down_ = false;  // guarded by store_->mu
};

}  // namespace tome::telemetry::metrics
