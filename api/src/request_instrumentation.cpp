// RequestInstrumentation: Start/Finish around one request, over RequestSpan (request_tracing)
// and RequestMetrics (request_metrics), the one implementation the Proxy and the facade share.
#include "tome/api/request_instrumentation.hpp"

#include <optional>

#include "request_metrics.hpp"
#include "request_tracing.hpp"

namespace tome::api {

namespace trace = telemetry::trace;

struct InstrumentedRequest::State {
    std::string method;
    RequestContext context;
    // Destroyed at Finish (or with the request): that restores the thread's previous request.
    std::optional<internal::RequestSpan> span;
};

InstrumentedRequest::InstrumentedRequest() noexcept = default;
InstrumentedRequest::~InstrumentedRequest() = default;
InstrumentedRequest::InstrumentedRequest(InstrumentedRequest&&) noexcept = default;
InstrumentedRequest& InstrumentedRequest::operator=(InstrumentedRequest&&) noexcept = default;

RequestContext& InstrumentedRequest::context() noexcept { return state_->context; }

trace::Span& InstrumentedRequest::span() noexcept {
    static thread_local trace::Span none;
    if (state_ == nullptr || !state_->span) return none;
    return state_->span->span();
}

const trace::Context& InstrumentedRequest::current() const noexcept {
    static const trace::Context kEmpty;
    if (state_ == nullptr || !state_->span) return kEmpty;
    return state_->span->context();
}

RequestInstrumentation::RequestInstrumentation(const RequestInstrumentationOptions& options) {
    trace::TracerProvider* provider = options.tracer_provider != nullptr
                                          ? options.tracer_provider
                                          : trace::GetTracerProvider().get();
    tracer_ = provider->GetTracer("tome.api", options.version);
    if (options.propagator == nullptr) default_propagator_ = trace::MakeW3cPropagator();
    propagator_ = options.propagator != nullptr ? options.propagator : default_propagator_.get();
    telemetry::metrics::MeterProvider* meters = options.meter_provider != nullptr
                                                    ? options.meter_provider
                                                    : telemetry::metrics::GetMeterProvider().get();
    metrics_ = std::make_unique<internal::RequestMetrics>(
        meters->GetMeter("tome.api", options.version));
}

RequestInstrumentation::~RequestInstrumentation() = default;

InstrumentedRequest RequestInstrumentation::Start(const HttpRequest& request,
                                                  const std::string& route, bool tracing) const {
    InstrumentedRequest out;
    out.state_ = std::make_unique<InstrumentedRequest::State>();
    auto& state = *out.state_;
    state.method = request.method;
    state.context.started = std::chrono::steady_clock::now();
    state.span.emplace(request, route, tracing ? &tracer_ : nullptr, *propagator_, state.context);
    return out;
}

void RequestInstrumentation::Finish(InstrumentedRequest& request, int status,
                                    std::string_view error_type) const noexcept {
    if (!request.active()) return;
    request.finished_ = true;
    auto& state = *request.state_;
    try {
        const std::string error(error_type);
        state.span->Finish(status, error);
        state.span.reset();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                             state.context.started)
                                   .count();
        metrics_->Record(state.method, state.context.route, status, state.context.operation,
                         error, seconds);
        requests_.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
        state.span.reset();  // telemetry never throws into the host (only std::string can)
    }
}

RequestInstrumentationStats RequestInstrumentation::stats() const noexcept {
    const std::uint64_t n = requests_.load(std::memory_order_relaxed);
    return {n, n * internal::RequestMetrics::kMeasurementsPerRecord};
}

trace::Span* CurrentRequestSpan() noexcept {
    internal::RequestSpan* current = internal::RequestSpan::Current();
    return current != nullptr ? &current->span() : nullptr;
}

}  // namespace tome::api
