#include "request_tracing.hpp"

#include <vector>

#include "tome/api/trace_headers.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::api::internal {

namespace trace = telemetry::trace;

std::optional<std::string_view> HeaderCarrier::Get(std::string_view key) const noexcept {
    std::string lower(key);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = headers_.find(lower);
    if (it == headers_.end()) return std::nullopt;
    return std::string_view(it->second);
}

namespace {

// The caller's context: W3C headers first, then the original x-trace-id/x-span-id.
trace::Context ExtractParent(const HttpRequest& request,
                             const trace::TextMapPropagator& propagator) {
    HeaderCarrier carrier(request.headers);
    trace::Context parent = propagator.Extract(carrier, trace::Context{});
    if (parent.span_context.IsValid()) return parent;
    auto legacy = ExtractIncomingTrace(request);
    if (!legacy) return parent;
    trace::SpanContext sc;
    sc.trace_id = *telemetry::TraceId::FromHex(legacy->trace_id);
    // Without x-span-id the caller's span is unknown; a fresh id keeps the trace id.
    sc.span_id = legacy->parent_span_id.empty()
                     ? telemetry::GenerateSpanId()
                     : *telemetry::SpanId::FromHex(legacy->parent_span_id);
    sc.trace_flags = legacy->sampled ? trace::kTraceFlagSampled : 0;
    sc.is_remote = true;
    return parent.WithSpanContext(std::move(sc));
}

}  // namespace

RequestSpan::RequestSpan(const HttpRequest& request, const std::string& route,
                         const trace::Tracer* tracer, const trace::TextMapPropagator& propagator,
                         RequestContext& ctx) {
    const trace::Context parent = ExtractParent(request, propagator);
    if (parent.span_context.IsValid()) {
        ctx.parent_span_id = parent.span_context.span_id.ToHex();
        ctx.tracestate = std::string(parent.span_context.trace_state.header());
        ctx.sampled = parent.span_context.IsSampled();
    }
    if (tracer != nullptr && tracer->Enabled()) {
        const std::string name = route.empty() ? request.method : request.method + " " + route;
        const std::string_view user_agent = request.Header("user-agent");
        std::string_view host = request.Header("host");
        host = host.substr(0, host.rfind(':') == std::string_view::npos ? host.size() : host.rfind(':'));
        std::vector<trace::AttributeKV> attrs = {
            {"http.request.method", request.method},
            {"url.path", request.path},
            {"url.scheme", "http"},
            {"client.address", request.client_address},
            {"server.address", host},
            {"server.port", static_cast<std::int64_t>(request.local_port)},
            {"network.protocol.version", "1.1"},
        };
        // Optional attributes only when known.
        if (!route.empty()) attrs.push_back({"http.route", route});
        if (!user_agent.empty()) attrs.push_back({"user_agent.original", user_agent});
        trace::StartSpanOptions options;
        options.kind = trace::SpanKind::kServer;
        options.parent = &parent;
        options.attributes = attrs;
        span_ = tracer->StartSpan(name, options);
    }
    const trace::SpanContext& sc = span_.GetContext();
    if (sc.IsValid()) {
        ctx.trace_id = sc.trace_id.ToHex();
        ctx.span_id = sc.span_id.ToHex();
        ctx.sampled = sc.IsSampled();
        context_ = parent.WithSpanContext(sc);
    } else {
        ctx.trace_id = parent.span_context.IsValid() ? parent.span_context.trace_id.ToHex()
                                                     : telemetry::GenerateTraceId().ToHex();
        ctx.span_id = telemetry::GenerateSpanId().ToHex();
        context_ = parent;
    }
}

void RequestSpan::Finish(int status, const std::string& error_type) {
    if (!span_.IsRecording()) return;
    span_.SetAttribute("http.response.status_code", static_cast<std::int64_t>(status));
    if (status >= 500) {
        span_.SetAttribute("error.type", error_type.empty() ? std::to_string(status) : error_type);
        span_.SetStatus(trace::StatusCode::kError, error_type);
    }
    span_.End();
}

}  // namespace tome::api::internal
