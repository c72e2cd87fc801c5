// PersistentExportQueue: the OTLP exporter's sending queue on disk (the Collector's
// `file_storage` sending queue, inside the SDK). The exporter hands it each encoded batch; the
// queue writes the batch durably (a file written, fsynced and renamed into place, then the
// directory fsynced) before Enqueue returns, and one drain thread sends the batches oldest first
// through the exporter's transport, deleting each file only once the receiver answered. So:
//   - a batch Enqueue accepted survives a crash or `kill -9` and is sent after the restart
//     (Open finds it and counts it as recovered);
//   - nothing is sent twice unless the receiver's answer was lost (a crash between the answer
//     and the file's deletion, or a timeout after the receiver had taken the batch);
//   - while the receiver is down, batches wait on disk, bounded by `max_bytes`: when a new batch
//     would not fit, the oldest are deleted and counted (kDroppedPersistentQueueFull);
//   - retryable failures (no connection, 429/502/503/504, timeouts) keep the batch and retry
//     after a backoff capped at `max_retry_delay`, so sending resumes within that time of the
//     receiver coming back; a batch the receiver refuses for good is deleted and counted
//     (kDroppedExportFailed).
//
// Accounting (in the SelfStats given, in spans): a batch on disk counts in kSpansQueued (the
// batch processor put it there when the span was queued; batches recovered at Open are added
// then) and in the kPersistentQueue* gauges; on delivery it moves to kSpansExported (minus what
// the receiver rejected through partial_success, kRejectedByReceiver), on deletion to a drop
// reason. Thus exported + dropped + queued = processed + recovered at every moment, up to the
// counters read while a batch moves.
//
// One process per directory: Open takes an exclusive lock on `<dir>/lock` and fails when another
// process holds it. Threading: Enqueue from one thread at a time (the exporter's); Flush,
// Shutdown and the accessors from any thread. The drain thread is owned here and stopped by
// Shutdown or the destructor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/export/otlp_http_transport.hpp"

namespace tome::telemetry::exporter {

/// Bounds of `max_bytes`: a queue smaller than one batch is useless, one over 64 GiB is a typo.
inline constexpr std::uint64_t kMinPersistentQueueBytes = 64 * 1024;
inline constexpr std::uint64_t kMaxPersistentQueueBytes = 64ULL << 30;

struct PersistentQueueOptions {
    /// Directory of the batch files; created when missing. No default: set it.
    std::filesystem::path dir;
    /// Bytes of batch bodies held on disk at most. Default 256 MiB.
    std::uint64_t max_bytes = 256ULL << 20;
    /// Budget of one send of one batch (the transport's retries included). Default 10000 ms.
    std::chrono::milliseconds send_timeout{10000};
    /// First wait after a retryable failure; doubles up to max_retry_delay. Default 100 ms.
    std::chrono::milliseconds initial_retry_delay{100};
    /// Default 1000 ms: the longest the queue waits to notice that the receiver is back.
    std::chrono::milliseconds max_retry_delay{1000};
};

/// What the queue holds now and has done (relaxed reads).
struct PersistentQueueStats {
    std::uint64_t batches = 0;          ///< On disk now.
    std::uint64_t items = 0;            ///< Spans in those batches.
    std::uint64_t bytes = 0;            ///< Their body bytes.
    std::uint64_t recovered_items = 0;  ///< Found on disk by Open.
    std::uint64_t delivered_items = 0;  ///< Sent and answered with success.
    std::uint64_t dropped_full = 0;     ///< Deleted to make room (items).
    std::uint64_t dropped_refused = 0;  ///< Refused for good, or unreadable on disk (items).
    std::uint64_t write_failures = 0;   ///< Enqueue calls that could not write (disk full, ...).
};

class PersistentExportQueue {
public:
    using Clock = std::chrono::steady_clock;
    /// Sends one body (Content-Type as given) by `deadline`; called from the drain thread only.
    using SendFn = std::function<OtlpSendResult(std::string_view body,
                                                std::string_view content_type,
                                                Clock::time_point deadline)>;

    /// Creates the directory, takes its lock, deletes half-written files, counts the batches
    /// left by an earlier process (oldest dropped when over max_bytes) and starts draining them
    /// through `send`. `abort_send` makes a running `send` return promptly (the transport's
    /// Shutdown); Shutdown calls it. An error names the directory and what failed.
    static Result<std::unique_ptr<PersistentExportQueue>> Open(PersistentQueueOptions options,
                                                               SendFn send,
                                                               std::function<void()> abort_send,
                                                               SelfStats* stats);
    /// Shutdown with no wait.
    ~PersistentExportQueue();
    PersistentExportQueue(const PersistentExportQueue&) = delete;
    PersistentExportQueue& operator=(const PersistentExportQueue&) = delete;

    /// Writes one encoded batch of `items` spans durably; `json`: the body is OTLP/JSON, else
    /// protobuf. False when it cannot be kept (larger than max_bytes, a write error, shut down):
    /// the caller counts the batch as failed. Never throws.
    bool Enqueue(std::string_view body, std::uint64_t items, bool json) noexcept;
    /// Waits until everything enqueued so far was sent or dropped (true), or until `deadline`
    /// or a send failing during the wait (false): while the receiver is down the batches are
    /// safe on disk, and waiting would only hold the caller.
    bool Flush(Clock::time_point deadline) noexcept;
    /// Flush, then stops the drain thread, aborting a send in flight. What is left stays on
    /// disk for the next Open. Idempotent.
    void Shutdown(Clock::time_point deadline) noexcept;

    PersistentQueueStats stats() const noexcept;
    const PersistentQueueOptions& options() const noexcept { return options_; }

private:
    struct Entry {
        std::uint64_t seq = 0;
        std::uint64_t items = 0;
        std::uint64_t bytes = 0;
        bool json = false;
    };
    PersistentExportQueue(PersistentQueueOptions options, SendFn send,
                          std::function<void()> abort_send, SelfStats* stats, int lock_fd,
                          std::deque<Entry> recovered);
    std::filesystem::path PathOf(const Entry& e) const;
    void Remove(const Entry& e, SelfStats::Counter outcome);  // mu_ held
    void MakeRoom(std::uint64_t bytes);                        // mu_ held
    void Run() noexcept;

    const PersistentQueueOptions options_;
    const SendFn send_;
    const std::function<void()> abort_send_;
    SelfStats* const stats_;
    const int lock_fd_;

    mutable std::mutex mu_;
    std::condition_variable cv_;       // wakes the drain thread and Flush waiters
    std::deque<Entry> entries_;        // guarded by mu_, oldest first
    std::uint64_t next_seq_ = 1;       // guarded by mu_
    std::uint64_t sending_seq_ = 0;    // guarded by mu_; 0: none in flight
    std::uint64_t bytes_ = 0;          // guarded by mu_
    bool stopping_ = false;            // guarded by mu_
    std::uint64_t retryable_failures_ = 0;  // guarded by mu_: sends that will be retried
    PersistentQueueStats counts_;      // guarded by mu_ (batches/items/bytes derived on read)
    std::mutex join_mu_;

    std::thread worker_;  // last: starts after everything above
};

}  // namespace tome::telemetry::exporter
