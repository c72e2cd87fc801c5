// RobotCopy: the orchestration hub. Tracks messages by trace, keeps the component registry,
// picks the backend (Node or Kotlin, by feature toggle) and sends actions to it with W3C trace
// propagation. All methods may be called concurrently.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tome/core/clock.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/status.hpp"
#include "tome/robotcopy/backend_client.hpp"
#include "tome/robotcopy/component_registry.hpp"
#include "tome/robotcopy/message_history.hpp"

namespace tome::telemetry::trace {
class TracerProvider;
class TextMapPropagator;
}  // namespace tome::telemetry::trace
namespace tome::telemetry::metrics {
class MeterProvider;
}  // namespace tome::telemetry::metrics
namespace tome::telemetry::logs {
class LoggerProvider;
}  // namespace tome::telemetry::logs

namespace tome::robotcopy {

namespace internal {
struct Instrumentation;
}  // namespace internal

using Json = nlohmann::json;

/// How SendMessage tries a backend call again. Only failures the backend cannot have acted on
/// are retried: the connection could not be made, or HTTP 429, 502, 503 or 504. A timeout is
/// not (the backend may still be working on it). The worst case of one call is
/// max_attempts * backend_timeout plus the backoffs, on the calling thread.
struct BackendRetryOptions {
    /// Attempts per call, the first included; 1 turns retrying off. Default 3.
    int max_attempts = 3;
    /// Wait before the first retry, doubled for each next one, up to max_backoff, with equal
    /// jitter (between half and all of it). Defaults 100 ms and 1 s.
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{1000};
};

struct RobotCopyOptions {
    std::string service_name = "tome";
    std::string environment = "development";
    /// Backend name -> base URL. SelectedBackend() picks "kotlin" or "node".
    std::map<std::string, std::string> backends = {{"node", "http://localhost:3001"},
                                                   {"kotlin", "http://localhost:8080"}};
    /// SendMessage posts to <backend url><api_base_path>/<action>. Default "/api".
    std::string api_base_path = "/api";
    /// Deadline of one backend call. Default 5 s; raising it lets a stuck backend hold the
    /// calling thread longer.
    std::chrono::milliseconds backend_timeout{5000};
    BackendRetryOptions backend_retry;
    MessageHistoryOptions history;
    /// Where SendMessage's CLIENT spans and HealthMonitor's health.check spans go. Null
    /// (default): telemetry::trace::GetTracerProvider() at construction (no-op until the app
    /// installs an SDK provider). service_name / environment become robotcopy.service /
    /// robotcopy.environment on every span.
    std::shared_ptr<telemetry::trace::TracerProvider> tracer_provider;
    /// Where tome.response_time_ms (tome.operation sendMessage / health.check) goes. Null
    /// (default): telemetry::metrics::GetMeterProvider() at construction.
    std::shared_ptr<telemetry::metrics::MeterProvider> meter_provider;
    /// Where the structured logs go: WARN "Backend call failed" from SendMessage, WARN "Health
    /// degraded" / INFO "Health recovered" from HealthMonitor, each with the ids of its span,
    /// robotcopy.service, robotcopy.environment and the business.* baggage entries. Null
    /// (default): telemetry::logs::GetLoggerProvider() at construction.
    std::shared_ptr<telemetry::logs::LoggerProvider> logger_provider;
    /// How SendMessage writes the call's context into the request headers (the app's
    /// configured propagator: traceparent, tracestate, baggage). Borrowed; must outlive the
    /// RobotCopy. Null (default): W3C Trace Context and Baggage (telemetry::trace::MakeW3cPropagator).
    const telemetry::trace::TextMapPropagator* propagator = nullptr;
};

/// The caller's trace position (lowercase hex). An empty trace_id starts a new trace; span_id
/// (optional) becomes the parent of the span SendMessage creates.
struct TraceContext {
    std::string trace_id;
    std::string span_id;
};

class RobotCopy {
public:
    /// Borrows `toggles` and `clock`, which must outlive this object; takes `backend`.
    RobotCopy(RobotCopyOptions options, FeatureToggles& toggles, const Clock& clock,
              std::unique_ptr<BackendClient> backend = MakeCurlBackendClient());
    ~RobotCopy();
    RobotCopy(const RobotCopy&) = delete;
    RobotCopy& operator=(const RobotCopy&) = delete;

    FeatureToggles& toggles() { return toggles_; }
    MessageHistory& history() { return history_; }
    ComponentRegistry& components() { return components_; }
    const RobotCopyOptions& options() const { return options_; }
    const Clock& clock() const { return clock_; }
    /// The spans and metrics of this RobotCopy (used by HealthMonitor).
    const internal::Instrumentation& instrumentation() const { return *telemetry_; }

    /// 32 lowercase hex characters, never all zero (telemetry::GenerateTraceId).
    static std::string NewTraceId();
    /// 16 lowercase hex characters, never all zero (telemetry::GenerateSpanId).
    static std::string NewSpanId();

    /// Records a message in the history. An empty trace_id or span_id is filled with a new id.
    void TrackMessage(TrackedMessage message);

    /// "kotlin" when toggles::kKotlinBackend is on, else "node".
    std::string SelectedBackend() const;
    /// The selected backend's base URL; kFailedPrecondition when it has none configured.
    Result<std::string> BackendUrl() const;

    /// POSTs {"action", "data", "traceId", "spanId"} as JSON to
    /// <BackendUrl()><api_base_path>/<action> with the headers the propagator writes for the
    /// call's span (traceparent 00-<trace>-<span>-<flags>, the parent's tracestate and baggage
    /// with the default one), x-trace-id, x-span-id and content-type, and returns the
    /// parsed JSON answer ({"raw": text} when the body is not JSON).
    /// The call is a CLIENT span "POST" (child of ctx, else of the current Context) with
    /// http.request.method, server.address, server.port, url.full, http.response.status_code,
    /// tome.action, tome.backend, tome.timeout_ms, tome.retries, error status and error.type on
    /// failure and a "timeout" event; the traceparent, body ids and the tracked message carry
    /// that span's ids. Retryable failures (BackendRetryOptions) are sent again, up to
    /// options().backend_retry.max_attempts in all: each retry is a "retry" event (tome.attempt,
    /// error.type of the failure before it, tome.backoff_ms) and a call that was retried has
    /// http.request.resend_count; the outcome is the last attempt's.
    /// Under a no-op tracer (the span has no ids of its own) a fresh span id is used, flags 01.
    /// Errors: kInvalidArgument for an empty action, an action with characters outside
    /// [A-Za-z0-9-._~:/], or a malformed ctx id (nothing tracked); kFailedPrecondition when no
    /// backend URL is configured; the transport's kDeadlineExceeded / kUnavailable; for a
    /// non-2xx answer kUnavailable (5xx, 429) or kFailedPrecondition (others), naming the
    /// status. Except for kInvalidArgument, tracks exactly one "sendMessage:<action>" message
    /// under the trace: status "ok", "timeout" (deadline) or "error", data {backend, url,
    /// request, responseStatus, retries (when > 0)}, duration from the clock (all attempts). A
    /// failure is also logged: WARN "Backend call failed" (tome.backend, tome.action, url.full,
    /// error.type, error.message, tome.retries) in the CLIENT span. The span and the log carry
    /// the business.* entries of the parent Context's baggage.
    Result<Json> SendMessage(const std::string& action, const Json& data,
                             const TraceContext& ctx = {});

private:
    const RobotCopyOptions options_;
    FeatureToggles& toggles_;
    const Clock& clock_;
    const std::unique_ptr<BackendClient> backend_;
    const std::unique_ptr<internal::Instrumentation> telemetry_;
    const std::unique_ptr<telemetry::trace::TextMapPropagator> own_propagator_;  // when none given
    const telemetry::trace::TextMapPropagator* const propagator_;
    MessageHistory history_;
    ComponentRegistry components_;
};

}  // namespace tome::robotcopy
