// SpanProcessor: the hooks Span start and end call synchronously on the application thread,
// plus the Simple processor (exports each span inline; for tests and debugging) and the
// Multi processor (fans out to several). OnStart/OnEnd/ForceFlush/Shutdown may be called
// concurrently from any thread on every processor here.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span_data.hpp"
#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::trace {

class SpanProcessor {
public:
    SpanProcessor() = default;
    virtual ~SpanProcessor() = default;
    SpanProcessor(const SpanProcessor&) = delete;
    SpanProcessor& operator=(const SpanProcessor&) = delete;

    /// Called when a recording span starts; may add to `span`. Must not block.
    virtual void OnStart(SpanData& span, const Context& parent) noexcept {
        (void)span;
        (void)parent;
    }
    /// Called with every ended recording span (sampled or record-only). Must not block long.
    virtual void OnEnd(std::unique_ptr<SpanData> span) noexcept = 0;
    /// Exports everything received so far within `timeout`; false on timeout or failure.
    virtual bool ForceFlush(std::chrono::milliseconds timeout) noexcept = 0;
    /// Flushes, then shuts the exporter down, within `timeout`. Idempotent; later OnEnd calls
    /// drop and count.
    virtual bool Shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

/// Exports each sampled span synchronously inside OnEnd (serialised by a mutex). Blocks the
/// ending thread for the export; use the batch processor in production.
class SimpleSpanProcessor final : public SpanProcessor {
public:
    explicit SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                 SelfStats* stats = nullptr);
    ~SimpleSpanProcessor() override;

    void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

private:
    std::unique_ptr<SpanExporter> exporter_;
    SelfStats* stats_;
    std::mutex mu_;  // serialises Export; guards shutdown_
    bool shutdown_ = false;
};

/// Calls several processors in registration order. Each gets its own copy of the SpanData
/// (the last one gets the original).
class MultiSpanProcessor final : public SpanProcessor {
public:
    explicit MultiSpanProcessor(std::vector<std::unique_ptr<SpanProcessor>> processors);

    void OnStart(SpanData& span, const Context& parent) noexcept override;
    void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

private:
    std::vector<std::unique_ptr<SpanProcessor>> processors_;
};

}  // namespace tome::telemetry::trace
