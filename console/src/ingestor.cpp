#include "ingestor.hpp"

#include <algorithm>
#include <pthread.h>

#include "tome/telemetry/logs/log_record_pool.hpp"
#include "tome/telemetry/trace/span_data_pool.hpp"

namespace tome::console::internal {
namespace {

constexpr std::chrono::milliseconds kTick{1000};
// The longest an item waits in the queue before the worker stores it (what the console's pages
// lag behind the application by). The worker wakes on this period rather than at each push: at
// thousands of spans and records per second a wake-up per push (a futex call from the
// application thread and a context switch of the worker) cost more than storing them. Short,
// because the worker hands tee'd spans on to the export chain in the same rounds: at 20 ms its
// bursts (~600 spans at 30,000/s) outran the batch span processor's queue now and then.
constexpr std::chrono::milliseconds kIngestDelay{5};
// A push that makes the queue this long wakes the worker at once (a burst, or a flush).
constexpr std::size_t kWakeItems = 1024;

// Rough heap size of a queued item, for the queue's byte bound.
std::size_t SpanBytes(const telemetry::trace::SpanData& s) {
    return sizeof(s) + s.name.size() + 64 * (s.attributes.size() + 2 * s.events.size() + s.links.size());
}
std::size_t LogBytes(const telemetry::logs::LogRecord& r) {
    const std::string* body = r.body.AsString();
    return sizeof(r) + (body != nullptr ? body->size() : 64) + 64 * r.attributes.size();
}

}  // namespace

Ingestor::Ingestor(Store& store, IngestorOptions options, const Clock& clock,
                   std::shared_ptr<telemetry::metrics::MetricReader> reader)
    : store_(store), options_(options), clock_(clock), reader_(std::move(reader)), sdk_(store), otlp_(store) {}

Ingestor::~Ingestor() { Stop(std::chrono::seconds(5)); }

std::int64_t Ingestor::NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch()).count();
}

Ingestor::Push Ingestor::Enqueue(Item item) {
    bool wake = false;
    {
        std::lock_guard lock(mu_);
        if (stopping_ || !started_) return Push::kStopped;
        if (queued_bytes_.load(std::memory_order_relaxed) + item.bytes > options_.capacity_bytes) {
            return Push::kFull;
        }
        queued_bytes_.fetch_add(item.bytes, std::memory_order_relaxed);
        queue_.push_back(std::move(item));
        ++pushed_;
        wake = queue_.size() == kWakeItems;
    }
    // Otherwise the worker comes by within kIngestDelay.
    if (wake) wake_.notify_one();
    return Push::kQueued;
}

Ingestor::Push Ingestor::PushSpan(std::unique_ptr<telemetry::trace::SpanData>& span,
                                  telemetry::trace::SpanProcessor* next) {
    Item item{SpanItem{nullptr, next}, SpanBytes(*span)};
    std::get<SpanItem>(item.payload).span = std::move(span);
    Push result = Enqueue(std::move(item));
    if (result != Push::kQueued) {
        // Enqueue did not take it: give the span back.
        span = std::move(std::get<SpanItem>(item.payload).span);
        if (result == Push::kFull) spans_full_.fetch_add(1, std::memory_order_relaxed);
    }
    return result;
}

Ingestor::Push Ingestor::PushLog(std::unique_ptr<telemetry::logs::LogRecord>& record,
                                 telemetry::logs::LogProcessor* next) {
    Item item{LogItem{nullptr, next}, LogBytes(*record)};
    std::get<LogItem>(item.payload).record = std::move(record);
    Push result = Enqueue(std::move(item));
    if (result != Push::kQueued) {
        record = std::move(std::get<LogItem>(item.payload).record);
        if (result == Push::kFull) logs_full_.fetch_add(1, std::memory_order_relaxed);
    }
    return result;
}

Ingestor::Push Ingestor::PushOtlp(std::unique_ptr<google::protobuf::Message>& request, OtlpSignal signal,
                                  std::size_t wire_bytes) {
    // Decoded messages take about three times their wire size.
    Item item{OtlpItem{nullptr, signal}, 3 * wire_bytes + 256};
    std::get<OtlpItem>(item.payload).request = std::move(request);
    Push result = Enqueue(std::move(item));
    if (result != Push::kQueued) {
        request = std::move(std::get<OtlpItem>(item.payload).request);
        if (result == Push::kFull) otlp_full_.fetch_add(1, std::memory_order_relaxed);
    }
    return result;
}

void Ingestor::Start() {
    std::lock_guard lock(mu_);
    if (started_ || stopping_) return;
    started_ = true;
    worker_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "tome-console");
        Run();
    });
}

bool Ingestor::Flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!started_) return true;
    const std::uint64_t target = pushed_;
    ++flushing_;  // the worker takes the queue now rather than at its next round
    wake_.notify_one();
    const bool done =
        progress_.wait_for(lock, timeout, [&] { return processed_ >= target || stopping_; }) &&
        processed_ >= target;
    --flushing_;
    return done;
}

void Ingestor::Stop(std::chrono::milliseconds timeout) {
    {
        std::lock_guard lock(mu_);
        if (!started_ || stopping_) {
            stopping_ = true;
            return;
        }
    }
    Flush(timeout);
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (worker_.joinable()) worker_.join();
    // Whatever is left (only when the flush timed out) is handed on unstored, so that the
    // export chain behind a tee still sees every span and record.
    std::vector<Item> rest;
    {
        std::lock_guard lock(mu_);
        rest.swap(queue_);
    }
    for (Item& item : rest) {
        if (auto* s = std::get_if<SpanItem>(&item.payload); s && s->next) s->next->OnEnd(std::move(s->span));
        if (auto* l = std::get_if<LogItem>(&item.payload); l && l->next) l->next->OnEmit(std::move(l->record));
    }
    progress_.notify_all();
}

void Ingestor::Process(Item& item, std::int64_t now_ms) {
    if (auto* s = std::get_if<SpanItem>(&item.payload)) {
        sdk_.AddSpan(*s->span, now_ms);
        if (s->next != nullptr) s->next->OnEnd(std::move(s->span));
    } else if (auto* l = std::get_if<LogItem>(&item.payload)) {
        sdk_.AddLog(*l->record);
        if (l->next != nullptr) l->next->OnEmit(std::move(l->record));
    } else if (auto* o = std::get_if<OtlpItem>(&item.payload)) {
        switch (o->signal) {
            case OtlpSignal::kTraces:
                otlp_.AddTraces(static_cast<const otlp_trace::ExportTraceServiceRequest&>(*o->request), now_ms);
                break;
            case OtlpSignal::kLogs:
                otlp_.AddLogs(static_cast<const otlp_logs::ExportLogsServiceRequest&>(*o->request));
                break;
            case OtlpSignal::kMetrics:
                otlp_.AddMetrics(static_cast<const otlp_metrics::ExportMetricsServiceRequest&>(*o->request));
                break;
        }
    }
}

// Spans and records no export chain took (a tee without one) go back to the SDK's pools
// rather than being freed on this thread: the application threads that allocated them reuse
// them (telemetry/api record_pool.hpp).
void Ingestor::RecycleUnforwarded(std::vector<Item>& batch,
                                  std::vector<std::unique_ptr<telemetry::trace::SpanData>>& spans,
                                  std::vector<std::unique_ptr<telemetry::logs::LogRecord>>& logs) noexcept {
    try {
        for (Item& item : batch) {
            if (auto* s = std::get_if<SpanItem>(&item.payload); s && s->span) spans.push_back(std::move(s->span));
            if (auto* l = std::get_if<LogItem>(&item.payload); l && l->record) logs.push_back(std::move(l->record));
        }
    } catch (...) {  // what did not fit is freed with the batch
    }
    telemetry::trace::detail::RecycleSpanData(spans);
    telemetry::logs::RecycleLogRecords(logs);
}

void Ingestor::Run() {
    auto next_tick = std::chrono::steady_clock::now() + kTick;
    auto next_collect = std::chrono::steady_clock::now() + options_.metric_interval;
    std::vector<Item> batch;
    std::vector<std::unique_ptr<telemetry::trace::SpanData>> spent_spans;
    std::vector<std::unique_ptr<telemetry::logs::LogRecord>> spent_logs;
    while (true) {
        bool stop = false;
        {
            std::unique_lock lock(mu_);
            const auto round = std::chrono::steady_clock::now() + kIngestDelay;
            wake_.wait_until(lock, std::min({next_tick, next_collect, round}), [&] {
                return stopping_ || queue_.size() >= kWakeItems || (flushing_ > 0 && !queue_.empty());
            });
            batch.swap(queue_);
            stop = stopping_;
        }
        const std::int64_t now_ms = NowMs();
        std::size_t bytes = 0;
        for (Item& item : batch) {
            try {
                Process(item, now_ms);
            } catch (...) {
                // A store that cannot allocate loses this item; ingest goes on.
            }
            bytes += item.bytes;
        }
        queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
        {
            std::lock_guard lock(mu_);
            processed_ += batch.size();
        }
        RecycleUnforwarded(batch, spent_spans, spent_logs);
        batch.clear();
        progress_.notify_all();
        const auto now = std::chrono::steady_clock::now();
        if (reader_ && (now >= next_collect || stop)) {
            try {
                sdk_.AddMetrics(reader_->Collect());
            } catch (...) {
            }
            next_collect = now + options_.metric_interval;
        }
        if (now >= next_tick) {
            store_.Maintain(now_ms);
            if (options_.on_tick) options_.on_tick();
            next_tick = now + kTick;
        }
        if (stop) return;
    }
}

IngestDrops Ingestor::drops() const noexcept {
    return {spans_full_.load(std::memory_order_relaxed), logs_full_.load(std::memory_order_relaxed),
            otlp_full_.load(std::memory_order_relaxed)};
}

}  // namespace tome::console::internal
