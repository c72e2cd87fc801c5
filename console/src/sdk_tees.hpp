// The in-process taps: SpanTee and LogTee sit in front of the SDK's export chain (tail sampler,
// batch processors, exporters) and hand every ended span / emitted record to the console's
// Ingestor, which stores it and then passes it on to that chain from its own thread. So the
// console sees everything the process records (before tail sampling), the exporters get exactly
// what they got before, and the application thread only pays a queue push. When the console's
// queue is full or stopped, the item goes straight on to the chain (the console counts it).
// Thread-safety: all methods may be called concurrently (SpanProcessor/LogProcessor contract).
#pragma once

#include <atomic>
#include <memory>

#include "ingestor.hpp"
#include "running_spans.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"
#include "tome/telemetry/trace/span_processor.hpp"

namespace tome::console::internal {

class SpanTee final : public telemetry::trace::SpanProcessor {
public:
    /// `ingestor` and `running` (may be null) must outlive the tee; `next` may be null.
    SpanTee(Ingestor& ingestor, RunningSpans* running, std::unique_ptr<telemetry::trace::SpanProcessor> next);
    ~SpanTee() override;

    void OnStart(telemetry::trace::SpanData& span, const telemetry::trace::Context& parent) noexcept override;
    void OnEnd(std::unique_ptr<telemetry::trace::SpanData> span) noexcept override;
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

private:
    Ingestor& ingestor_;
    RunningSpans* const running_;
    const std::unique_ptr<telemetry::trace::SpanProcessor> next_;
    std::atomic<bool> shut_down_{false};
    std::atomic<int> in_flight_{0};  // OnEnd calls that may still push
};

class LogTee final : public telemetry::logs::LogProcessor {
public:
    LogTee(Ingestor& ingestor, std::unique_ptr<telemetry::logs::LogProcessor> next);
    ~LogTee() override;

    void OnEmit(std::unique_ptr<telemetry::logs::LogRecord> record) noexcept override;
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

private:
    Ingestor& ingestor_;
    const std::unique_ptr<telemetry::logs::LogProcessor> next_;
    std::atomic<bool> shut_down_{false};
    std::atomic<int> in_flight_{0};
};

}  // namespace tome::console::internal
