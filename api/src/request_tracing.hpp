// The SERVER span of one API request: continues the caller's trace (W3C traceparent/tracestate
// and baggage through the propagator, or the original x-trace-id/x-span-id headers), carries
// the stable HTTP semantic conventions, and becomes the current span while the request is
// handled. Private to the api layer; one instance per request, confined to its thread.
#pragma once

#include <optional>
#include <string>

#include "tome/api/envelope.hpp"
#include "tome/api/http.hpp"
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

class RequestSpan {
public:
    /// Starts the span (when `tracer` is enabled and tracing is on) and fills the ids of `ctx`:
    /// the span's own ids, or fresh ids continuing the caller's trace when no span is recorded.
    RequestSpan(const HttpRequest& request, const std::string& route,
                const telemetry::trace::Tracer* tracer,
                const telemetry::trace::TextMapPropagator& propagator, RequestContext& ctx);

    /// The Context to make current while handling (the span plus the caller's baggage).
    const telemetry::trace::Context& context() const { return context_; }

    /// Records the outcome and ends the span.
    void Finish(int status, const std::string& error_type);

private:
    telemetry::trace::Context context_;
    telemetry::trace::Span span_;
};

}  // namespace tome::api::internal
