// Span: a small move-only handle on one operation. A non-recording span (not sampled, SDK off)
// holds only its SpanContext: no heap allocation, every mutator returns at once. A recording
// span owns its SpanData until End hands it to the processors. Confine a Span to one thread at
// a time (move it to hand it over); its SpanContext may be copied anywhere.
#pragma once

#include <cstdint>
#include <exception>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span_context.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::trace {

namespace detail {
struct ProviderState;
}  // namespace detail

class Span {
public:
    /// An invalid, non-recording span.
    Span() noexcept = default;
    /// A non-recording span that carries `context` (e.g. an unsampled child, or the parent's
    /// context under a no-op provider).
    explicit Span(SpanContext context) noexcept : context_(std::move(context)) {}
    /// Ends the span if it is still recording. Inline so that a non-recording span costs
    /// only a null check.
    ~Span() {
        if (data_) EndRecording(std::nullopt);
    }
    Span(Span&& other) noexcept;
    Span& operator=(Span&& other) noexcept;
    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;

    /// True until End for sampled or record-only spans.
    bool IsRecording() const noexcept { return data_ != nullptr; }
    const SpanContext& GetContext() const noexcept { return context_; }
    /// The current Context with this span active, for a Scope or a hand-over to another thread.
    Context ToContext() const { return Context::Current().WithSpanContext(context_); }

    /// Sets (or replaces) an attribute. Over the count limit the attribute is dropped and
    /// counted; strings are truncated to the length limit. Empty keys are ignored.
    void SetAttribute(std::string_view key, const AttributeView& value) noexcept {
        if (data_) SetAttributeRecording(key, value);
    }
    void SetAttributes(std::span<const AttributeKV> attributes) noexcept;
    void SetAttributes(std::initializer_list<AttributeKV> attributes) noexcept {
        SetAttributes(std::span<const AttributeKV>(attributes.begin(), attributes.size()));
    }
    /// Adds an event; timestamp 0 means now.
    void AddEvent(std::string_view name, std::span<const AttributeKV> attributes = {},
                  std::uint64_t time_unix_nano = 0) noexcept;
    void AddEvent(std::string_view name, std::initializer_list<AttributeKV> attributes,
                  std::uint64_t time_unix_nano = 0) noexcept {
        AddEvent(name, std::span<const AttributeKV>(attributes.begin(), attributes.size()),
                 time_unix_nano);
    }
    /// Adds a link (e.g. fan-in, an async hand-off). Invalid contexts are ignored.
    void AddLink(const SpanContext& context,
                 std::span<const AttributeKV> attributes = {}) noexcept;
    /// Ok is final; Unset is ignored; a description is kept only with kError.
    void SetStatus(StatusCode code, std::string_view description = {}) noexcept;
    void UpdateName(std::string_view name) noexcept;
    /// Adds an "exception" event with exception.type and exception.message.
    void RecordException(std::string_view type, std::string_view message,
                         std::span<const AttributeKV> attributes = {}) noexcept;
    /// As above; the type is the demangled dynamic type of `e`.
    void RecordException(const std::exception& e) noexcept;
    /// Ends the span (now, or at `end_unix_nano`) and hands it to the processors. Later calls
    /// and mutators are ignored.
    void End(std::optional<std::uint64_t> end_unix_nano = std::nullopt) noexcept {
        if (data_) EndRecording(end_unix_nano);
    }

    /// Test hook: the live record, or nullptr when not recording.
    const SpanData* DataForTesting() const noexcept { return data_.get(); }

private:
    friend class Tracer;
    Span(SpanContext context, std::unique_ptr<SpanData> data,
         std::shared_ptr<detail::ProviderState> state) noexcept;
    std::uint64_t Now() const noexcept;
    // Precondition for both: data_ != nullptr.
    void SetAttributeRecording(std::string_view key, const AttributeView& value) noexcept;
    void EndRecording(std::optional<std::uint64_t> end_unix_nano) noexcept;

    SpanContext context_;
    std::unique_ptr<SpanData> data_;
    std::shared_ptr<detail::ProviderState> state_;
};

/// Makes `span` the current span of this thread for the Scope's lifetime.
inline Scope MakeScope(const Span& span) { return Scope(span.ToContext()); }

}  // namespace tome::telemetry::trace
