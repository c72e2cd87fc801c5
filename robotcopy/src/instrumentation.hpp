// Private to robotcopy: RobotCopy's and HealthMonitor's spans, metrics and logs (issue 5). Built once
// per RobotCopy from RobotCopyOptions (injected providers, or the global ones at construction);
// immutable afterwards, and every member is a thread-safe telemetry handle, so all methods may
// be called concurrently. Telemetry calls are noexcept: nothing here throws into the host.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "tome/core/clock.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/metrics/instruments.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::robotcopy::internal {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;
namespace logs = telemetry::logs;

struct Instrumentation {
    /// `clock` (borrowed, must outlive this) stamps the log records' time.
    Instrumentation(const RobotCopyOptions& options, const Clock& clock);

    /// Starts a span carrying robotcopy.service and robotcopy.environment plus `attributes`
    /// (at most 10) and the `business.*` entries of the parent's baggage
    /// (connector::BusinessAttributes, as on the connector's spans). `parent` null: the
    /// thread's current Context. Never throws.
    trace::Span Start(std::string_view name, std::initializer_list<trace::AttributeKV> attributes,
                      const trace::Context* parent, trace::SpanKind kind,
                      bool root = false) const noexcept;

    /// Emits a log record with body `message` and robotcopy.service, robotcopy.environment,
    /// `attributes` (at most 10) and the `business.*` entries of `baggage`, carrying the ids of
    /// `span` when valid (else the current Context's). Nothing is built when the logger is
    /// disabled for `severity`. Never throws.
    void Log(logs::Severity severity, std::string_view message,
             std::initializer_list<trace::AttributeKV> attributes, const trace::SpanContext& span,
             const trace::Baggage& baggage) const noexcept {
        if (!logger->Enabled(severity)) return;
        LogSlow(severity, message, attributes, span, baggage);
    }

    std::shared_ptr<trace::TracerProvider> tracer_provider;  // kept alive for tracer
    std::shared_ptr<metrics::MeterProvider> meter_provider;  // kept alive for the instruments
    std::shared_ptr<logs::LoggerProvider> logger_provider;   // kept alive for logger
    trace::Tracer tracer;
    /// Scope "tome.robotcopy"; never null.
    std::shared_ptr<logs::Logger> logger;
    const Clock& clock;
    const std::string service;
    const std::string environment;
    /// tome.response_time_ms (milliseconds) with tome.operation "sendMessage" / "health.check".
    metrics::BoundHistogram<double> send_time, health_time;

  private:
    void LogSlow(logs::Severity severity, std::string_view message,
                 std::initializer_list<trace::AttributeKV> attributes,
                 const trace::SpanContext& span, const trace::Baggage& baggage) const noexcept;
};

/// The parent of SendMessage's CLIENT span: the current Context when it matches `ctx` (or ctx
/// is empty), else a remote SpanContext from ctx. A trace id without a span id gets a fresh
/// parent span id in that trace, so span, traceparent and history share the caller's trace.
/// Precondition: the ids in ctx are valid hex (or empty).
trace::Context ParentContext(const TraceContext& ctx);

}  // namespace tome::robotcopy::internal
