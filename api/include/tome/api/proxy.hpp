// Proxy: the HTTP API over tomes, the connector and RobotCopy. Turns each HttpRequest into a
// call on those layers and answers in the envelope (envelope.hpp). Handle() may be called
// concurrently from the server's workers; the layers it calls are themselves thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "tome/api/auth.hpp"
#include "tome/api/change_store.hpp"
#include "tome/api/cors.hpp"
#include "tome/api/envelope.hpp"
#include "tome/api/http.hpp"
#include "tome/api/rate_limiter.hpp"
#include "tome/api/request_instrumentation.hpp"
#include "tome/api/router.hpp"
#include "tome/connector/connector.hpp"
#include "tome/core/clock.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/robotcopy/health_monitor.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/trace/propagation.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::api {

struct ProxyOptions {
    /// Body size limit announced in 413 errors (the server enforces it). Default 1 MiB.
    std::size_t max_body_bytes = 1 << 20;
    RateLimitOptions rate_limit;
    CorsOptions cors;
    std::string service_name = "tome";
    std::string version = "0.1.0";
    std::string environment = "development";
};

/// The layers the API drives. All references must outlive the Proxy.
struct ProxyServices {
    TomeRegistry& tomes;
    connector::Connector& connector;
    robotcopy::RobotCopy& robot_copy;
    FeatureToggles& toggles;
    const Clock& clock;
    robotcopy::HealthMonitor* health_monitor = nullptr;  ///< Optional; shown by GET /api/health.
    /// Where request spans go; nullptr = the global provider (a no-op until app installs one).
    telemetry::trace::TracerProvider* tracer_provider = nullptr;
    /// Reads the caller's context; nullptr = W3C tracecontext + baggage.
    const telemetry::trace::TextMapPropagator* propagator = nullptr;
    /// Where request metrics go; nullptr = the global provider (a no-op until app installs one).
    telemetry::metrics::MeterProvider* meter_provider = nullptr;
    /// Serves GET /metrics (Prometheus/OpenMetrics); nullptr = /metrics answers 404.
    telemetry::metrics::MetricReader* metrics_reader = nullptr;
    /// The request span and metrics of every request (e.g. tome::Telemetry's, so that its
    /// statistics count the Proxy's requests). nullptr = the Proxy builds its own from the
    /// three providers above. When set, those three are not used for requests.
    const RequestInstrumentation* instrumentation = nullptr;
    /// Where the API's logs go: ERROR "Request failed" for every 5xx answer, in the request's
    /// SERVER span (http.request.method, http.route, http.response.status_code, error.type,
    /// error.message). nullptr = the global provider (a no-op until the app installs one).
    telemetry::logs::LoggerProvider* logger_provider = nullptr;
    /// The whole pipeline's accounting (tome::Telemetry::Stats().ToJson(): spans and logs
    /// processed, exported, dropped by reason, queued, the persistent queue), shown by
    /// GET /api/telemetry as "pipeline". Empty = not shown.
    std::function<Json()> telemetry_accounting;
    /// Where accepted changes and their audit records are made durable before the answer
    /// (storage::NetworkStore). nullptr = changes live in memory only and the audit trail is the
    /// newest MemoryAuditTrail::kDefaultCapacity records in memory.
    ChangeStore* change_store = nullptr;
    /// Who may do what (auth.hpp); nullptr or no tokens = everyone may do everything.
    const Authenticator* auth = nullptr;
};

/// What a route handler returns on success: an HTTP status and the envelope's data.
struct Reply {
    int status = 200;
    Json data;
};

/// One request as a handler sees it.
struct Call {
    const HttpRequest& request;
    const PathParams& params;
    RequestContext& context;
    /// The parsed JSON body of a POST or PUT whose body is not blank (the Proxy answers 400
    /// invalid_json before the handler when it does not parse); nullptr otherwise. A handler
    /// may move from it.
    Json* body = nullptr;
    /// What a change route changed, for the store (in order) and the audit record; set by the
    /// handler. Routes that change nothing leave them empty.
    std::vector<NetworkChange> changes;
    std::string target;  ///< The audit record's target (a tome, connection or toggle id).
    Json before;         ///< The target's value before the change, where it applies.
};

class Proxy final : public RequestHandler {
public:
    using Handler = std::function<Result<Reply>(Call&)>;

    Proxy(ProxyServices services, ProxyOptions options);
    ~Proxy() override;

    HttpResponse Handle(const HttpRequest& request) noexcept override;

    /// The 401 or 403 answer to a request `decision` refused, in the envelope with a
    /// WWW-Authenticate challenge, with its audit record and log. For the requests the
    /// application routes elsewhere (the console's data); the Proxy's own go through it too.
    HttpResponse Refuse(const HttpRequest& request, RequestContext& ctx, const AuthDecision& decision);
    /// The same for a request with no request context yet (fresh trace and span ids).
    HttpResponse Refuse(const HttpRequest& request, const AuthDecision& decision);

    /// Request statistics shown by GET /api/metrics.
    Json StatsJson() const;

    /// Adds a route of the application's own (`tome demo`'s /api/demo/faults), answered in the
    /// envelope with the same tracing, CORS, rate limit and errors as the built-in ones. Call
    /// before the server serves: routes are not guarded against concurrent change.
    void AddRoute(std::string method, std::string pattern, std::string operation, Handler handler) {
        router_.Add(std::move(method), std::move(pattern), std::move(operation), std::move(handler));
    }

private:
    class Stats;
    void AddTomeRoutes();
    void AddConnectionRoutes();
    void AddNetworkRoutes();
    void AddSystemRoutes();
    void AddAuditRoutes();
    HttpResponse ServeMetrics(const HttpRequest& request, const RequestContext& ctx);
    HttpResponse Dispatch(const HttpRequest& request, RequestContext& ctx,
                          const Router<Handler>::Match& match);
    void Track(const RequestContext& ctx, const HttpRequest& request, int status,
               const std::string& error);
    /// A change route's answer: commits the changes with their audit record (or keeps the
    /// record of a refused change) and logs it; a store failure turns a success into a 500.
    /// An audit record of `request`: when, who (`principal`, else the client address), method,
    /// route and the request's trace and span ids; the caller adds what and how it ended.
    AuditRecord StartAuditRecord(const HttpRequest& request, const RequestContext& ctx,
                                 const std::string& principal) const;
    HttpResponse FinishChange(const HttpRequest& request, RequestContext& ctx, Call& call,
                              Result<Reply> result);

    ProxyServices services_;
    const ProxyOptions options_;
    Router<Handler> router_;
    RateLimiter rate_limiter_;
    CorsPolicy cors_;
    std::unique_ptr<Stats> stats_;
    std::unique_ptr<MemoryAuditTrail> memory_audit_;  // when no change store was given
    AuditTrail* audit_;                                // change_store or memory_audit_
    // Held by a change route from its handler to its commit, so that the store keeps changes
    // in the order they were made in memory.
    std::mutex changes_mu_;
    const std::shared_ptr<telemetry::logs::Logger> audit_log_;
    std::unique_ptr<RequestInstrumentation> own_instrumentation_;  // when none was given
    const RequestInstrumentation* instrumentation_;
    const std::shared_ptr<telemetry::logs::Logger> log_;
    const std::chrono::steady_clock::time_point started_;
};

}  // namespace tome::api
