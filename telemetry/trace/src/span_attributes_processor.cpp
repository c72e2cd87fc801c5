#include "tome/telemetry/trace/span_attributes_processor.hpp"

#include <algorithm>
#include <stdexcept>

namespace tome::telemetry::trace {

SpanAttributesProcessor::SpanAttributesProcessor(std::vector<Attribute> attributes,
                                                 std::unique_ptr<SpanProcessor> next,
                                                 std::size_t attribute_count_limit)
    : attributes_(std::move(attributes)), next_(std::move(next)), limit_(attribute_count_limit) {
    if (!next_) throw std::invalid_argument("SpanAttributesProcessor: next processor is null");
}

void SpanAttributesProcessor::OnStart(SpanData& span, const Context& parent) noexcept {
    try {
        for (const auto& a : attributes_) {
            const bool present = std::any_of(span.attributes.begin(), span.attributes.end(),
                                             [&](const Attribute& x) { return x.key == a.key; });
            if (present) continue;
            if (span.attributes.size() >= limit_) {
                ++span.dropped_attributes_count;
                continue;
            }
            span.attributes.push_back(a);
        }
    } catch (...) {  // allocation failure: the span goes on without the stamps
    }
    next_->OnStart(span, parent);
}

void SpanAttributesProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
    next_->OnEnd(std::move(span));
}

bool SpanAttributesProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    return next_->ForceFlush(timeout);
}

bool SpanAttributesProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
    return next_->Shutdown(timeout);
}

}  // namespace tome::telemetry::trace
