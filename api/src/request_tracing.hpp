// The SERVER span of one API request: continues the caller's trace (W3C traceparent/tracestate
// and baggage through the propagator, or the original x-trace-id/x-span-id headers), carries
// the stable HTTP semantic conventions, and becomes the current span while the request is
// handled. Private to the api layer; one instance per request, confined to its thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tome/api/envelope.hpp"
#include "tome/api/http.hpp"
#include "tome/connector/business_context.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/propagation.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::api::internal {

/// Reads request headers (already lower-cased) for a propagator.
class HeaderCarrier final : public telemetry::trace::TextMapCarrier {
public:
    explicit HeaderCarrier(const HeaderMap& headers) : headers_(headers) {}
    std::optional<std::string_view> Get(std::string_view key) const noexcept override;
    void Set(std::string_view, std::string_view) noexcept override {}

private:
    const HeaderMap& headers_;
};

/// Business context: the scalar fields of an event payload's `business` object and the W3C
/// baggage entries whose key starts with `business.` describe what an event is about (order,
/// customer, workflow...). They become `business.<field>` span attributes on the request's
/// SERVER span and, through the current Context's baggage, on every connector span the event
/// causes; outgoing calls that inject the current Context carry them on as baggage.
/// Limits (keep baggage headers and span attribute sets small):
///  - at most kMaxBusinessFields (16) business entries per Context; further fields are ignored;
///  - values are stringified in baggage and cut to kMaxBusinessValueChars (256) bytes (never
///    inside a UTF-8 sequence); string attributes are cut the same way;
///  - only scalar fields (string, integer, number, bool) count; null, objects and arrays are
///    ignored, as are field names that are not 1..64 characters of [A-Za-z0-9_.-];
///  - the type of a payload field survives the hops through baggage metadata (`type=int`,
///    `type=double`, `type=bool`), so `business.order_value` stays a number; an incoming
///    baggage entry without that metadata is a string attribute.
/// Non-`business.` baggage entries never become attributes.
/// The limits and the baggage -> attribute typing are connector/business_context.hpp's, the one
/// implementation shared with the connector's and RobotCopy's spans and logs.
inline constexpr std::size_t kMaxBusinessFields = connector::kMaxBusinessAttributes;
using connector::kBusinessPrefix;
using connector::kMaxBusinessValueChars;

/// `baggage` plus the scalar fields of `payload["business"]` as `business.<field>` entries
/// (replacing entries of the same key), within the limits above. Never throws: on any failure
/// returns `baggage` unchanged.
telemetry::trace::Baggage WithBusinessFields(const telemetry::trace::Baggage& baggage,
                                             const Json& payload) noexcept;

/// Sets the `business.*` entries of `baggage` (at most kMaxBusinessFields) as attributes of
/// `span`, typed per the entry metadata. No-op on a non-recording span.
void SetBusinessAttributes(telemetry::trace::Span& span,
                           const telemetry::trace::Baggage& baggage) noexcept;

class RequestSpan {
public:
    /// Starts the span (when `tracer` is enabled and tracing is on) and fills the ids of `ctx`:
    /// the span's own ids, or fresh ids continuing the caller's trace when no span is recorded.
    RequestSpan(const HttpRequest& request, const std::string& route,
                const telemetry::trace::Tracer* tracer,
                const telemetry::trace::TextMapPropagator& propagator, RequestContext& ctx);

    ~RequestSpan();
    RequestSpan(const RequestSpan&) = delete;
    RequestSpan& operator=(const RequestSpan&) = delete;

    /// The Context to make current while handling (the span plus the caller's baggage).
    const telemetry::trace::Context& context() const { return context_; }

    /// The innermost live RequestSpan of the calling thread, or null.
    static RequestSpan* Current() noexcept;

    /// The SERVER span (non-recording when tracing is off).
    telemetry::trace::Span& span() noexcept { return span_; }

    /// Records the outcome and ends the span.
    void Finish(int status, const std::string& error_type);

private:
    telemetry::trace::Context context_;
    telemetry::trace::Span span_;
    RequestSpan* previous_ = nullptr;
};

/// For a route handler, around the connector call: puts the business fields of `payload` into
/// the current Context's baggage (see WithBusinessFields) for its lifetime, and sets the
/// resulting business attributes on the thread's RequestSpan. Create and destroy on the
/// handler's thread. Never throws.
class BusinessScope {
public:
    explicit BusinessScope(const Json& payload) noexcept;
    BusinessScope(const BusinessScope&) = delete;
    BusinessScope& operator=(const BusinessScope&) = delete;

private:
    std::optional<telemetry::trace::Scope> scope_;
};

}  // namespace tome::api::internal
