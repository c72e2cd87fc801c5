// Metrics export configuration from OTEL_* environment variables (through an EnvLookup, so tests
// never touch the process environment) and building the configured MetricExporters:
// OTEL_METRICS_EXPORTER (otlp, none; default otlp; "console" is refused: there is no console
// metric exporter), OTEL_EXPORTER_OTLP_[METRICS_]{ENDPOINT,PROTOCOL,HEADERS,COMPRESSION,TIMEOUT,
// CERTIFICATE,INSECURE} (rules in otlp_signal_env.hpp; http/protobuf, http/json and grpc) and
// OTEL_METRIC_EXPORT_INTERVAL / OTEL_METRIC_EXPORT_TIMEOUT for the
// periodic reader. A bad value is an error naming the variable, except the two reader
// durations, which follow the spec's numeric rule (warning, default kept). Pure functions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/export/otlp_signal_env.hpp"
#include "tome/telemetry/metrics/metric_exporter.hpp"
#include "tome/telemetry/metrics/periodic_reader.hpp"

namespace tome::telemetry::exporter {

/// Everything the metrics variables say, with spec defaults for the unset ones.
struct MetricsEnvConfig {
    std::vector<SignalExporterKind> exporters = {SignalExporterKind::kOtlp};  ///< Empty: none.
    OtlpSignalEnv otlp;                      ///< OTEL_EXPORTER_OTLP_[METRICS_]*.
    metrics::PeriodicReaderOptions reader;   ///< OTEL_METRIC_EXPORT_{INTERVAL,TIMEOUT}.
    std::vector<std::string> warnings;       ///< Ignored reader values.
};

/// Reads and validates every metrics export variable.
Result<MetricsEnvConfig> ReadMetricsEnvConfig(const EnvLookup& env);

/// The exporters the configuration selects (each wants its own PeriodicExportingMetricReader
/// with `reader`), ready to use.
struct MetricsExport {
    std::vector<std::unique_ptr<metrics::MetricExporter>> exporters;  ///< Empty for "none".
    metrics::PeriodicReaderOptions reader;
    std::vector<std::string> warnings;
};

/// Reads the configuration and builds an OtlpHttpMetricExporter (http/protobuf or http/json)
/// or an OtlpGrpcMetricExporter (grpc) for "otlp". `stats` counts transport retries when set.
Result<MetricsExport> BuildMetricsExportFromEnv(const EnvLookup& env, SelfStats* stats = nullptr);

}  // namespace tome::telemetry::exporter
