// Trace SDK configuration from OTEL_* environment variables (read through an EnvLookup so that
// tests never touch the process environment), and building a ready TracerProvider and
// propagator from it. A bad value is an error naming the variable. Pure functions; call from
// any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/export/otlp_http_exporter.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/propagation.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::exporter {

enum class TracesExporterKind : std::uint8_t { kOtlp, kConsole };

/// Everything the variables say, with spec defaults for the unset ones.
struct TracesEnvConfig {
    bool sdk_disabled = false;                          ///< OTEL_SDK_DISABLED; default false.
    std::string sampler = "parentbased_always_on";      ///< OTEL_TRACES_SAMPLER (lowercased).
    double sampler_ratio = 1.0;                         ///< OTEL_TRACES_SAMPLER_ARG; default 1.
    trace::BatchSpanProcessorOptions batch;             ///< OTEL_BSP_*.
    trace::SpanLimits limits;                           ///< OTEL_SPAN_*_LIMIT, OTEL_ATTRIBUTE_*.
    OtlpHttpExporterOptions otlp;                       ///< OTEL_EXPORTER_OTLP_[TRACES_]*.
    std::vector<TracesExporterKind> exporters = {TracesExporterKind::kOtlp};  ///< Default otlp.
};

/// Reads and validates every trace-related variable. Signal-specific OTEL_EXPORTER_OTLP_TRACES_*
/// wins over the generic one; a generic ENDPOINT gets "v1/traces" appended (after a '/'), a
/// TRACES_ENDPOINT is used as is (an empty path becomes "/").
Result<TracesEnvConfig> ReadTracesEnvConfig(const EnvLookup& env);

/// The sampler named by `config.sampler` (always_on, always_off, traceidratio and their
/// parentbased_ forms). Unsupported names are errors naming OTEL_TRACES_SAMPLER.
Result<std::unique_ptr<trace::Sampler>> MakeSamplerFromConfig(const TracesEnvConfig& config);

/// A provider and propagator built from the environment.
struct TracesSdk {
    std::shared_ptr<trace::TracerProvider> provider;  ///< No-op when OTEL_SDK_DISABLED=true.
    std::unique_ptr<trace::TextMapPropagator> propagator;
    std::vector<std::string> warnings;  ///< E.g. unknown OTEL_PROPAGATORS entries.
};

/// Reads the configuration and builds the SDK: batch processor + OTLP/HTTP exporter for
/// "otlp", simple processor + console exporter for "console". `resource` options win over
/// OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME.
Result<TracesSdk> BuildTracesSdkFromEnv(const EnvLookup& env,
                                        const trace::ResourceOptions& resource = {},
                                        SelfStats* stats = nullptr);

}  // namespace tome::telemetry::exporter
