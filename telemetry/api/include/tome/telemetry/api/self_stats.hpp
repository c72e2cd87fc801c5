// SelfStats: the telemetry SDK's counters about itself (spans started, sampled, ended,
// exported, dropped by reason, export failures and retries) and its gauges (spans waiting in
// export queues, the persistent queue's contents). Any layer may read a snapshot. All methods
// may be called concurrently; cells are relaxed atomics, so a snapshot taken while spans move
// may be off by the spans in motion.
#pragma once

#include <atomic>
#include <cstdint>

namespace tome::telemetry {

/// A point-in-time copy of SelfStats, plain data.
struct SelfStatsSnapshot {
    std::uint64_t spans_started = 0;          ///< StartSpan calls on a live SDK provider.
    std::uint64_t spans_sampled = 0;          ///< Spans created with the sampled flag.
    std::uint64_t spans_ended = 0;            ///< Recording spans ended.
    std::uint64_t spans_exported = 0;         ///< Spans an exporter accepted.
    std::uint64_t dropped_queue_full = 0;     ///< Spans dropped because a queue was full.
    std::uint64_t dropped_export_failed = 0;  ///< Spans in batches the exporter failed.
    std::uint64_t dropped_shutdown = 0;       ///< Spans ended after shutdown or left at timeout.
    std::uint64_t dropped_persistent_queue_full = 0;  ///< Deleted from a full persistent queue.
    std::uint64_t rejected_by_receiver = 0;   ///< partial_success.rejected_spans summed.
    std::uint64_t export_failures = 0;        ///< Export calls that returned a failure.
    std::uint64_t export_retries = 0;         ///< Transport-level retries.
    /// Gauge: spans in batch processors' queues, in an export in flight, or in a persistent
    /// queue on disk. With one exporter: exported + dropped_total + queued = ended (of sampled
    /// spans) + persistent_queue_recovered, tail sampling aside.
    std::uint64_t spans_queued = 0;
    std::uint64_t persistent_queue_batches = 0;    ///< Gauge: batches on disk.
    std::uint64_t persistent_queue_spans = 0;      ///< Gauge: spans in them.
    std::uint64_t persistent_queue_bytes = 0;      ///< Gauge: their body bytes.
    std::uint64_t persistent_queue_recovered = 0;  ///< Spans found on disk at start.

    std::uint64_t dropped_total() const noexcept {
        return dropped_queue_full + dropped_export_failed + dropped_shutdown +
               dropped_persistent_queue_full;
    }
};

/// Live counters. Components take a SelfStats* (default: DefaultSelfStats()).
class SelfStats {
public:
    enum class Counter : int {
        kSpansStarted,
        kSpansSampled,
        kSpansEnded,
        kSpansExported,
        kDroppedQueueFull,
        kDroppedExportFailed,
        kDroppedShutdown,
        kRejectedByReceiver,
        kExportFailures,
        kExportRetries,
        kDroppedPersistentQueueFull,
        // Gauges (Add and Subtract):
        kSpansQueued,
        kPersistentQueueBatches,
        kPersistentQueueSpans,
        kPersistentQueueBytes,
        // Counter:
        kPersistentQueueRecovered,
        kCount
    };

    SelfStats() = default;
    SelfStats(const SelfStats&) = delete;
    SelfStats& operator=(const SelfStats&) = delete;

    void Add(Counter c, std::uint64_t n = 1) noexcept {
        cells_[static_cast<int>(c)].value.fetch_add(n, std::memory_order_relaxed);
    }
    /// For the gauges only: takes back what an Add put in.
    void Subtract(Counter c, std::uint64_t n = 1) noexcept {
        cells_[static_cast<int>(c)].value.fetch_sub(n, std::memory_order_relaxed);
    }
    std::uint64_t Get(Counter c) const noexcept {
        return cells_[static_cast<int>(c)].value.load(std::memory_order_relaxed);
    }
    SelfStatsSnapshot Snapshot() const noexcept;

private:
    // One cache line per counter so threads bumping different counters do not contend.
    struct alignas(64) Cell {
        std::atomic<std::uint64_t> value{0};
    };
    Cell cells_[static_cast<int>(Counter::kCount)];
};

/// The process-wide instance (never destroyed, so late callers at exit are safe).
SelfStats& DefaultSelfStats() noexcept;

}  // namespace tome::telemetry
