#include "tome/telemetry/trace/span.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <typeinfo>

#include "provider_state.hpp"

namespace tome::telemetry::trace {
namespace detail {

void SetAttributeLimited(std::vector<Attribute>& attrs, std::uint32_t& dropped,
                         std::size_t count_limit, std::size_t length_limit,
                         std::string_view key, const AttributeView& value) {
    if (key.empty()) return;
    for (auto& a : attrs) {
        if (a.key == key) {
            a.value = ToOwned(value, length_limit);
            return;
        }
    }
    if (attrs.size() >= count_limit) {
        ++dropped;
        return;
    }
    attrs.push_back(Attribute{std::string(key), ToOwned(value, length_limit)});
}

}  // namespace detail

namespace {

void FillAttributes(std::vector<Attribute>& out, std::uint32_t& dropped, std::size_t count_limit,
                    std::size_t length_limit, std::span<const AttributeKV> in) {
    out.reserve(std::min(in.size(), count_limit));
    for (const auto& kv : in)
        detail::SetAttributeLimited(out, dropped, count_limit, length_limit, kv.key, kv.value);
}

std::string Demangle(const char* name) {
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (status != 0 || d == nullptr) return name;
    std::string out(d);
    std::free(d);  // NOLINT(cppcoreguidelines-no-malloc): __cxa_demangle allocates with malloc
    return out;
}

}  // namespace

Span::Span(SpanContext context, std::unique_ptr<SpanData> data,
           std::shared_ptr<detail::ProviderState> state) noexcept
    : context_(std::move(context)), data_(std::move(data)), state_(std::move(state)) {}

Span::Span(Span&& other) noexcept
    : context_(std::move(other.context_)),
      data_(std::move(other.data_)),
      state_(std::move(other.state_)) {}

Span& Span::operator=(Span&& other) noexcept {
    if (this != &other) {
        End();
        context_ = std::move(other.context_);
        data_ = std::move(other.data_);
        state_ = std::move(other.state_);
    }
    return *this;
}

std::uint64_t Span::Now() const noexcept { return state_ ? state_->Now() : SystemNowUnixNano(); }

void Span::SetAttributeRecording(std::string_view key, const AttributeView& value) noexcept {
    try {
        const SpanLimits& l = state_->limits;
        detail::SetAttributeLimited(data_->attributes, data_->dropped_attributes_count,
                                    l.attribute_count, l.attribute_value_length, key, value);
    } catch (...) {
        ++data_->dropped_attributes_count;
    }
}

void Span::SetAttributes(std::span<const AttributeKV> attributes) noexcept {
    if (!data_) return;
    for (const auto& kv : attributes) SetAttribute(kv.key, kv.value);
}

void Span::AddEvent(std::string_view name, std::span<const AttributeKV> attributes,
                    std::uint64_t time_unix_nano) noexcept {
    if (!data_) return;
    const SpanLimits& l = state_->limits;
    if (data_->events.size() >= l.event_count) {
        ++data_->dropped_events_count;
        return;
    }
    try {
        Event e;
        e.name = std::string(name);
        e.time_unix_nano = time_unix_nano != 0 ? time_unix_nano : Now();
        FillAttributes(e.attributes, e.dropped_attributes_count, l.attributes_per_event,
                       l.attribute_value_length, attributes);
        data_->events.push_back(std::move(e));
    } catch (...) {
        ++data_->dropped_events_count;
    }
}

void Span::AddLink(const SpanContext& context, std::span<const AttributeKV> attributes) noexcept {
    if (!data_ || !context.IsValid()) return;
    const SpanLimits& l = state_->limits;
    if (data_->links.size() >= l.link_count) {
        ++data_->dropped_links_count;
        return;
    }
    try {
        Link link;
        link.context = context;
        FillAttributes(link.attributes, link.dropped_attributes_count, l.attributes_per_link,
                       l.attribute_value_length, attributes);
        data_->links.push_back(std::move(link));
    } catch (...) {
        ++data_->dropped_links_count;
    }
}

void Span::SetStatus(StatusCode code, std::string_view description) noexcept {
    if (!data_ || code == StatusCode::kUnset) return;
    if (data_->status.code == StatusCode::kOk) return;  // Ok is final
    try {
        data_->status.code = code;
        data_->status.description =
            code == StatusCode::kError ? std::string(description) : std::string();
    } catch (...) {
    }
}

void Span::UpdateName(std::string_view name) noexcept {
    if (!data_) return;
    try {
        data_->name = std::string(name);
    } catch (...) {
    }
}

void Span::RecordException(std::string_view type, std::string_view message,
                           std::span<const AttributeKV> attributes) noexcept {
    if (!data_) return;
    try {
        std::vector<AttributeKV> all;
        all.reserve(attributes.size() + 2);
        all.push_back({"exception.type", type});
        all.push_back({"exception.message", message});
        all.insert(all.end(), attributes.begin(), attributes.end());
        AddEvent("exception", all);
    } catch (...) {
        ++data_->dropped_events_count;
    }
}

void Span::RecordException(const std::exception& e) noexcept {
    if (!data_) return;
    try {
        const std::string type = Demangle(typeid(e).name());
        RecordException(type, e.what());
    } catch (...) {
        ++data_->dropped_events_count;
    }
}

void Span::EndRecording(std::optional<std::uint64_t> end_unix_nano) noexcept {
    std::unique_ptr<SpanData> data = std::move(data_);
    std::shared_ptr<detail::ProviderState> state = std::move(state_);
    data->end_unix_nano = end_unix_nano ? *end_unix_nano : state->Now();
    state->stats->Add(SelfStats::Counter::kSpansEnded);
    if (state->processor) state->processor->OnEnd(std::move(data));
}

}  // namespace tome::telemetry::trace
