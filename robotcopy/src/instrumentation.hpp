// Private to robotcopy: RobotCopy's and HealthMonitor's spans and metrics (issue 5). Built once
// per RobotCopy from RobotCopyOptions (injected providers, or the global ones at construction);
// immutable afterwards, and every member is a thread-safe telemetry handle, so all methods may
// be called concurrently. Telemetry calls are noexcept: nothing here throws into the host.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "tome/robotcopy/robot_copy.hpp"
#include "tome/telemetry/metrics/instruments.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::robotcopy::internal {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;

struct Instrumentation {
    explicit Instrumentation(const RobotCopyOptions& options);

    /// Starts a span carrying robotcopy.service and robotcopy.environment plus `attributes`
    /// (at most 10). `parent` null: the thread's current Context. Never throws.
    trace::Span Start(std::string_view name, std::initializer_list<trace::AttributeKV> attributes,
                      const trace::Context* parent, trace::SpanKind kind,
                      bool root = false) const noexcept;

    std::shared_ptr<trace::TracerProvider> tracer_provider;  // kept alive for tracer
    std::shared_ptr<metrics::MeterProvider> meter_provider;  // kept alive for the instruments
    trace::Tracer tracer;
    const std::string service;
    const std::string environment;
    /// tome.response_time_ms (milliseconds) with tome.operation "sendMessage" / "health.check".
    metrics::BoundHistogram<double> send_time, health_time;
};

/// The parent of SendMessage's CLIENT span: the current Context when it matches `ctx` (or ctx
/// is empty), else a remote SpanContext from ctx. A trace id without a span id gets a fresh
/// parent span id in that trace, so span, traceparent and history share the caller's trace.
/// Precondition: the ids in ctx are valid hex (or empty).
trace::Context ParentContext(const TraceContext& ctx);

}  // namespace tome::robotcopy::internal
