#include "tome/telemetry/logs/batch_log_processor.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <pthread.h>

#include "tome/telemetry/logs/log_record_pool.hpp"

namespace tome::telemetry::logs {
namespace {

using Clock = LogExporter::Clock;

// Reads a non-negative integer variable; nullopt when unset. Errors name the variable.
Result<std::optional<std::int64_t>> ReadCount(const EnvLookup& env, std::string_view name) {
    auto raw = GetNonEmpty(env, name);
    if (!raw) return std::optional<std::int64_t>();
    std::string_view t = *raw;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    std::int64_t n = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), n);
    if (r.ec != std::errc() || r.ptr != t.data() + t.size() || t.empty())
        return Error{std::string(name) + ": invalid value '" + *raw + "' (expected an integer)"};
    if (n < 0)
        return Error{std::string(name) + ": invalid value '" + *raw + "' (must not be negative)"};
    return std::optional<std::int64_t>(n);
}

}  // namespace

Result<BatchLogProcessorOptions> ReadBatchLogProcessorOptions(const EnvLookup& env,
                                                              BatchLogProcessorOptions o) {
    struct SizeVar {
        const char* name;
        std::size_t* field;
    };
    for (const SizeVar& v : {SizeVar{"OTEL_BLRP_MAX_QUEUE_SIZE", &o.max_queue_size},
                             SizeVar{"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", &o.max_export_batch_size}}) {
        auto n = ReadCount(env, v.name);
        if (!n) return n.error();
        if (!n.value()) continue;
        if (*n.value() == 0)
            return Error{std::string(v.name) + ": invalid value '0' (must be at least 1)"};
        *v.field = static_cast<std::size_t>(*n.value());
    }
    struct DurVar {
        const char* name;
        std::chrono::milliseconds* field;
    };
    for (const DurVar& v : {DurVar{"OTEL_BLRP_SCHEDULE_DELAY", &o.scheduled_delay},
                            DurVar{"OTEL_BLRP_EXPORT_TIMEOUT", &o.export_timeout}}) {
        auto n = ReadCount(env, v.name);
        if (!n) return n.error();
        if (n.value()) *v.field = std::chrono::milliseconds(*n.value());
    }
    return o;
}

BatchLogProcessor::BatchLogProcessor(std::unique_ptr<LogExporter> exporter,
                                     BatchLogProcessorOptions options)
    : options_([&] {
          options.max_queue_size = std::max<std::size_t>(1, options.max_queue_size);
          options.max_export_batch_size = std::clamp<std::size_t>(
              options.max_export_batch_size, 1, options.max_queue_size);
          if (options.scheduled_delay <= std::chrono::milliseconds(0))
              options.scheduled_delay = std::chrono::milliseconds(1);
          return options;
      }()),
      exporter_(std::move(exporter)),
      ring_(options_.max_queue_size) {
    worker_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "tome-logs");
        Run();
    });
}

BatchLogProcessor::~BatchLogProcessor() {
    Shutdown(options_.export_timeout);
    // Shutdown may have timed out with an Export still running; it aborted the exporter, so
    // this join is prompt. The worker must not outlive the members it uses.
    std::lock_guard join(join_mu_);
    if (worker_.joinable()) worker_.join();
}

void BatchLogProcessor::OnEmit(std::unique_ptr<LogRecord> record) noexcept {
    if (!record) return;
    std::unique_lock lock(mu_);
    if (shutdown_requested_ || count_ == ring_.size()) {
        (shutdown_requested_ ? dropped_shutdown_ : dropped_queue_full_)
            .fetch_add(1, std::memory_order_relaxed);
        lock.unlock();
        RecycleLogRecordHere(std::move(record));  // outside the lock
        return;
    }
    ring_[(head_ + count_) % ring_.size()] = std::move(record);
    ++count_;
    // Wake the worker only when a full batch is ready (otherwise the schedule delay does), and
    // after unlocking, so it does not wake into a mutex this thread still holds.
    const bool wake = count_ == options_.max_export_batch_size;
    lock.unlock();
    if (wake) work_cv_.notify_one();
}

void BatchLogProcessor::TakeBatch(std::vector<std::unique_ptr<LogRecord>>& out) {
    const std::size_t n = std::min(count_, options_.max_export_batch_size);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(std::move(ring_[head_]));
        head_ = (head_ + 1) % ring_.size();
    }
    count_ -= n;
    in_flight_ = n;
}

void BatchLogProcessor::Run() noexcept {
    std::vector<std::unique_ptr<LogRecord>> batch;
    batch.reserve(options_.max_export_batch_size);
    std::unique_lock lock(mu_);
    for (;;) {
        work_cv_.wait_for(lock, options_.scheduled_delay, [&] {
            return shutdown_requested_ || flush_requested_ > flush_done_ ||
                   count_ >= options_.max_export_batch_size;
        });
        const std::uint64_t flush_target = flush_requested_;
        const bool stopping = shutdown_requested_;
        bool ok = true;
        // Drain: a flush or shutdown needs everything queued so far; a timer or a full batch
        // wakeup exports what is there too (the delay bounds how long any record waits).
        while (count_ > 0) {
            if (stopping && Clock::now() >= shutdown_deadline_) break;
            TakeBatch(batch);
            auto deadline = Clock::now() + options_.export_timeout;
            if (stopping) deadline = std::min(deadline, shutdown_deadline_);
            lock.unlock();
            const ExportResult r = exporter_ ? exporter_->Export(batch, deadline)
                                             : ExportResult::kFailureNonRetryable;
            const std::size_t n = batch.size();
            // Back to the pool, outside the lock: the producers reuse them, so this thread
            // never frees what they allocated (see telemetry/api record_pool.hpp).
            RecycleLogRecords(batch);
            lock.lock();
            // Under the lock with in_flight_, so stats() never sees the batch twice or not at all.
            in_flight_ = 0;
            if (r == ExportResult::kSuccess) {
                exported_.fetch_add(n, std::memory_order_relaxed);
            } else {
                dropped_export_failed_.fetch_add(n, std::memory_order_relaxed);
                ok = false;
            }
        }
        if (flush_target > flush_done_) {
            flush_done_ = flush_target;
            last_flush_ok_ = ok;
            done_cv_.notify_all();
        }
        if (stopping) {
            // Left behind at the shutdown deadline.
            dropped_shutdown_.fetch_add(count_, std::memory_order_relaxed);
            for (std::size_t i = 0; i < count_; ++i) ring_[(head_ + i) % ring_.size()].reset();
            count_ = 0;
            worker_done_ = true;
            done_cv_.notify_all();
            return;
        }
    }
}

bool BatchLogProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    std::unique_lock lock(mu_);
    if (worker_done_) return count_ == 0;
    const std::uint64_t target = ++flush_requested_;
    work_cv_.notify_one();
    const bool done = done_cv_.wait_for(lock, timeout, [&] {
        return flush_done_ >= target || worker_done_;
    });
    return done && (flush_done_ >= target ? last_flush_ok_ : true);
}

bool BatchLogProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
    std::unique_lock lock(mu_);
    if (exporter_shut_) return true;
    if (!shutdown_requested_) {
        shutdown_requested_ = true;
        shutdown_deadline_ = Clock::now() + timeout;
        work_cv_.notify_one();
    }
    const bool drained = done_cv_.wait_for(lock, timeout, [&] { return worker_done_; });
    exporter_shut_ = true;
    const auto left = std::max(std::chrono::milliseconds(0),
                               std::chrono::duration_cast<std::chrono::milliseconds>(
                                   shutdown_deadline_ - Clock::now()));
    lock.unlock();
    // On timeout the worker may still be inside Export: the exporter's Shutdown aborts it.
    const bool exporter_ok = exporter_ ? exporter_->Shutdown(left) : true;
    if (drained) {
        std::lock_guard join(join_mu_);
        if (worker_.joinable()) worker_.join();
    }
    return drained && exporter_ok;
}

BatchLogProcessorStats BatchLogProcessor::stats() const noexcept {
    std::lock_guard lock(mu_);
    return {exported_.load(std::memory_order_relaxed),
            dropped_queue_full_.load(std::memory_order_relaxed),
            dropped_export_failed_.load(std::memory_order_relaxed),
            dropped_shutdown_.load(std::memory_order_relaxed), count_ + in_flight_};
}

std::size_t BatchLogProcessor::QueueSizeForTesting() const {
    std::lock_guard lock(mu_);
    return count_;
}

}  // namespace tome::telemetry::logs
