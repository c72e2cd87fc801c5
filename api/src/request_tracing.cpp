#include "request_tracing.hpp"

#include <charconv>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <vector>

#include "tome/api/trace_headers.hpp"
#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/api/utf8.hpp"

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

thread_local RequestSpan* t_current_request = nullptr;

constexpr std::string_view kTypeInt = "type=int";
constexpr std::string_view kTypeDouble = "type=double";
constexpr std::string_view kTypeBool = "type=bool";

bool IsBusinessKey(std::string_view key) {
    return key.size() > kBusinessPrefix.size() && key.starts_with(kBusinessPrefix);
}

bool IsFieldName(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

/// `s` cut to at most kMaxBusinessValueChars bytes, never inside a UTF-8 sequence.
std::string_view Cut(std::string_view s) {
    return telemetry::utf8::TruncateAtBoundary(s, kMaxBusinessValueChars);
}

constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

std::size_t CountBusiness(const trace::Baggage& baggage) {
    std::size_t n = 0;
    for (const auto& e : baggage.entries()) n += IsBusinessKey(e.key) ? 1 : 0;
    return n;
}

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

trace::Baggage WithBusinessFields(const trace::Baggage& baggage, const Json& payload) noexcept {
    try {
        if (!payload.is_object()) return baggage;
        const auto it = payload.find("business");
        if (it == payload.end() || !it->is_object()) return baggage;
        trace::Baggage out = baggage;
        std::size_t count = CountBusiness(out);
        for (const auto& [field, value] : it->items()) {
            if (!IsFieldName(field)) continue;
            std::string text;
            std::string_view type;
            if (value.is_string()) {
                text = std::string(Cut(value.get_ref<const std::string&>()));
            } else if (value.is_boolean()) {
                text = value.get<bool>() ? "true" : "false";
                type = kTypeBool;
            } else if (value.is_number_unsigned() &&
                       value.get<std::uint64_t>() > kInt64Max) {
                text = value.dump();  // beyond int64: keep the digits, typed as a double
                type = kTypeDouble;
            } else if (value.is_number_integer()) {
                text = std::to_string(value.get<std::int64_t>());
                type = kTypeInt;
            } else if (value.is_number_float()) {
                text = value.dump();  // shortest round-trip form
                type = kTypeDouble;
            } else {
                continue;  // null, object, array
            }
            const std::string key = std::string(kBusinessPrefix) + field;
            if (!out.Get(key)) {
                if (count >= kMaxBusinessFields) continue;
                ++count;
            }
            out = out.Set(key, text, type);
        }
        return out;
    } catch (...) {
        return baggage;
    }
}

void SetBusinessAttributes(trace::Span& span, const trace::Baggage& baggage) noexcept {
    if (!span.IsRecording() || CountBusiness(baggage) == 0) return;
    std::vector<trace::AttributeKV> business(kMaxBusinessFields,
                                             trace::AttributeKV{std::string_view(), false});
    const std::size_t n = connector::BusinessAttributes(baggage, business);
    span.SetAttributes(std::span<const trace::AttributeKV>(business.data(), n));
}

BusinessScope::BusinessScope(const Json& payload) noexcept {
    const trace::Context& current = trace::Context::Current();
    trace::Baggage baggage = WithBusinessFields(current.baggage, payload);
    if (RequestSpan* request = RequestSpan::Current()) {
        SetBusinessAttributes(request->span(), baggage);
    }
    if (baggage == current.baggage) return;
    try {
        scope_.emplace(current.WithBaggage(std::move(baggage)));
    } catch (...) {
        // telemetry never throws into the host: the event goes on without the fields
    }
}

RequestSpan* RequestSpan::Current() noexcept { return t_current_request; }

RequestSpan::~RequestSpan() { t_current_request = previous_; }

RequestSpan::RequestSpan(const HttpRequest& request, const std::string& route,
                         const trace::Tracer* tracer, const trace::TextMapPropagator& propagator,
                         RequestContext& ctx)
    : previous_(t_current_request) {
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
        SetBusinessAttributes(span_, parent.baggage);
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
    t_current_request = this;  // last: a constructor that throws leaves no dangling pointer
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
