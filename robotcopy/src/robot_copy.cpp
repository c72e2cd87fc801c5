#include "tome/robotcopy/robot_copy.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>
#include <string_view>
#include <utility>

#include "instrumentation.hpp"
#include "tome/core/json_text.hpp"
#include "tome/telemetry/api/backoff.hpp"
#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/api/utf8.hpp"
#include "tome/telemetry/trace/feature_flag.hpp"
#include "tome/telemetry/trace/propagation.hpp"

namespace tome::robotcopy {
namespace {

bool IsActionChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '/';
}

bool IsValidAction(std::string_view action) {
    if (action.empty()) return false;
    for (char c : action) {
        if (!IsActionChar(c)) return false;
    }
    return true;
}

std::string JoinPath(std::string base, std::string_view path, std::string_view action) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::string out = std::move(base);
    if (!path.empty() && path.front() != '/') out += '/';
    out += path;
    while (!out.empty() && out.back() == '/') out.pop_back();
    out += '/';
    while (!action.empty() && action.front() == '/') action.remove_prefix(1);
    out += action;
    return out;
}

// A failure the backend cannot have acted on, so sending again does not repeat its effect:
// the connection could not be made, or it answered 429 or a gateway error (502, 503, 504). A
// timeout is not retried: the backend may still be working on the request.
bool IsRetryable(const Result<BackendResponse>& response) {
    if (!response.ok()) return response.status().code() == Code::kUnavailable;
    return IsNotActedOnStatus(response->status);
}

// error.type of a failed attempt: the HTTP status or the transport's status code name.
std::string FailureType(const Result<BackendResponse>& response) {
    if (response.ok()) return std::to_string(response->status);
    return std::string(CodeName(response.status().code()));
}

// The start of a backend's answer for an error message, never cut inside a character.
std::string Snippet(const std::string& body) {
    constexpr std::size_t kMax = 200;
    const std::string_view head = telemetry::utf8::TruncateAtBoundary(body, kMax);
    return head.size() == body.size() ? body : std::string(head) + "...";
}

/// server.address and server.port of an http(s) URL (port defaulted from the scheme).
std::pair<std::string_view, std::int64_t> HostPort(std::string_view url) {
    const bool https = url.rfind("https://", 0) == 0;
    std::int64_t port = https ? 443 : 80;
    if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    url = url.substr(0, url.find_first_of("/?#"));
    std::size_t colon = url.rfind(':');
    if (colon != std::string_view::npos && url.find(']', colon) == std::string_view::npos) {
        std::int64_t parsed = 0;
        for (char c : url.substr(colon + 1)) {
            if (c < '0' || c > '9') return {url, port};
            parsed = parsed * 10 + (c - '0');
        }
        port = parsed;
        url = url.substr(0, colon);
    }
    if (url.size() >= 2 && url.front() == '[' && url.back() == ']') {
        url = url.substr(1, url.size() - 2);  // IPv6 literal
    }
    return {url, port};
}

}  // namespace

RobotCopy::RobotCopy(RobotCopyOptions options, FeatureToggles& toggles, const Clock& clock,
                     std::unique_ptr<BackendClient> backend)
    : options_(std::move(options)),
      toggles_(toggles),
      clock_(clock),
      backend_(std::move(backend)),
      telemetry_(std::make_unique<internal::Instrumentation>(options_, clock_)),
      own_propagator_(options_.propagator == nullptr ? telemetry::trace::MakeW3cPropagator()
                                                     : nullptr),
      propagator_(options_.propagator != nullptr ? options_.propagator : own_propagator_.get()),
      history_(clock, options_.history),
      components_(clock) {
    TOME_CHECK(backend_ != nullptr, "RobotCopy needs a BackendClient");
}

RobotCopy::~RobotCopy() = default;

std::string RobotCopy::NewTraceId() { return telemetry::GenerateTraceId().ToHex(); }

std::string RobotCopy::NewSpanId() { return telemetry::GenerateSpanId().ToHex(); }

void RobotCopy::TrackMessage(TrackedMessage message) {
    if (message.trace_id.empty()) message.trace_id = NewTraceId();
    if (message.span_id.empty()) message.span_id = NewSpanId();
    history_.Track(std::move(message));
}

std::string RobotCopy::SelectedBackend() const {
    return toggles_.IsEnabled(toggles::kKotlinBackend) ? "kotlin" : "node";
}

Result<std::string> RobotCopy::BackendUrl() const {
    const std::string name = SelectedBackend();
    auto it = options_.backends.find(name);
    if (it == options_.backends.end() || it->second.empty()) {
        return FailedPrecondition("no URL configured for backend '" + name + "'");
    }
    return it->second;
}

Result<Json> RobotCopy::SendMessage(const std::string& action, const Json& data,
                                    const TraceContext& ctx) {
    if (!IsValidAction(action)) {
        return InvalidArgument("action '" + action +
                               "' must be non-empty and use only [A-Za-z0-9-._~:/]");
    }
    std::string trace_id = ctx.trace_id;
    if (trace_id.empty()) {
        trace_id = NewTraceId();
    } else {
        auto parsed = telemetry::TraceId::FromHex(trace_id);
        if (!parsed || !parsed->IsValid()) {
            return InvalidArgument("trace id '" + trace_id +
                                   "' is not 32 lowercase hex characters, not all zero");
        }
    }
    if (!ctx.span_id.empty()) {
        auto parsed = telemetry::SpanId::FromHex(ctx.span_id);
        if (!parsed || !parsed->IsValid()) {
            return InvalidArgument("span id '" + ctx.span_id +
                                   "' is not 16 lowercase hex characters, not all zero");
        }
    }

    const std::string backend = SelectedBackend();
    namespace trace = telemetry::trace;
    const trace::Context parent = internal::ParentContext(ctx);
    trace::Span span = telemetry_->Start(
        "POST",
        {{"http.request.method", "POST"},
         {"tome.action", action},
         {"tome.backend", backend},
         {"tome.timeout_ms", static_cast<std::int64_t>(options_.backend_timeout.count())}},
        &parent, trace::SpanKind::kClient);
    trace::AddFeatureFlagEvaluation(span, toggles::kKotlinBackend, backend == "kotlin");
    // One id system: the span's ids are the traceparent's, the body's and the history's. A
    // no-op tracer hands back the parent's ids (or none): then a fresh span id, flags 01.
    trace::SpanContext sent = span.GetContext();
    if (!sent.IsValid() || sent.span_id == parent.span_context.span_id) {
        sent.trace_id = *telemetry::TraceId::FromHex(trace_id);
        sent.span_id = telemetry::GenerateSpanId();
        sent.trace_flags = trace::kTraceFlagSampled;
    }
    TrackedMessage tracked;
    tracked.trace_id = sent.trace_id.ToHex();
    tracked.span_id = sent.span_id.ToHex();
    tracked.parent_span_id = !ctx.trace_id.empty() || !parent.span_context.IsValid()
                                 ? ctx.span_id
                                 : parent.span_context.span_id.ToHex();
    tracked.action = "sendMessage:" + action;
    tracked.timestamp = clock_.Now();
    tracked.data = Json{{"backend", backend}, {"request", data}};
    const auto started = clock_.SteadyNow();
    int retries = 0;

    // Tracks the outcome exactly once, whichever way the call ends.
    auto finish = [&](Result<Json> result, long response_status) -> Result<Json> {
        tracked.duration_ms =
            std::chrono::duration<double, std::milli>(clock_.SteadyNow() - started).count();
        tracked.data["responseStatus"] = response_status;
        if (response_status > 0) span.SetAttribute("http.response.status_code", response_status);
        if (!result.ok()) {
            const bool timeout = result.status().code() == Code::kDeadlineExceeded;
            tracked.status = timeout ? "timeout" : "error";
            tracked.error = result.status().message();
            if (timeout) {
                const auto limit = static_cast<std::int64_t>(options_.backend_timeout.count());
                span.AddEvent("timeout", {{"tome.timeout_ms", limit}});
            }
            // error.type: the HTTP status, "timeout", or the transport's status code name.
            const std::string type = response_status > 0 ? std::to_string(response_status)
                                     : timeout ? std::string("timeout")
                                               : std::string(CodeName(result.status().code()));
            span.SetAttribute("error.type", type);
            span.SetStatus(trace::StatusCode::kError, result.status().message());
            telemetry_->Log(telemetry::logs::Severity::kWarn, "Backend call failed",
                            {{"tome.backend", backend},
                             {"tome.action", action},
                             {"url.full", tracked.data.value("url", std::string())},
                             {"error.type", type},
                             {"error.message", result.status().message()},
                             {"tome.retries", static_cast<std::int64_t>(retries)}},
                            sent, parent.baggage);
        }
        telemetry_->send_time.Record(tracked.duration_ms);
        history_.Track(std::move(tracked));
        return result;
    };

    auto base = BackendUrl();
    if (!base.ok()) return finish(base.status(), 0);
    const std::string url = JoinPath(*base, options_.api_base_path, action);
    tracked.data["url"] = url;
    if (span.IsRecording()) {
        const auto [host, port] = HostPort(url);
        span.SetAttributes({{"server.address", host}, {"server.port", port}, {"url.full", url}});
    }

    BackendRequest request;
    request.url = url;
    request.timeout = options_.backend_timeout;
    request.body = JsonText(Json{{"action", action}, {"data", data}, {"traceId", tracked.trace_id},
                                 {"spanId", tracked.span_id}});
    request.headers = {
        {"content-type", "application/json"},
        {"accept", "application/json"},
        {"x-trace-id", tracked.trace_id},
        {"x-span-id", tracked.span_id},
    };
    // The call's span context (with the parent's tracestate) and the parent's baggage.
    trace::SpanContext outgoing = sent;
    if (outgoing.trace_state.empty()) outgoing.trace_state = parent.span_context.trace_state;
    trace::MapCarrier carrier;
    propagator_->Inject(parent.WithSpanContext(std::move(outgoing)), carrier);
    for (auto& [name, value] : carrier.headers) request.headers.emplace_back(name, value);

    // Attempts: a failure the backend cannot have acted on is tried again after a backoff,
    // recorded as a "retry" event on the span; the last attempt's outcome is the call's.
    Result<BackendResponse> response = backend_->Post(request);
    const int max_attempts = std::max(1, options_.backend_retry.max_attempts);
    // initial_backoff doubled per retry, capped at max_backoff; each wait a jittered share.
    const auto max_backoff = std::max(options_.backend_retry.max_backoff, std::chrono::milliseconds(0));
    auto next_backoff = std::min(options_.backend_retry.initial_backoff, max_backoff);
    for (int attempt = 1; attempt < max_attempts && IsRetryable(response); ++attempt) {
        const auto backoff = telemetry::JitteredWait(next_backoff);
        next_backoff = telemetry::NextBackoff(next_backoff, max_backoff);
        span.AddEvent("retry", {{"tome.attempt", static_cast<std::int64_t>(attempt + 1)},
                                {"error.type", FailureType(response)},
                                {"tome.backoff_ms", static_cast<std::int64_t>(backoff.count())}});
        std::this_thread::sleep_for(backoff);
        ++retries;
        response = backend_->Post(request);
    }
    if (retries > 0) {
        tracked.data["retries"] = retries;
        span.SetAttribute("http.request.resend_count", static_cast<std::int64_t>(retries));
    }
    span.SetAttribute("tome.retries", static_cast<std::int64_t>(retries));
    if (!response.ok()) return finish(response.status(), 0);

    const long status = response->status;
    if (status < 200 || status > 299) {
        std::string message = "backend '" + backend + "' answered HTTP " + std::to_string(status) +
                              " for POST " + url;
        if (!response->body.empty()) message += ": " + Snippet(response->body);
        Status error = (status >= 500 || status == 429) ? Unavailable(std::move(message))
                                                        : FailedPrecondition(std::move(message));
        return finish(std::move(error), status);
    }

    Json parsed = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) parsed = Json{{"raw", response->body}};
    return finish(std::move(parsed), status);
}

}  // namespace tome::robotcopy
