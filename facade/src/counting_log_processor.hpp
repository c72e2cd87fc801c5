// Private: the facade's log processors that only route records: the counter of the records a
// LoggerProvider dispatches (one relaxed add each), and a fan-out to several processors. All
// methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "tome/telemetry/logs/log_exporter.hpp"
#include "tome/telemetry/logs/log_record_pool.hpp"

namespace tome::facade::detail {

class CountingLogProcessor final : public telemetry::logs::LogProcessor {
public:
    /// `inner` may be null: records are counted, then discarded.
    explicit CountingLogProcessor(std::unique_ptr<telemetry::logs::LogProcessor> inner)
        : inner_(std::move(inner)), emitted_(std::make_shared<std::atomic<std::uint64_t>>(0)) {}

    void OnEmit(std::unique_ptr<telemetry::logs::LogRecord> record) noexcept override {
        emitted_->fetch_add(1, std::memory_order_relaxed);
        if (inner_) inner_->OnEmit(std::move(record));
    }
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override {
        return inner_ ? inner_->ForceFlush(timeout) : true;
    }
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override {
        return inner_ ? inner_->Shutdown(timeout) : true;
    }
    /// Outlives the processor (the facade reads it after the provider went away).
    std::shared_ptr<const std::atomic<std::uint64_t>> emitted() const { return emitted_; }

private:
    const std::unique_ptr<telemetry::logs::LogProcessor> inner_;
    const std::shared_ptr<std::atomic<std::uint64_t>> emitted_;
};

/// Hands each record to several processors in order; all but the last get a copy.
class FanOutLogProcessor final : public telemetry::logs::LogProcessor {
public:
    explicit FanOutLogProcessor(std::vector<std::unique_ptr<telemetry::logs::LogProcessor>> processors)
        : processors_(std::move(processors)) {}

    void OnEmit(std::unique_ptr<telemetry::logs::LogRecord> record) noexcept override {
        if (processors_.empty()) return;
        for (std::size_t i = 0; i + 1 < processors_.size(); ++i) {
            try {
                processors_[i]->OnEmit(telemetry::logs::CopyLogRecord(*record));
            } catch (...) {
                // Out of memory copying: this processor misses the record.
            }
        }
        processors_.back()->OnEmit(std::move(record));
    }
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override {
        bool ok = true;
        for (auto& p : processors_) ok = p->ForceFlush(timeout) && ok;
        return ok;
    }
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override {
        bool ok = true;
        for (auto& p : processors_) ok = p->Shutdown(timeout) && ok;
        return ok;
    }

private:
    const std::vector<std::unique_ptr<telemetry::logs::LogProcessor>> processors_;
};

}  // namespace tome::facade::detail
