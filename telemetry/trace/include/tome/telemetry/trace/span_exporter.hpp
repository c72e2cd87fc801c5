// SpanExporter: the interface processors hand finished, sampled spans to (OTLP, console,
// in-memory). Export is never called concurrently; Shutdown may be called from another thread
// while an Export runs and must make it return promptly.
#pragma once

#include <chrono>
#include <memory>
#include <span>

#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::trace {

/// Tells the caller what happened and whether a retry could help.
enum class ExportResult : std::uint8_t {
    kSuccess,
    kFailureRetryable,     ///< Transient (network, 429/502/503/504) and retries ran out.
    kFailureNonRetryable,  ///< Bad data, 4xx, shut down: retrying will not help.
    /// Kept in a persistent queue that sends it later (PersistentExportQueue): not exported
    /// yet. From here on the queue accounts for the batch in SelfStats (it stays in
    /// kSpansQueued until the queue delivers or drops it). Only span exporters return it.
    kQueued,
};

class SpanExporter {
public:
    using Clock = std::chrono::steady_clock;

    SpanExporter() = default;
    virtual ~SpanExporter() = default;
    SpanExporter(const SpanExporter&) = delete;
    SpanExporter& operator=(const SpanExporter&) = delete;

    /// Exports one batch and returns by `deadline` (best effort). Never throws, never called
    /// concurrently with itself. After Shutdown returns kFailureNonRetryable.
    virtual ExportResult Export(std::span<const std::unique_ptr<SpanData>> batch,
                                Clock::time_point deadline) noexcept = 0;
    /// Flushes anything the exporter buffers itself. Default: nothing to do.
    virtual bool ForceFlush(std::chrono::milliseconds timeout) noexcept {
        (void)timeout;
        return true;
    }
    /// Releases resources and aborts a running Export. Idempotent.
    virtual bool Shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

}  // namespace tome::telemetry::trace
