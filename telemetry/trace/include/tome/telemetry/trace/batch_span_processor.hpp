// BatchSpanProcessor: queues sampled spans and exports them in batches from one worker thread,
// so the application never waits for an exporter. The queue is bounded: when full the NEW span
// is dropped and counted. All methods may be called concurrently; Export is called only from
// the worker (never concurrently).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/trace/span_exporter.hpp"
#include "tome/telemetry/trace/span_processor.hpp"

namespace tome::telemetry::trace {

struct BatchSpanProcessorOptions {
    /// Spans held at most; when full, new spans are dropped (kDroppedQueueFull). Default 2048.
    std::size_t max_queue_size = 2048;
    /// Spans per Export call (clamped to max_queue_size). Default 512.
    std::size_t max_export_batch_size = 512;
    /// Longest time a span waits before an export starts. Default 5000 ms.
    std::chrono::milliseconds scheduled_delay{5000};
    /// Deadline given to each Export call. Default 30000 ms.
    std::chrono::milliseconds export_timeout{30000};
    /// Self-observation counters. Default: DefaultSelfStats().
    SelfStats* stats = nullptr;
};

class BatchSpanProcessor final : public SpanProcessor {
public:
    BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                       BatchSpanProcessorOptions options = {});
    /// Shuts down (with the export timeout as budget) and joins the worker.
    ~BatchSpanProcessor() override;

    /// Queues a sampled span; never blocks on the exporter.
    void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
    /// Exports everything queued before the call; false on timeout or export failure.
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    /// Exports what is queued within `timeout`, then shuts the exporter down. Idempotent.
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    std::size_t QueueSizeForTesting() const;

private:
    void Run() noexcept;
    // Takes up to one batch out of the ring. Requires mu_ held.
    void TakeBatch(std::vector<std::unique_ptr<SpanData>>& out);

    const BatchSpanProcessorOptions options_;
    const std::unique_ptr<SpanExporter> exporter_;
    SelfStats* const stats_;

    mutable std::mutex mu_;
    std::condition_variable work_cv_;  // wakes the worker
    std::condition_variable done_cv_;  // wakes ForceFlush/Shutdown waiters
    std::vector<std::unique_ptr<SpanData>> ring_;  // guarded by mu_, fixed capacity
    std::size_t head_ = 0;                         // guarded by mu_
    std::size_t count_ = 0;                        // guarded by mu_
    std::uint64_t flush_requested_ = 0;            // guarded by mu_
    std::uint64_t flush_done_ = 0;                 // guarded by mu_
    bool last_flush_ok_ = true;                    // guarded by mu_
    bool shutdown_requested_ = false;              // guarded by mu_
    bool worker_done_ = false;                     // guarded by mu_
    bool exporter_shut_ = false;                   // guarded by mu_
    std::mutex join_mu_;                           // serialises joining the worker

    std::thread worker_;  // last member: starts after everything above is built
};

}  // namespace tome::telemetry::trace
