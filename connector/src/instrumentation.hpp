// Private to connector: the connector's spans, metrics and structured logs (issue 5). One
// Instrumentation per Connector, built at construction from ConnectorOptions (tracer, meter and
// logger providers, or the global ones). Immutable after construction except `active`, which
// the Connector sets once in its constructor; every other member is a thread-safe telemetry
// handle, so all methods may be called concurrently. Nothing here throws into the host:
// telemetry calls are noexcept.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "routing_table.hpp"
#include "tome/connector/business_context.hpp"
#include "tome/connector/connector.hpp"
#include "tome/core/clock.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/metrics/instruments.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::connector::internal {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;
namespace logs = telemetry::logs;

/// Span attribute and event names shared by the connector's spans.
namespace attr {
inline constexpr std::string_view kSource = "tome.source";
inline constexpr std::string_view kTarget = "tome.target";
inline constexpr std::string_view kConnectionType = "tome.connection_type";
inline constexpr std::string_view kConnectionId = "tome.connection_id";
inline constexpr std::string_view kEventType = "tome.event.type";
inline constexpr std::string_view kDirection = "tome.direction";
inline constexpr std::string_view kHop = "tome.hop";
inline constexpr std::string_view kEventId = "tome.event.id";
inline constexpr std::string_view kDropReason = "tome.drop.reason";
inline constexpr std::string_view kOperation = "tome.operation";
inline constexpr std::string_view kHealth = "tome.health";
inline constexpr std::string_view kNetworkType = "tome.network_type";
inline constexpr std::string_view kServiceCount = "tome.service_count";
inline constexpr std::string_view kConnectionCount = "tome.connection_count";
inline constexpr std::string_view kErrorType = "error.type";
inline constexpr std::string_view kErrorMessage = "error.message";
inline constexpr std::string_view kEndpoint = "tome.remote.endpoint";
inline constexpr std::string_view kCircuitState = "tome.remote.circuit_state";
inline constexpr std::string_view kAttempts = "tome.remote.attempts";
inline constexpr std::string_view kAttempt = "tome.attempt";
}  // namespace attr

/// Which operation a tome.response_time_ms measurement timed.
enum class Operation : std::size_t {
    kEventSend,
    kBroadcast,
    kEventContinue,
    kConnectionCreate,
    kConnectionDelete,
    kNetworkCreate,
};
inline constexpr std::size_t kOperationCount = 6;

/// "two-way" | "one-way".
inline std::string_view ConnectionType(const ConnectionConfig& config) {
    return config.bidirectional ? "two-way" : "one-way";
}

struct Instrumentation {
    /// `clock` (borrowed, must outlive this) stamps the log records' time.
    Instrumentation(const ConnectorOptions& options, const Clock& clock);

    /// Starts a span carrying robotcopy.service and robotcopy.environment plus `attributes`
    /// (at most 10), under `parent` (null: the thread's current Context). Never throws; a no-op
    /// tracer gives a non-recording span carrying the parent's context (no allocation).
    /// Business context: the parent's `business.*` baggage entries (see BusinessAttributes)
    /// become attributes of the same name.
    trace::Span Start(std::string_view name, std::initializer_list<trace::AttributeKV> attributes,
                      const trace::Context* parent = nullptr,
                      trace::SpanKind kind = trace::SpanKind::kInternal) const noexcept;

    /// The span of one delivery (event.forward / state.sync): tome.event.type, tome.hop,
    /// tome.target, tome.event.id and, when `via` is set, tome.connection_id and
    /// tome.direction.
    trace::Span StartDelivery(std::string_view name, std::string_view event_type, std::size_t hop,
                              std::string_view receiver, std::string_view event_id,
                              const ConnectionState* via, const trace::Context& parent,
                              trace::SpanKind kind) const noexcept;

    /// Records a span event for a toggle evaluation, following the semantic conventions'
    /// feature_flag.evaluation event (feature_flag.key, feature_flag.result.value,
    /// feature_flag.provider.name). Does nothing on a non-recording span.
    static void FlagEvaluated(trace::Span& span, std::string_view key, bool value) noexcept;

    /// Whether a record of `severity` would be emitted (one compare). Check it before building
    /// anything a log call needs beyond its attribute views.
    bool Logs(logs::Severity severity) const noexcept { return logger->Enabled(severity); }

    /// Emits a structured log record with body `message` and the attributes robotcopy.service,
    /// robotcopy.environment, `attributes` (at most 10) and the `business.*` entries of
    /// `baggage` (BusinessAttributes: the same as on spans). The record carries the trace and
    /// span ids of `span` when it is valid (the operation's span), else those of the thread's
    /// current Context. Nothing is built when the logger is disabled for `severity`. Never
    /// throws.
    void Log(logs::Severity severity, std::string_view message,
             std::initializer_list<trace::AttributeKV> attributes, const trace::SpanContext& span,
             const trace::Baggage& baggage) const noexcept {
        if (!logger->Enabled(severity)) return;
        LogSlow(severity, message, attributes, span, baggage);
    }

    /// Adds one tome.response_time_ms measurement (given in seconds, recorded in ms).
    void Timed(Operation operation, double seconds) const noexcept;

    std::shared_ptr<trace::TracerProvider> tracer_provider;  // kept alive for tracer
    std::shared_ptr<metrics::MeterProvider> meter_provider;  // kept alive for the instruments
    std::shared_ptr<logs::LoggerProvider> logger_provider;   // kept alive for logger
    trace::Tracer tracer;
    /// Scope "tome.connector"; never null (a no-op logger under the no-op provider).
    std::shared_ptr<logs::Logger> logger;
    const Clock& clock;
    const std::string service;
    const std::string environment;
    /// Scope "tome", shared with RobotCopy so tome.response_time_ms is one metric whichever layer
    /// records it.
    metrics::Meter meter;

    metrics::Counter<std::uint64_t> connections_total;
    metrics::BoundCounter<std::uint64_t> connections_two_way, connections_one_way;
    metrics::BoundCounter<std::uint64_t> forwarded_forward, forwarded_reverse;
    std::array<metrics::BoundCounter<std::uint64_t>, kDropReasonCount> dropped;
    std::array<metrics::BoundHistogram<double>, kOperationCount> response_time;
    /// tome.connections.active; registered by the Connector (its callback reads the table).
    metrics::ObservableInstrument active;
    /// tome.remote.circuit_state; registered by the Connector (its callback reads the table).
    metrics::ObservableInstrument circuit_state;

  private:
    void LogSlow(logs::Severity severity, std::string_view message,
                 std::initializer_list<trace::AttributeKV> attributes,
                 const trace::SpanContext& span, const trace::Baggage& baggage) const noexcept;
};

/// The parent Context of a journey or of a connection span: the thread's current Context when
/// it matches `parent` (or `parent` is empty), else a remote SpanContext built from `parent`.
/// A trace id without a span id yields a parent with a fresh span id in that trace, so the
/// spans still share the caller's trace id (the parent then shows as missing in a backend).
/// Precondition: `parent` passed CheckParent.
trace::Context ParentContext(const TraceParent& parent);

}  // namespace tome::connector::internal
