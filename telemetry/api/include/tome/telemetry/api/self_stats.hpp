// SelfStats: the telemetry SDK's counters about itself (spans started, sampled, ended,
// exported, dropped by reason, export failures and retries). Any layer may read a snapshot.
// All methods may be called concurrently; counters are relaxed atomics.
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
    std::uint64_t rejected_by_receiver = 0;   ///< partial_success.rejected_spans summed.
    std::uint64_t export_failures = 0;        ///< Export calls that returned a failure.
    std::uint64_t export_retries = 0;         ///< Transport-level retries.

    std::uint64_t dropped_total() const noexcept {
        return dropped_queue_full + dropped_export_failed + dropped_shutdown;
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
        kCount
    };

    SelfStats() = default;
    SelfStats(const SelfStats&) = delete;
    SelfStats& operator=(const SelfStats&) = delete;

    void Add(Counter c, std::uint64_t n = 1) noexcept {
        cells_[static_cast<int>(c)].value.fetch_add(n, std::memory_order_relaxed);
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
