// TailSamplingProcessor: a SpanProcessor in front of a downstream one (usually the batch
// processor) that holds the ended spans of each local trace until its local root (the span
// whose parent is absent or remote) ends, then keeps or drops the whole trace at once:
//   rate = the highest among: errorSamplingRate if any span has Error status; 1.0 if a span
//          (or the trace's extent) is slower than latencyThresholdMs; for each span, the rate
//          of the first custom rule it matches (highValueSamplingRate when the rule has none);
//          normalSamplingRate when the trace falls in none of these.
//   keep iff the trace id's 56 random bits R >= (1 - rate) * 2^56, the traceidratio test, so
//          every tome process holding part of a trace decides the same for the same category.
// Memory is bounded (maxTraces, maxSpansPerTrace); a trace whose root never ends is decided
// after decisionTimeoutMs by the processor's own thread. Drops are counted by reason:
// tail_buffer_full, tail_not_sampled; early decisions as tail_decision_timeout.
//
// Tail sampling only sees recording spans: the head sampler must record everything, i.e.
// AlwaysOn (not ParentBased: an upstream "not sampled" flag would hide the span). Use
// UseTailSampling() to wire the recommended combination.
//
// Thread-safety: every method may be called concurrently from any thread. OnEnd takes one
// mutex briefly; the downstream processor is called outside it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tail_sampling_options.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::trace {

/// A point-in-time copy of the processor's counters.
struct TailSamplingStats {
    std::uint64_t spans_received = 0;   ///< Spans given to OnEnd.
    std::uint64_t spans_forwarded = 0;  ///< Spans handed to the downstream processor.
    std::uint64_t traces_kept = 0;      ///< Trace decisions that kept the trace.
    std::uint64_t traces_dropped = 0;   ///< Trace decisions that dropped it.
    std::uint64_t tail_buffer_full = 0;       ///< Spans dropped: maxTraces/maxSpansPerTrace.
    std::uint64_t tail_decision_timeout = 0;  ///< Traces decided early (root did not end).
    std::uint64_t tail_not_sampled = 0;       ///< Spans dropped by a decision.
    std::uint64_t dropped_shutdown = 0;       ///< Spans received after Shutdown.
    std::uint64_t traces_held = 0;            ///< Gauge: traces waiting for a decision.
    std::uint64_t spans_held = 0;             ///< Gauge: spans waiting for a decision.
};

class TailSamplingProcessor final : public SpanProcessor {
public:
    /// `downstream` receives the spans of kept traces (and its ForceFlush/Shutdown calls).
    TailSamplingProcessor(std::unique_ptr<SpanProcessor> downstream,
                          TailSamplingOptions options = {});
    /// Shuts down (5 s budget) if not done yet.
    ~TailSamplingProcessor() override;

    /// Holds the span; when it is a local root, decides its trace and forwards it if kept.
    void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
    /// Decides every held trace with what it has, forwards the kept ones, then flushes the
    /// downstream processor.
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    /// As ForceFlush, then stops the thread and shuts the downstream down. Idempotent.
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    /// Decides the traces whose decision timeout has passed on the injected clock (what the
    /// processor's thread does every sweep interval). Returns the number decided.
    std::size_t DecideExpired() noexcept;
    TailSamplingStats Stats() const noexcept;
    /// {"tail_buffer_full", n}, {"tail_decision_timeout", n}, {"tail_not_sampled", n}.
    std::vector<std::pair<std::string_view, std::uint64_t>> DropCounts() const;

private:
    struct Trace;
    struct Decided;
    using Clock = std::chrono::steady_clock;

    // Per span, outside the lock: the lowest threshold its categories give (kNoCategory: none).
    std::uint64_t SpanThreshold(const SpanData& span) const noexcept;
    // Takes trace `id` out of the map and decides it into `out`. Requires mu_ held.
    void DecideLocked(const TraceId& id, Decided& out) noexcept;
    // Decides trace `id` whose only span so far is its local root (a one-span trace) without
    // holding it: what DecideLocked would decide for it. True to keep. Requires mu_ held.
    bool DecideAloneLocked(const TraceId& id, std::uint64_t threshold) noexcept;
    void RememberKeptLocked(const TraceId& id);
    // Decides every held trace with what it has and forwards the kept ones.
    void DecideAll() noexcept;
    void Forward(Decided& decided) noexcept;
    void Run(std::stop_token stop) noexcept;

    const TailSamplingOptions options_;
    const std::unique_ptr<SpanProcessor> downstream_;
    std::uint64_t error_threshold_ = 0;
    std::uint64_t normal_threshold_ = 0;
    std::vector<std::uint64_t> rule_thresholds_;  // parallel to options_.custom_rules

    struct IdHash {
        std::size_t operator()(const TraceId& id) const noexcept;
    };
    mutable std::mutex mu_;
    std::unordered_map<TraceId, std::unique_ptr<Trace>, IdHash> traces_;  // guarded by mu_
    std::list<TraceId> arrival_order_;  // guarded by mu_; oldest first
    std::unordered_set<TraceId, IdHash> kept_cache_;  // guarded by mu_
    std::list<TraceId> kept_order_;                   // guarded by mu_; oldest first
    TailSamplingStats stats_;                         // guarded by mu_
    bool shutdown_ = false;                           // guarded by mu_
    std::mutex shutdown_mu_;  // serialises Shutdown
    bool shutdown_done_ = false;  // guarded by shutdown_mu_

    std::condition_variable_any wake_;
    std::jthread sweeper_;  // last member: starts after everything above is built
};

/// The recommended wiring: sets `provider_options.sampler` to AlwaysOn (record everything, so
/// the tail sees every span) and appends a TailSamplingProcessor in front of `downstream`.
/// Returns the processor (owned by the options, then by the provider) for Stats().
TailSamplingProcessor* UseTailSampling(TracerProviderOptions& provider_options,
                                       std::unique_ptr<SpanProcessor> downstream,
                                       TailSamplingOptions tail_options = {});

}  // namespace tome::telemetry::trace
