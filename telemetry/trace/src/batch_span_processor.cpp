#include "tome/telemetry/trace/batch_span_processor.hpp"

#include <algorithm>
#include <pthread.h>

#include "tome/telemetry/trace/span_data_pool.hpp"

namespace tome::telemetry::trace {

using Counter = SelfStats::Counter;
using SteadyClock = std::chrono::steady_clock;

namespace {

BatchSpanProcessorOptions Normalise(BatchSpanProcessorOptions o) {
    o.max_queue_size = std::max<std::size_t>(o.max_queue_size, 1);
    o.max_export_batch_size = std::clamp<std::size_t>(o.max_export_batch_size, 1, o.max_queue_size);
    if (o.scheduled_delay.count() < 0) o.scheduled_delay = std::chrono::milliseconds(0);
    if (o.export_timeout.count() <= 0) o.export_timeout = std::chrono::hours(24 * 365);
    return o;
}

}  // namespace

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                       BatchSpanProcessorOptions options)
    : options_(Normalise(options)),
      exporter_(std::move(exporter)),
      stats_(options.stats ? options.stats : &DefaultSelfStats()),
      ring_(options_.max_queue_size),
      worker_([this] {
          pthread_setname_np(pthread_self(), "tome-spans");
          Run();
      }) {}

BatchSpanProcessor::~BatchSpanProcessor() {
    Shutdown(options_.export_timeout);
    std::lock_guard join_lock(join_mu_);
    if (worker_.joinable()) worker_.join();
}

std::size_t BatchSpanProcessor::QueueSizeForTesting() const {
    std::lock_guard lock(mu_);
    return count_;
}

void BatchSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
    if (!span || !span->context.IsSampled()) return;
    bool wake = false;
    {
        std::lock_guard lock(mu_);
        if (shutdown_requested_) {
            stats_->Add(Counter::kDroppedShutdown);
        } else if (count_ == ring_.size()) {
            stats_->Add(Counter::kDroppedQueueFull);
        } else {
            ring_[(head_ + count_) % ring_.size()] = std::move(span);
            ++count_;
            stats_->Add(Counter::kSpansQueued);
            wake = count_ == options_.max_export_batch_size;
        }
    }
    if (wake) work_cv_.notify_one();
    // A dropped span (if any) goes back to this thread's cache, outside the lock.
    detail::RecycleSpanDataHere(std::move(span));
}

void BatchSpanProcessor::TakeBatch(std::vector<std::unique_ptr<SpanData>>& out) {
    const std::size_t n = std::min(count_, options_.max_export_batch_size);
    out.clear();
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(std::move(ring_[head_]));
        head_ = (head_ + 1) % ring_.size();
    }
    count_ -= n;
}

void BatchSpanProcessor::Run() noexcept {
    std::vector<std::unique_ptr<SpanData>> batch;
    std::unique_lock lock(mu_);
    while (true) {
        const auto wake_at = SteadyClock::now() + options_.scheduled_delay;
        work_cv_.wait_until(lock, wake_at, [&] {
            return shutdown_requested_ || flush_requested_ != flush_done_ ||
                   count_ >= options_.max_export_batch_size;
        });
        // Export until the queue holds less than a batch; when flushing or shutting down,
        // until it is empty (a flush covers what was queued when it was requested).
        const std::uint64_t flush_target = flush_requested_;
        const bool drain = shutdown_requested_ || flush_target != flush_done_ ||
                           SteadyClock::now() >= wake_at;
        bool ok = true;
        while (count_ > 0 && (drain || count_ >= options_.max_export_batch_size)) {
            if (exporter_shut_) break;  // Shutdown timed out and stopped the exporter
            TakeBatch(batch);
            lock.unlock();
            const auto deadline = SteadyClock::now() + options_.export_timeout;
            const ExportResult r = exporter_ ? exporter_->Export(batch, deadline)
                                             : ExportResult::kFailureNonRetryable;
            // The batch leaves kSpansQueued before it is counted where it went, so a reader
            // never sees it twice (a persistent queue keeps it queued: it counts it later).
            if (r != ExportResult::kQueued) stats_->Subtract(Counter::kSpansQueued, batch.size());
            if (r == ExportResult::kSuccess) {
                stats_->Add(Counter::kSpansExported, batch.size());
            } else if (r != ExportResult::kQueued) {
                ok = false;
                stats_->Add(Counter::kExportFailures);
                stats_->Add(Counter::kDroppedExportFailed, batch.size());
            }
            detail::RecycleSpanData(batch);  // producers reuse them; outside the lock
            lock.lock();
        }
        if (flush_target != flush_done_) {
            flush_done_ = flush_target;
            last_flush_ok_ = ok;
            done_cv_.notify_all();
        }
        if (shutdown_requested_) {
            if (count_ > 0) {
                stats_->Subtract(Counter::kSpansQueued, count_);
                stats_->Add(Counter::kDroppedShutdown, count_);
            }
            while (count_ > 0) {
                ring_[head_].reset();
                head_ = (head_ + 1) % ring_.size();
                --count_;
            }
            worker_done_ = true;
            done_cv_.notify_all();
            return;
        }
    }
}

bool BatchSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    bool ok = false;
    {
        std::unique_lock lock(mu_);
        if (shutdown_requested_) return false;
        const std::uint64_t my_flush = ++flush_requested_;
        work_cv_.notify_one();
        const bool done = done_cv_.wait_for(lock, timeout, [&] {
            return flush_done_ >= my_flush || worker_done_;
        });
        ok = done && flush_done_ >= my_flush && last_flush_ok_;
    }
    // Export is never concurrent, but the exporter's own ForceFlush is a separate call.
    return ok && (exporter_ ? exporter_->ForceFlush(timeout) : true);
}

bool BatchSpanProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = SteadyClock::now() + timeout;
    bool drained = false;
    {
        std::unique_lock lock(mu_);
        if (exporter_shut_) return true;  // idempotent
        shutdown_requested_ = true;
        work_cv_.notify_one();
        drained = done_cv_.wait_until(lock, deadline, [&] { return worker_done_; });
        exporter_shut_ = true;  // the worker stops exporting after its current batch
    }
    // Aborts an Export still in flight (after a timeout) or just releases resources.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - SteadyClock::now());
    const bool exporter_ok =
        exporter_ ? exporter_->Shutdown(std::max(left, std::chrono::milliseconds(0))) : true;
    {
        std::lock_guard join_lock(join_mu_);
        if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
    }
    return drained && exporter_ok;
}

}  // namespace tome::telemetry::trace
