// Private: a devirtualised form of the common samplers. When a provider's sampler is
// AlwaysOn, AlwaysOff, TraceIdRatioBased, or ParentBased over only those, its decision is a
// threshold test on the trace id chosen by the parent's flags, with no extra attributes and no
// tracestate change. The tracer then decides inline instead of building SamplingParams and
// calling the sampler virtually. Immutable after construction; safe from any thread.
#pragma once

#include <cstdint>
#include <cstring>

#include "tome/telemetry/trace/sampler.hpp"

namespace tome::telemetry::trace::detail {

struct SamplerPlan {
    bool enabled = false;  ///< False: call Sampler::ShouldSample.
    // Thresholds (sample iff R >= T; T = 2^56 never samples) per parent situation.
    std::uint64_t root = 0;
    std::uint64_t remote_sampled = 0;
    std::uint64_t remote_not_sampled = 0;
    std::uint64_t local_sampled = 0;
    std::uint64_t local_not_sampled = 0;

    /// The same answer as the planned sampler's ShouldSample(...) == kRecordAndSample.
    /// `parent` is nullptr for a root span.
    bool Sampled(const SpanContext* parent, const TraceId& id) const noexcept {
        std::uint64_t t = root;
        if (parent != nullptr) {
            if (parent->is_remote) {
                t = parent->IsSampled() ? remote_sampled : remote_not_sampled;
            } else {
                t = parent->IsSampled() ? local_sampled : local_not_sampled;
            }
        }
        return Randomness(id) >= t;
    }

    /// TraceIdRandomness without the byte loop: bytes 9..15 as a big-endian 56-bit value.
    static std::uint64_t Randomness(const TraceId& id) noexcept {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        std::uint64_t v = 0;
        std::memcpy(&v, id.bytes.data() + 8, sizeof v);
        return __builtin_bswap64(v) & ((std::uint64_t{1} << 56) - 1);
#else
        return TraceIdRandomness(id);
#endif
    }
};

/// The plan for `sampler`, or a disabled plan when it is of any other kind.
SamplerPlan PlanSampler(const Sampler& sampler) noexcept;

}  // namespace tome::telemetry::trace::detail
