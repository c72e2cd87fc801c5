// SpanAttributesProcessor: stamps a fixed set of attributes on every span when it starts, then
// hands the span on to the next processor. For attributes that belong on each span rather than
// on the Resource (tome puts robotcopy.service and robotcopy.environment on every span, so a
// backend can filter spans by them without resource-level joins). Thread-safe: the attribute
// set is fixed at construction; OnStart only reads it.
#pragma once

#include <memory>
#include <vector>

#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::trace {

class SpanAttributesProcessor final : public SpanProcessor {
public:
    /// `attributes` are added at start to spans that do not already carry the key (what
    /// instrumentation set wins), at most up to `attribute_count_limit` attributes per span
    /// (the provider's SpanLimits::attribute_count; a stamp past it counts as a dropped
    /// attribute). `next` receives every call afterwards; it must not be null.
    SpanAttributesProcessor(std::vector<Attribute> attributes, std::unique_ptr<SpanProcessor> next,
                            std::size_t attribute_count_limit = SpanLimits{}.attribute_count);

    void OnStart(SpanData& span, const Context& parent) noexcept override;
    void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

private:
    const std::vector<Attribute> attributes_;
    const std::unique_ptr<SpanProcessor> next_;
    const std::size_t limit_;
};

}  // namespace tome::telemetry::trace
