#include "tome/telemetry/api/self_stats.hpp"

namespace tome::telemetry {

SelfStatsSnapshot SelfStats::Snapshot() const noexcept {
    SelfStatsSnapshot s;
    s.spans_started = Get(Counter::kSpansStarted);
    s.spans_sampled = Get(Counter::kSpansSampled);
    s.spans_ended = Get(Counter::kSpansEnded);
    s.spans_exported = Get(Counter::kSpansExported);
    s.dropped_queue_full = Get(Counter::kDroppedQueueFull);
    s.dropped_export_failed = Get(Counter::kDroppedExportFailed);
    s.dropped_shutdown = Get(Counter::kDroppedShutdown);
    s.rejected_by_receiver = Get(Counter::kRejectedByReceiver);
    s.export_failures = Get(Counter::kExportFailures);
    s.export_retries = Get(Counter::kExportRetries);
    s.dropped_persistent_queue_full = Get(Counter::kDroppedPersistentQueueFull);
    s.spans_queued = Get(Counter::kSpansQueued);
    s.persistent_queue_batches = Get(Counter::kPersistentQueueBatches);
    s.persistent_queue_spans = Get(Counter::kPersistentQueueSpans);
    s.persistent_queue_bytes = Get(Counter::kPersistentQueueBytes);
    s.persistent_queue_recovered = Get(Counter::kPersistentQueueRecovered);
    return s;
}

SelfStats& DefaultSelfStats() noexcept {
    static SelfStats* const stats = new SelfStats();  // leaked on purpose: survives exit
    return *stats;
}

}  // namespace tome::telemetry
