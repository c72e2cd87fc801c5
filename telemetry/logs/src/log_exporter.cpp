#include "tome/telemetry/logs/log_exporter.hpp"

#include "tome/telemetry/api/coarse_clock.hpp"
#include "tome/telemetry/logs/log_record_pool.hpp"

namespace tome::telemetry::logs {

SimpleLogProcessor::SimpleLogProcessor(std::unique_ptr<LogExporter> exporter)
    : exporter_(std::move(exporter)) {}

SimpleLogProcessor::~SimpleLogProcessor() { Shutdown(std::chrono::seconds(5)); }

void SimpleLogProcessor::OnEmit(std::unique_ptr<LogRecord> record) noexcept {
    if (!record) return;
    std::lock_guard lock(mu_);
    if (shut_down_ || !exporter_) {
        ++dropped_;
        RecycleLogRecordHere(std::move(record));
        return;
    }
    std::unique_ptr<LogRecord> one[] = {std::move(record)};
    // The simple processor has no timeout option: give one export 30 s, as the batch default.
    const auto deadline = CoarseSteadyNow() + std::chrono::seconds(30);  // a budget, not a timestamp
    if (exporter_->Export(one, deadline) != ExportResult::kSuccess) ++dropped_;
    RecycleLogRecordHere(std::move(one[0]));  // this thread's next record reuses it
}

bool SimpleLogProcessor::ForceFlush(std::chrono::milliseconds) noexcept { return true; }

bool SimpleLogProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
    std::lock_guard lock(mu_);
    if (shut_down_) return true;
    shut_down_ = true;
    return exporter_ ? exporter_->Shutdown(timeout) : true;
}

std::uint64_t SimpleLogProcessor::dropped() const noexcept {
    std::lock_guard lock(mu_);
    return dropped_;
}

ExportResult InMemoryLogExporter::Export(std::span<const std::unique_ptr<LogRecord>> batch,
                                         Clock::time_point) noexcept {
    if (shut_down_.load(std::memory_order_acquire)) return ExportResult::kFailureNonRetryable;
    try {
        std::lock_guard lock(storage_->mu);
        for (const auto& r : batch) storage_->records.push_back(*r);
    } catch (...) {
        return ExportResult::kFailureRetryable;
    }
    return ExportResult::kSuccess;
}

bool InMemoryLogExporter::Shutdown(std::chrono::milliseconds) noexcept {
    shut_down_.store(true, std::memory_order_release);
    return true;
}

}  // namespace tome::telemetry::logs
