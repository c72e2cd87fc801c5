// RequestInstrumentation: the telemetry of one HTTP request, shared by the Proxy and by
// tome::Telemetry's request hooks so that both produce the same SERVER span (named
// "{method} {route}", stable HTTP semantic conventions, continuing the caller's trace) and the
// same metrics (http.server.request.duration, proxy.responses.total, proxy.response_time_ms).
// A RequestInstrumentation may be used from any thread concurrently; an InstrumentedRequest is
// confined to the thread that started it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tome/api/envelope.hpp"
#include "tome/api/http.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/propagation.hpp"
#include "tome/telemetry/trace/span.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::api {

namespace internal {
class RequestMetrics;
class RequestSpan;
}  // namespace internal

/// Where the instrumentation sends its telemetry. Borrowed pointers must outlive it.
struct RequestInstrumentationOptions {
    /// Where request spans go; nullptr = the global provider (a no-op until app installs one).
    telemetry::trace::TracerProvider* tracer_provider = nullptr;
    /// Reads the caller's context; nullptr = W3C tracecontext + baggage.
    const telemetry::trace::TextMapPropagator* propagator = nullptr;
    /// Where request metrics go; nullptr = the global provider.
    telemetry::metrics::MeterProvider* meter_provider = nullptr;
    /// Version of the "tome.api" instrumentation scope of the spans and metrics.
    std::string version = "0.1.0";
};

/// One request in flight: its SERVER span, the Context to make current while it is handled,
/// and the RequestContext (ids, route, operation, error code) the handler fills in. Move-only;
/// confine to the thread that started it, and end requests started on one thread in the
/// reverse order of their start (they nest like scopes). A default-constructed one is inactive.
class InstrumentedRequest {
public:
    InstrumentedRequest() noexcept;
    ~InstrumentedRequest();
    InstrumentedRequest(InstrumentedRequest&&) noexcept;
    InstrumentedRequest& operator=(InstrumentedRequest&&) noexcept;

    /// False when default-constructed or already finished.
    bool active() const noexcept { return state_ != nullptr && !finished_; }
    /// The ids and routing facts of the request. The Proxy's handlers write route, operation
    /// and error_code here; metrics read route and operation from it at Finish.
    /// Precondition: constructed by RequestInstrumentation::Start.
    RequestContext& context() noexcept;
    /// The SERVER span (non-recording when tracing is off or the request is not sampled).
    telemetry::trace::Span& span() noexcept;
    /// The Context to make current while handling: the span plus the caller's baggage.
    const telemetry::trace::Context& current() const noexcept;

private:
    friend class RequestInstrumentation;
    struct State;
    std::unique_ptr<State> state_;
    bool finished_ = false;
};

/// Counts kept by a RequestInstrumentation (relaxed reads).
struct RequestInstrumentationStats {
    std::uint64_t requests = 0;      ///< Requests finished.
    std::uint64_t measurements = 0;  ///< Metric measurements recorded (three per request).
};

class RequestInstrumentation {
public:
    explicit RequestInstrumentation(const RequestInstrumentationOptions& options);
    ~RequestInstrumentation();
    RequestInstrumentation(const RequestInstrumentation&) = delete;
    RequestInstrumentation& operator=(const RequestInstrumentation&) = delete;

    /// Starts the SERVER span of `request` (when `tracing` and the provider is live), named
    /// "{method} {route}" (`route` is the template, empty when no route matched), continuing
    /// the caller's trace from W3C traceparent/tracestate/baggage or the original
    /// x-trace-id/x-span-id headers; fills context()'s ids and start time. The span is not made
    /// current: open a telemetry::trace::Scope on current() for that. Throws only on
    /// allocation failure.
    InstrumentedRequest Start(const HttpRequest& request, const std::string& route,
                              bool tracing) const;

    /// Records the outcome: http.response.status_code on the span, error.type and error status
    /// when `status` >= 500 (`error_type` names the failure, e.g. "internal"; empty: the status
    /// code), ends the span, then records the three metrics with the method, context().route,
    /// context().operation ("unmatched" when empty) and the time since Start. Later calls on the
    /// same request are ignored. Never throws.
    void Finish(InstrumentedRequest& request, int status,
                std::string_view error_type) const noexcept;

    RequestInstrumentationStats stats() const noexcept;

    /// The tracer of the "tome.api" scope (no-op when the provider is).
    const telemetry::trace::Tracer& tracer() const noexcept { return tracer_; }

private:
    telemetry::trace::Tracer tracer_;
    std::unique_ptr<telemetry::trace::TextMapPropagator> default_propagator_;
    const telemetry::trace::TextMapPropagator* propagator_;
    std::unique_ptr<internal::RequestMetrics> metrics_;
    mutable std::atomic<std::uint64_t> requests_{0};
};

/// The SERVER span of the request the calling thread is handling (the innermost started by
/// any RequestInstrumentation and not yet finished), or null. Lets code inside a handler add
/// events to the request's span.
telemetry::trace::Span* CurrentRequestSpan() noexcept;

}  // namespace tome::api
