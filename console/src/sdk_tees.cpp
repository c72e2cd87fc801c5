#include "sdk_tees.hpp"

#include <thread>

namespace tome::console::internal {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Left(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

// After the flag is set no new call enters; wait for the ones already past the check.
void Quiesce(const std::atomic<int>& in_flight) {
    while (in_flight.load(std::memory_order_acquire) != 0) std::this_thread::yield();
}

}  // namespace

SpanTee::SpanTee(Ingestor& ingestor, RunningSpans* running,
                 std::unique_ptr<telemetry::trace::SpanProcessor> next)
    : ingestor_(ingestor), running_(running), next_(std::move(next)) {}

SpanTee::~SpanTee() { Shutdown(std::chrono::seconds(5)); }

void SpanTee::OnStart(telemetry::trace::SpanData& span, const telemetry::trace::Context& parent) noexcept {
    if (running_ != nullptr) running_->Add(span);
    if (next_) next_->OnStart(span, parent);
}

void SpanTee::OnEnd(std::unique_ptr<telemetry::trace::SpanData> span) noexcept {
    if (running_ != nullptr) running_->Remove(*span);
    in_flight_.fetch_add(1, std::memory_order_acq_rel);
    if (!shut_down_.load(std::memory_order_acquire) &&
        ingestor_.PushSpan(span, next_.get()) == Ingestor::Push::kQueued) {
        in_flight_.fetch_sub(1, std::memory_order_acq_rel);
        return;
    }
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
    if (next_) next_->OnEnd(std::move(span));
}

bool SpanTee::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = Clock::now() + timeout;
    bool ok = ingestor_.Flush(timeout);
    if (next_) ok = next_->ForceFlush(Left(deadline)) && ok;
    return ok;
}

bool SpanTee::Shutdown(std::chrono::milliseconds timeout) noexcept {
    if (shut_down_.exchange(true)) return true;
    const auto deadline = Clock::now() + timeout;
    Quiesce(in_flight_);
    bool ok = ingestor_.Flush(timeout);
    if (next_) ok = next_->Shutdown(Left(deadline)) && ok;
    return ok;
}

LogTee::LogTee(Ingestor& ingestor, std::unique_ptr<telemetry::logs::LogProcessor> next)
    : ingestor_(ingestor), next_(std::move(next)) {}

LogTee::~LogTee() { Shutdown(std::chrono::seconds(5)); }

void LogTee::OnEmit(std::unique_ptr<telemetry::logs::LogRecord> record) noexcept {
    in_flight_.fetch_add(1, std::memory_order_acq_rel);
    if (!shut_down_.load(std::memory_order_acquire) &&
        ingestor_.PushLog(record, next_.get()) == Ingestor::Push::kQueued) {
        in_flight_.fetch_sub(1, std::memory_order_acq_rel);
        return;
    }
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
    if (next_) next_->OnEmit(std::move(record));
}

bool LogTee::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    const auto deadline = Clock::now() + timeout;
    bool ok = ingestor_.Flush(timeout);
    if (next_) ok = next_->ForceFlush(Left(deadline)) && ok;
    return ok;
}

bool LogTee::Shutdown(std::chrono::milliseconds timeout) noexcept {
    if (shut_down_.exchange(true)) return true;
    const auto deadline = Clock::now() + timeout;
    Quiesce(in_flight_);
    bool ok = ingestor_.Flush(timeout);
    if (next_) ok = next_->Shutdown(Left(deadline)) && ok;
    return ok;
}

}  // namespace tome::console::internal
