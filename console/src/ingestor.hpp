// Ingestor: the console's one writer thread and the bounded queue in front of it. Producers (the
// span and log tees on application threads, the OTLP receivers on server threads) push and never
// wait; the thread stores each item (and hands tee'd spans and records on to the export chain
// behind the tee), collects the console's metric reader every interval, and expires unpaired
// spans once a second. The queue is bounded in bytes (estimated): a push that does not fit is
// refused and counted, never blocked.
// Thread-safety: every method may be called from any thread; Start once; Stop is idempotent
// (it drains what is queued first).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include <google/protobuf/message.h>

#include "otlp_ingest.hpp"
#include "sdk_ingest.hpp"
#include "store.hpp"
#include "tome/core/clock.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/trace/span_processor.hpp"

namespace tome::console::internal {

struct IngestorOptions {
    /// Bytes (estimated) queued at most; pushes beyond are refused. Default 16 MiB.
    std::size_t capacity_bytes = 16u << 20;
    /// How often the console's own metric reader is collected. Default 5 s.
    std::chrono::milliseconds metric_interval{5000};
    /// Called on the ingest thread about once a second (the live stream's keep-alives).
    std::function<void()> on_tick;
};

/// Why an item did not reach the store.
struct IngestDrops {
    std::uint64_t spans_queue_full = 0;
    std::uint64_t logs_queue_full = 0;
    std::uint64_t otlp_requests_refused = 0;  ///< OTLP requests answered 429 (queue full).
};

class Ingestor {
public:
    enum class Push : std::uint8_t { kQueued, kFull, kStopped };

    Ingestor(Store& store, IngestorOptions options, const Clock& clock,
             std::shared_ptr<telemetry::metrics::MetricReader> reader);
    ~Ingestor();
    Ingestor(const Ingestor&) = delete;
    Ingestor& operator=(const Ingestor&) = delete;

    /// Queues a span; on kQueued `span` is moved from, else left to the caller. `next` (may be
    /// null) receives the span after it is stored and must outlive the item (see SpanTee).
    Push PushSpan(std::unique_ptr<telemetry::trace::SpanData>& span, telemetry::trace::SpanProcessor* next);
    Push PushLog(std::unique_ptr<telemetry::logs::LogRecord>& record, telemetry::logs::LogProcessor* next);
    /// Queues a decoded OTLP request of `wire_bytes` on the wire.
    Push PushOtlp(std::unique_ptr<google::protobuf::Message>& request, OtlpSignal signal, std::size_t wire_bytes);

    void Start();
    /// Waits until everything pushed before the call has been stored; false on timeout.
    bool Flush(std::chrono::milliseconds timeout);
    /// Stores what is queued (within `timeout`), then stops the thread. Later pushes: kStopped.
    void Stop(std::chrono::milliseconds timeout);

    std::size_t queued_bytes() const noexcept { return queued_bytes_.load(std::memory_order_relaxed); }
    std::size_t capacity_bytes() const noexcept { return options_.capacity_bytes; }
    IngestDrops drops() const noexcept;

private:
    struct SpanItem {
        std::unique_ptr<telemetry::trace::SpanData> span;
        telemetry::trace::SpanProcessor* next;
    };
    struct LogItem {
        std::unique_ptr<telemetry::logs::LogRecord> record;
        telemetry::logs::LogProcessor* next;
    };
    struct OtlpItem {
        std::unique_ptr<google::protobuf::Message> request;
        OtlpSignal signal;
    };
    struct Item {
        std::variant<SpanItem, LogItem, OtlpItem> payload;
        std::size_t bytes;
    };

    Push Enqueue(Item item);
    void Run();
    void Process(Item& item, std::int64_t now_ms);
    static void RecycleUnforwarded(std::vector<Item>& batch,
                                   std::vector<std::unique_ptr<telemetry::trace::SpanData>>& spans,
                                   std::vector<std::unique_ptr<telemetry::logs::LogRecord>>& logs) noexcept;
    std::int64_t NowMs() const;

    Store& store_;
    const IngestorOptions options_;
    const Clock& clock_;
    const std::shared_ptr<telemetry::metrics::MetricReader> reader_;
    SdkIngest sdk_;
    OtlpIngest otlp_;

    mutable std::mutex mu_;
    std::condition_variable wake_;      // the worker: a long queue, a flush or stop
    std::condition_variable progress_;  // Flush waiters
    std::vector<Item> queue_;           // guarded by mu_; swapped with the worker's batch
    std::uint64_t pushed_ = 0;          // guarded by mu_
    std::uint64_t processed_ = 0;       // guarded by mu_
    int flushing_ = 0;                  // guarded by mu_: Flush calls waiting
    bool stopping_ = false;             // guarded by mu_
    bool started_ = false;              // guarded by mu_
    std::atomic<std::size_t> queued_bytes_{0};
    std::atomic<std::uint64_t> spans_full_{0};
    std::atomic<std::uint64_t> logs_full_{0};
    std::atomic<std::uint64_t> otlp_full_{0};
    std::thread worker_;  // last member
};

}  // namespace tome::console::internal
