// Samplers decide at span start whether a span is recorded and exported: always_on,
// always_off, traceidratio (consistent probability sampling on the trace id's 56 random bits)
// and parentbased. Samplers are immutable after construction; ShouldSample may be called
// concurrently from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/span_context.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::trace {

enum class SamplingDecision : std::uint8_t { kDrop, kRecordOnly, kRecordAndSample };

/// A link given at span start (borrowed).
struct LinkInput {
    SpanContext context;
    std::span<const AttributeKV> attributes;
};

/// What a sampler sees: parent, trace id, name, kind, initial attributes and links.
struct SamplingParams {
    const SpanContext* parent = nullptr;  ///< nullptr or invalid: a root span.
    TraceId trace_id;
    std::string_view name;
    SpanKind kind = SpanKind::kInternal;
    std::span<const AttributeKV> attributes;
    std::span<const LinkInput> links;
};

struct SamplingResult {
    SamplingDecision decision = SamplingDecision::kDrop;
    std::vector<Attribute> attributes;        ///< Added to the span when recorded.
    std::optional<TraceState> trace_state;    ///< nullopt: keep the parent's tracestate.
};

/// Interface. Implementations must be noexcept, deterministic where the spec says so, and
/// safe to call concurrently.
class Sampler {
public:
    Sampler() = default;
    virtual ~Sampler() = default;
    Sampler(const Sampler&) = delete;
    Sampler& operator=(const Sampler&) = delete;

    virtual SamplingResult ShouldSample(const SamplingParams& params) const noexcept = 0;
    /// E.g. "AlwaysOnSampler", "TraceIdRatioBased{0.250000}".
    virtual std::string Description() const = 0;
};

/// The 56-bit randomness value R: the rightmost 7 bytes of the trace id, big-endian.
std::uint64_t TraceIdRandomness(const TraceId& id) noexcept;
/// The rejection threshold T = 2^56 - round(p * 2^56), p clamped to [0, 1].
std::uint64_t ProbabilityToThreshold(double probability) noexcept;
/// Consistent sampling test: sample iff R >= T. A higher probability samples a superset.
inline bool SampledByThreshold(const TraceId& id, std::uint64_t threshold) noexcept {
    return TraceIdRandomness(id) >= threshold;
}

std::unique_ptr<Sampler> MakeAlwaysOnSampler();
std::unique_ptr<Sampler> MakeAlwaysOffSampler();
/// Samples a `ratio` of traces, ignoring the parent's flag. Deterministic on the trace id.
std::unique_ptr<Sampler> MakeTraceIdRatioSampler(double ratio);

/// The four parent delegates of ParentBased. Null members take the spec defaults:
/// remote/local sampled -> AlwaysOn, remote/local not sampled -> AlwaysOff.
struct ParentBasedDelegates {
    std::unique_ptr<Sampler> remote_parent_sampled;      ///< Default AlwaysOn.
    std::unique_ptr<Sampler> remote_parent_not_sampled;  ///< Default AlwaysOff.
    std::unique_ptr<Sampler> local_parent_sampled;       ///< Default AlwaysOn.
    std::unique_ptr<Sampler> local_parent_not_sampled;   ///< Default AlwaysOff.
};

/// Uses `root` for root spans and a delegate chosen by the parent's remote/sampled flags.
std::unique_ptr<Sampler> MakeParentBasedSampler(std::unique_ptr<Sampler> root,
                                                ParentBasedDelegates delegates = {});

}  // namespace tome::telemetry::trace
