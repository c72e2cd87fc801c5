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

// Hands `item` to the ingestor unless the tee is shut down; true when it took it. Counted in
// `in_flight` so that Shutdown waits for a push already past the check.
template <typename Item, typename Push>
bool Handed(std::atomic<bool>& shut_down, std::atomic<int>& in_flight, Item& item, Push push) {
    in_flight.fetch_add(1, std::memory_order_acq_rel);
    const bool taken = !shut_down.load(std::memory_order_acquire) && push(item) == Ingestor::Push::kQueued;
    in_flight.fetch_sub(1, std::memory_order_acq_rel);
    return taken;
}

// Stores what is queued, then flushes the rest of the chain within what is left of `timeout`.
template <typename Next>
bool FlushChain(Ingestor& ingestor, Next* next, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    bool ok = ingestor.Flush(timeout);
    if (next) ok = next->ForceFlush(Left(deadline)) && ok;
    return ok;
}

// Once: no new item enters, those in flight land, what is queued is stored, the chain shuts down.
template <typename Next>
bool ShutdownChain(std::atomic<bool>& shut_down, const std::atomic<int>& in_flight, Ingestor& ingestor, Next* next,
                   std::chrono::milliseconds timeout) {
    if (shut_down.exchange(true)) return true;
    const auto deadline = Clock::now() + timeout;
    Quiesce(in_flight);
    bool ok = ingestor.Flush(timeout);
    if (next) ok = next->Shutdown(Left(deadline)) && ok;
    return ok;
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
    if (Handed(shut_down_, in_flight_, span, [&](auto& s) { return ingestor_.PushSpan(s, next_.get()); })) return;
    if (next_) next_->OnEnd(std::move(span));
}

bool SpanTee::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    return FlushChain(ingestor_, next_.get(), timeout);
}

bool SpanTee::Shutdown(std::chrono::milliseconds timeout) noexcept {
    return ShutdownChain(shut_down_, in_flight_, ingestor_, next_.get(), timeout);
}

LogTee::LogTee(Ingestor& ingestor, std::unique_ptr<telemetry::logs::LogProcessor> next)
    : ingestor_(ingestor), next_(std::move(next)) {}

LogTee::~LogTee() { Shutdown(std::chrono::seconds(5)); }

void LogTee::OnEmit(std::unique_ptr<telemetry::logs::LogRecord> record) noexcept {
    if (Handed(shut_down_, in_flight_, record, [&](auto& r) { return ingestor_.PushLog(r, next_.get()); })) return;
    if (next_) next_->OnEmit(std::move(record));
}

bool LogTee::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    return FlushChain(ingestor_, next_.get(), timeout);
}

bool LogTee::Shutdown(std::chrono::milliseconds timeout) noexcept {
    return ShutdownChain(shut_down_, in_flight_, ingestor_, next_.get(), timeout);
}

}  // namespace tome::console::internal
