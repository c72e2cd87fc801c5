// BatchLogProcessor: queues records and exports them in batches from one worker thread, so the
// emitting thread never waits for an exporter. The queue is bounded: when full the NEW record
// is dropped and counted (never blocks). All methods may be called concurrently; Export is
// called only from the worker.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"

namespace tome::telemetry::logs {

struct BatchLogProcessorOptions {
    /// Records held at most (OTEL_BLRP_MAX_QUEUE_SIZE); when full, new records are dropped.
    /// Default 2048. Each slot costs one pointer up front.
    std::size_t max_queue_size = 2048;
    /// Records per Export (OTEL_BLRP_MAX_EXPORT_BATCH_SIZE), clamped to max_queue_size.
    /// Default 512.
    std::size_t max_export_batch_size = 512;
    /// Longest a record waits before an export starts (OTEL_BLRP_SCHEDULE_DELAY). Default
    /// 1000 ms; lowering it means more, smaller exports.
    std::chrono::milliseconds scheduled_delay{1000};
    /// Deadline given to each Export (OTEL_BLRP_EXPORT_TIMEOUT). Default 30000 ms.
    std::chrono::milliseconds export_timeout{30000};
};

/// Reads the OTEL_BLRP_* variables over `defaults`. Errors name the variable (not an integer,
/// negative, zero queue or batch size).
Result<BatchLogProcessorOptions> ReadBatchLogProcessorOptions(
    const EnvLookup& env, BatchLogProcessorOptions defaults = {});

/// Counters of a BatchLogProcessor (relaxed reads).
struct BatchLogProcessorStats {
    std::uint64_t exported = 0;            ///< Records in batches the exporter accepted.
    std::uint64_t dropped_queue_full = 0;  ///< New records refused because the queue was full.
    std::uint64_t dropped_export_failed = 0;
    std::uint64_t dropped_shutdown = 0;    ///< Emitted after shutdown or left at its deadline.
    /// In the queue or in an export in flight. Read together with the counters above under the
    /// processor's lock, so emitted = exported + dropped + queued holds exactly per snapshot.
    std::uint64_t queued = 0;
};

class BatchLogProcessor final : public LogProcessor {
public:
    BatchLogProcessor(std::unique_ptr<LogExporter> exporter,
                      BatchLogProcessorOptions options = {});
    /// Shuts down (export timeout as budget) and joins the worker.
    ~BatchLogProcessor() override;

    void OnEmit(std::unique_ptr<LogRecord> record) noexcept override;
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    BatchLogProcessorStats stats() const noexcept;
    std::size_t QueueSizeForTesting() const;

private:
    void Run() noexcept;
    // Moves up to one batch out of the ring. Requires mu_ held.
    void TakeBatch(std::vector<std::unique_ptr<LogRecord>>& out);

    const BatchLogProcessorOptions options_;
    const std::unique_ptr<LogExporter> exporter_;

    std::atomic<std::uint64_t> exported_{0};
    std::atomic<std::uint64_t> dropped_queue_full_{0};
    std::atomic<std::uint64_t> dropped_export_failed_{0};
    std::atomic<std::uint64_t> dropped_shutdown_{0};

    mutable std::mutex mu_;
    std::condition_variable work_cv_;              // wakes the worker
    std::condition_variable done_cv_;              // wakes ForceFlush/Shutdown waiters
    std::vector<std::unique_ptr<LogRecord>> ring_;  // guarded by mu_, fixed capacity
    std::size_t head_ = 0;                          // guarded by mu_
    std::size_t count_ = 0;
                         // guarded by mu_
    std::size_t in_flight_ = 0;  // guarded by mu_: records of the batch being exported
    std::uint64_t flush_requested_ = 0;             // guarded by mu_
    std::uint64_t flush_done_ = 0;                  // guarded by mu_
    bool last_flush_ok_ = true;                     // guarded by mu_
    bool shutdown_requested_ = false;               // guarded by mu_
    LogExporter::Clock::time_point shutdown_deadline_{};  // guarded by mu_
    bool worker_done_ = false;                      // guarded by mu_
    bool exporter_shut_ = false;                    // guarded by mu_
    std::mutex join_mu_;                            // serialises joining the worker

    std::thread worker_;  // last member: starts after everything above is built
};

}  // namespace tome::telemetry::logs
