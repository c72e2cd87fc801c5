// LogExporter and LogProcessor: the interfaces the Logger hands records to, plus the simple
// (synchronous) processor and an in-memory exporter for tests and tooling. Export is never
// called concurrently; processors may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "tome/telemetry/logs/log_record.hpp"
#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::logs {

using trace::ExportResult;

class LogExporter {
public:
    using Clock = std::chrono::steady_clock;

    LogExporter() = default;
    virtual ~LogExporter() = default;
    LogExporter(const LogExporter&) = delete;
    LogExporter& operator=(const LogExporter&) = delete;

    /// Exports one batch and returns by `deadline` (best effort). Never throws, never called
    /// concurrently with itself. After Shutdown returns kFailureNonRetryable.
    virtual ExportResult Export(std::span<const std::unique_ptr<LogRecord>> batch,
                                Clock::time_point deadline) noexcept = 0;
    /// Releases resources and aborts a running Export. Idempotent.
    virtual bool Shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

class LogProcessor {
public:
    LogProcessor() = default;
    virtual ~LogProcessor() = default;
    LogProcessor(const LogProcessor&) = delete;
    LogProcessor& operator=(const LogProcessor&) = delete;

    /// Takes a finished, already redacted record. Never blocks on an exporter for long
    /// (the simple processor exports inline by design). Called from any thread.
    virtual void OnEmit(std::unique_ptr<LogRecord> record) noexcept = 0;
    /// Exports what was handed in before the call; false on timeout or failure.
    virtual bool ForceFlush(std::chrono::milliseconds timeout) noexcept = 0;
    /// Flushes, then shuts the exporter down. Idempotent; later records are dropped.
    virtual bool Shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

/// Exports each record inline on the emitting thread, one at a time (calls are serialised
/// under a lock). For tests, console output and low-volume tools.
class SimpleLogProcessor final : public LogProcessor {
public:
    explicit SimpleLogProcessor(std::unique_ptr<LogExporter> exporter);
    ~SimpleLogProcessor() override;

    void OnEmit(std::unique_ptr<LogRecord> record) noexcept override;
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    /// Records whose export failed or that arrived after Shutdown.
    std::uint64_t dropped() const noexcept;

private:
    const std::unique_ptr<LogExporter> exporter_;
    mutable std::mutex mu_;       // serialises Export; guards the fields below
    bool shut_down_ = false;      // guarded by mu_
    std::uint64_t dropped_ = 0;   // guarded by mu_
};

/// Keeps copies of exported records in memory. All methods may be called concurrently.
class InMemoryLogExporter final : public LogExporter {
public:
    /// Shared storage, so a test can read it after handing the exporter to a processor.
    struct Storage {
        mutable std::mutex mu;
        std::vector<LogRecord> records;  // guarded by mu
        std::vector<LogRecord> Snapshot() const {
            std::lock_guard lock(mu);
            return records;
        }
    };

    InMemoryLogExporter() : storage_(std::make_shared<Storage>()) {}
    std::shared_ptr<Storage> storage() const noexcept { return storage_; }

    ExportResult Export(std::span<const std::unique_ptr<LogRecord>> batch,
                        Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

private:
    std::shared_ptr<Storage> storage_;
    std::atomic<bool> shut_down_{false};
};

}  // namespace tome::telemetry::logs
