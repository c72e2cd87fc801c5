// Private: the state a TracerProvider shares with its tracers and recording spans.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/sampler.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"
#include "sampler_plan.hpp"

namespace tome::telemetry::trace::detail {

struct ProviderState {
    std::unique_ptr<Sampler> sampler;
    SamplerPlan sampler_plan;  // enabled: decide inline instead of calling `sampler`
    std::unique_ptr<SpanProcessor> processor;  // null when there are none
    SpanLimits limits;
    std::shared_ptr<const Resource> resource;
    std::function<std::uint64_t()> now_unix_nano;  // empty: system clock
    SelfStats* stats = nullptr;
    std::atomic<bool> shutdown{false};

    std::uint64_t Now() const noexcept {
        return now_unix_nano ? now_unix_nano() : SystemNowUnixNano();
    }
};

/// Sets or replaces `key` within the limits; counts a drop over the count limit.
void SetAttributeLimited(std::vector<Attribute>& attrs, std::uint32_t& dropped,
                         std::size_t count_limit, std::size_t length_limit,
                         std::string_view key, const AttributeView& value);

}  // namespace tome::telemetry::trace::detail
