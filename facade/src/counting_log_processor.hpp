// Private: counts the log records a LoggerProvider dispatches (one relaxed add each) and
// hands them on to the processor it wraps, if any. All methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "tome/telemetry/logs/log_exporter.hpp"

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

}  // namespace tome::facade::detail
