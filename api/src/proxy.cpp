#include "tome/api/proxy.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <variant>

#include "audit.hpp"
#include "request_body.hpp"
#include "tome/api/trace_headers.hpp"
#include "tome/telemetry/metrics/prometheus.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::api {

// Request counts by route and status, and latency totals. All methods thread-safe.
class Proxy::Stats {
public:
    void Record(const std::string& method, const std::string& route, int status, double ms) {
        total_.fetch_add(1, std::memory_order_relaxed);
        if (status >= 500) server_errors_.fetch_add(1, std::memory_order_relaxed);
        else if (status >= 400) client_errors_.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mu_);
        auto& entry = by_route_[method + " " + (route.empty() ? "(unmatched)" : route)];
        ++entry.by_status[status];
        ++entry.count;
        entry.total_ms += ms;
        if (ms > entry.max_ms) entry.max_ms = ms;
    }
    void InFlight(int delta) { in_flight_.fetch_add(delta, std::memory_order_relaxed); }

    Json ToJson() const {
        Json routes = Json::object();
        {
            std::lock_guard lock(mu_);
            for (const auto& [name, e] : by_route_) {
                Json statuses = Json::object();
                for (const auto& [s, n] : e.by_status) statuses[std::to_string(s)] = n;
                routes[name] = {{"count", e.count},
                                {"byStatus", statuses},
                                {"avgMs", e.count ? e.total_ms / e.count : 0.0},
                                {"maxMs", e.max_ms}};
            }
        }
        return {{"total", total_.load()},
                {"clientErrors", client_errors_.load()},
                {"serverErrors", server_errors_.load()},
                {"inFlight", in_flight_.load()},
                {"byRoute", routes}};
    }

private:
    struct Entry {
        std::uint64_t count = 0;
        std::map<int, std::uint64_t> by_status;
        double total_ms = 0;
        double max_ms = 0;
    };
    std::atomic<std::uint64_t> total_{0}, client_errors_{0}, server_errors_{0};
    std::atomic<std::int64_t> in_flight_{0};
    mutable std::mutex mu_;
    std::map<std::string, Entry> by_route_;  // guarded by mu_
};

Proxy::Proxy(ProxyServices services, ProxyOptions options)
    : services_(services),
      options_(std::move(options)),
      rate_limiter_(options_.rate_limit, services.clock),
      cors_(options_.cors),
      stats_(std::make_unique<Stats>()),
      memory_audit_(services.change_store == nullptr ? std::make_unique<MemoryAuditTrail>() : nullptr),
      audit_(services.change_store != nullptr ? static_cast<AuditTrail*>(services.change_store)
                                              : memory_audit_.get()),
      audit_log_((services.logger_provider != nullptr ? *services.logger_provider
                                                      : *telemetry::logs::GetLoggerProvider())
                     .GetLogger("tome.audit", options_.version)),
      log_((services.logger_provider != nullptr ? *services.logger_provider
                                                : *telemetry::logs::GetLoggerProvider())
               .GetLogger("tome.api", options_.version)),
      started_(std::chrono::steady_clock::now()) {
    if (services.instrumentation == nullptr) {
        own_instrumentation_ = std::make_unique<RequestInstrumentation>(
            RequestInstrumentationOptions{services.tracer_provider, services.propagator,
                                          services.meter_provider, options_.version});
    }
    instrumentation_ = services.instrumentation != nullptr ? services.instrumentation
                                                           : own_instrumentation_.get();
    AddTomeRoutes();
    AddConnectionRoutes();
    AddNetworkRoutes();
    AddSystemRoutes();
    AddAuditRoutes();
}

Proxy::~Proxy() = default;

Json Proxy::StatsJson() const {
    Json j = stats_->ToJson();
    j["rateLimited"] = rate_limiter_.refused();
    return j;
}

HttpResponse Proxy::Handle(const HttpRequest& request) noexcept {
    RequestContext fallback;  // only when the request could not even be instrumented
    fallback.started = std::chrono::steady_clock::now();
    RequestContext* ctx = &fallback;
    InstrumentedRequest call;
    stats_->InFlight(1);
    HttpResponse response;
    std::string error_type;
    try {
        // Routing first: the route names the span and is an attribute samplers may use.
        const auto match = router_.Find(request.method, request.path);
        const std::string route = match.route               ? match.route->pattern
                                  : request.path == "/metrics" ? std::string("/metrics")
                                                               : std::string();
        const bool tracing = services_.toggles.IsEnabled(toggles::kTracing);
        call = instrumentation_->Start(request, route, tracing);
        ctx = &call.context();
        ctx->clock = &services_.clock;
        {
            telemetry::trace::Scope scope(call.current());
            try {
                response = Dispatch(request, *ctx, match);
            } catch (const std::exception& e) {
                ctx->error_code = "internal";
                ctx->error_message = std::string("internal error: ") + e.what();
                response = ErrorResponse(*ctx, {500, "internal", ctx->error_message});
            }
            if (response.status >= 500) {
                log_->Error("Request failed",
                            {{"http.request.method", request.method},
                             {"http.route", ctx->route},
                             {"http.response.status_code", static_cast<std::int64_t>(response.status)},
                             {"error.type", ctx->error_code},
                             {"error.message", ctx->error_message}});
            }
        }
        // error.type is recorded for server errors only.
        if (response.status >= 500) error_type = ctx->error_code;
    } catch (...) {
        if (ctx->trace_id.empty()) ctx->trace_id = telemetry::GenerateTraceId().ToHex();
        if (ctx->span_id.empty()) ctx->span_id = telemetry::GenerateSpanId().ToHex();
        response = ErrorResponse(*ctx, {500, "internal", "internal error"});
    }
    // Span end and request metrics, the same code as tome::Telemetry's request hooks.
    instrumentation_->Finish(call, response.status, error_type);
    if (!ctx->tracestate.empty()) response.headers.emplace_back("tracestate", ctx->tracestate);
    cors_.Decorate(request, response);
    stats_->InFlight(-1);
    const double ms = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - ctx->started)
                          .count() /
                      1000.0;
    stats_->Record(request.method, ctx->route, response.status, ms);
    return response;
}

HttpResponse Proxy::Dispatch(const HttpRequest& request, RequestContext& ctx,
                             const Router<Handler>::Match& match) {
    // The token first for /metrics (scrapes are not rate limited); after the rate limit for the
    // rest, so that a flood of refused requests is cut there before each leaves an audit record.
    const auto authorize = [&]() -> std::optional<HttpResponse> {
        if (services_.auth == nullptr) return std::nullopt;
        const AuthDecision decision = services_.auth->Check(request);
        if (!decision.allowed()) {
            if (match.route != nullptr) ctx.route = match.route->pattern;
            return Refuse(request, ctx, decision);
        }
        ctx.principal = decision.principal;
        return std::nullopt;
    };
    if (request.body_too_large) return ErrorResponse(ctx, PayloadTooLarge(options_.max_body_bytes));
    if (request.path == "/metrics") {
        if (auto refused = authorize()) return std::move(*refused);
        ctx.route = "/metrics";
        ctx.operation = "metrics_query";
        return ServeMetrics(request, ctx);
    }
    if (CorsPolicy::IsPreflight(request)) return cors_.Preflight(request, ctx);

    const RateDecision decision = rate_limiter_.Admit(request.client_address);
    if (!decision.allowed) {
        HttpResponse r = ErrorResponse(ctx, RateLimited(decision.retry_after_seconds));
        r.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
        return r;
    }
    if (auto refused = authorize()) return std::move(*refused);

    if (match.route == nullptr) {
        if (!match.path_matched) return ErrorResponse(ctx, RouteNotFound(request.method, request.path));
        if (request.method == "OPTIONS") {
            HttpResponse r;
            r.status = 204;
            r.content_type.clear();
            r.headers.emplace_back("Allow", match.allowed_methods + ", OPTIONS");
            return r;
        }
        HttpResponse r = ErrorResponse(ctx, MethodNotAllowed(request.method, request.path));
        r.headers.emplace_back("Allow", match.allowed_methods);
        return r;
    }
    ctx.route = match.route->pattern;
    ctx.operation = match.route->operation;

    std::optional<Json> body;
    if ((request.method == "POST" || request.method == "PUT") &&
        request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
        const auto type = request.Header("content-type");
        const auto base = type.substr(0, type.find(';'));
        if (base != "application/json") return ErrorResponse(ctx, UnsupportedMediaType(type));
        auto parsed = internal::ParseJsonText(request.body);
        if (auto* error = std::get_if<ApiError>(&parsed)) {
            ctx.error_code = error->code;
            ctx.error_message = error->message;
            Track(ctx, request, error->http_status, error->message);
            return ErrorResponse(ctx, *error);
        }
        body.emplace(std::move(std::get<Json>(parsed)));
    }

    Call call{request, match.params, ctx, body ? &*body : nullptr};
    if (internal::IsChangeRoute(request.method, match.route->operation)) {
        std::lock_guard changes(changes_mu_);
        return FinishChange(request, ctx, call, match.route->handler(call));
    }
    Result<Reply> result = match.route->handler(call);
    if (!result.ok()) {
        ctx.error_code = std::string(CodeName(result.status().code()));
        ctx.error_message = result.status().message();
        Track(ctx, request, HttpStatusFor(result.status().code()), result.status().message());
        return ErrorResponse(ctx, ErrorFromStatus(result.status()));
    }
    if (request.method != "GET") Track(ctx, request, result->status, "");
    return SuccessResponse(ctx, result->status, std::move(result->data));
}

AuditRecord Proxy::StartAuditRecord(const HttpRequest& request, const RequestContext& ctx,
                                    const std::string& principal) const {
    AuditRecord audit;
    audit.time_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             services_.clock.Now().time_since_epoch())
                             .count();
    audit.who = principal.empty() ? request.client_address : principal;
    audit.method = request.method;
    audit.route = ctx.route;
    audit.trace_id = ctx.trace_id;
    audit.span_id = ctx.span_id;
    return audit;
}

HttpResponse Proxy::FinishChange(const HttpRequest& request, RequestContext& ctx, Call& call,
                                 Result<Reply> result) {
    AuditRecord audit = StartAuditRecord(request, ctx, ctx.principal);
    audit.target = call.target;
    if (audit.target.empty()) {
        for (const char* key : {"id", "name"}) {
            if (auto it = call.params.find(key); it != call.params.end()) audit.target = it->second;
        }
    }
    Status kept = Status::Ok();
    if (result.ok()) {
        audit.status = result->status;
        audit.result = "ok";
        audit.before = internal::AuditValue(std::move(call.before));
        audit.after = internal::AuditValue(result->data);
        kept = services_.change_store != nullptr
                   ? services_.change_store->Commit(call.changes, audit)
                   : memory_audit_->Record(audit);
    } else {
        audit.status = HttpStatusFor(result.status().code());
        audit.result = std::string(CodeName(result.status().code()));
        audit.message = result.status().message();
        kept = audit_->Record(audit);
    }
    if (!kept.ok()) {
        // The change is live in memory but would not survive a restart: say so, loudly.
        audit.status = 500;
        audit.result = "storage_failed";
        audit.message = "the change was applied but could not be stored: " + kept.message();
        ctx.error_code = audit.result;
        ctx.error_message = audit.message;
    }
    internal::LogAudit(*audit_log_, audit);
    if (!kept.ok()) {
        Track(ctx, request, 500, audit.message);
        return ErrorResponse(ctx, {500, audit.result, audit.message});
    }
    if (!result.ok()) {
        ctx.error_code = audit.result;
        ctx.error_message = audit.message;
        Track(ctx, request, audit.status, audit.message);
        return ErrorResponse(ctx, ErrorFromStatus(result.status()));
    }
    Track(ctx, request, result->status, "");
    return SuccessResponse(ctx, result->status, std::move(result->data));
}

HttpResponse Proxy::Refuse(const HttpRequest& request, const AuthDecision& decision) {
    // A SERVER span of its own, so that the audit record's trace id leads somewhere.
    InstrumentedRequest call;
    try {
        call = instrumentation_->Start(request, request.path, services_.toggles.IsEnabled(toggles::kTracing));
        RequestContext& ctx = call.context();
        ctx.clock = &services_.clock;
        ctx.route = request.path;
        HttpResponse response;
        {
            telemetry::trace::Scope scope(call.current());
            response = Refuse(request, ctx, decision);
        }
        instrumentation_->Finish(call, response.status, "");
        cors_.Decorate(request, response);
        return response;
    } catch (...) {
        RequestContext ctx;
        ctx.started = std::chrono::steady_clock::now();
        ctx.clock = &services_.clock;
        ctx.trace_id = telemetry::GenerateTraceId().ToHex();
        ctx.span_id = telemetry::GenerateSpanId().ToHex();
        return Refuse(request, ctx, decision);
    }
}

HttpResponse Proxy::Refuse(const HttpRequest& request, RequestContext& ctx, const AuthDecision& decision) {
    const bool forbidden = decision.outcome == AuthDecision::Outcome::kForbidden;
    ctx.error_code = forbidden ? "permission_denied" : "unauthenticated";
    ctx.error_message = decision.message;
    AuditRecord audit = StartAuditRecord(request, ctx, decision.principal);
    if (audit.route.empty()) audit.route = request.path;
    audit.target = request.path;
    audit.status = decision.http_status();
    audit.result = ctx.error_code;
    audit.message = decision.message;
    if (Status kept = audit_->Record(audit); !kept.ok()) {
        log_->Error("Audit record not kept", {{"error.message", kept.message()}});
    }
    internal::LogAudit(*audit_log_, audit);
    HttpResponse r = ErrorResponse(ctx, {decision.http_status(), ctx.error_code, decision.message});
    r.headers.emplace_back("WWW-Authenticate", decision.challenge());
    return r;
}

HttpResponse Proxy::ServeMetrics(const HttpRequest& request, const RequestContext& ctx) {
    if (request.method != "GET" && request.method != "HEAD") {
        HttpResponse r = ErrorResponse(ctx, MethodNotAllowed(request.method, request.path));
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    }
    if (services_.metrics_reader == nullptr) {
        return ErrorResponse(ctx, {404, "not_found", "metrics are not enabled in this process"});
    }
    namespace m = telemetry::metrics;
    const m::ExpositionFormat format = m::ChooseExpositionFormat(request.Header("accept"));
    HttpResponse r;
    r.status = 200;
    r.content_type = std::string(m::ContentType(format));
    r.body = m::ToPrometheusText(services_.metrics_reader->Collect(), format);
    return r;
}

void Proxy::Track(const RequestContext& ctx, const HttpRequest& request, int status,
                  const std::string& error) {
    robotcopy::TrackedMessage m;
    m.trace_id = ctx.trace_id;
    m.span_id = ctx.span_id;
    m.parent_span_id = ctx.parent_span_id;
    m.action = "http." + ctx.operation;
    m.data = {{"method", request.method}, {"route", ctx.route}, {"path", request.path},
              {"status", status}};
    m.status = error.empty() ? "ok" : "error";
    m.error = error;
    m.duration_ms = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - ctx.started)
                        .count() /
                    1000.0;
    services_.robot_copy.TrackMessage(std::move(m));
}

}  // namespace tome::api
