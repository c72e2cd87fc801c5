// Logs export configuration from OTEL_* environment variables (through an EnvLookup, so tests
// never touch the process environment) and building the configured LogExporters:
// OTEL_LOGS_EXPORTER (otlp, console, none; default otlp) and
// OTEL_EXPORTER_OTLP_[LOGS_]{ENDPOINT,PROTOCOL,HEADERS,COMPRESSION,TIMEOUT,CERTIFICATE,INSECURE}
// (rules in otlp_signal_env.hpp; http/protobuf, http/json and grpc). The batch processor's OTEL_BLRP_* stay with telemetry/logs. A bad value is an error naming the
// variable. Pure functions.
#pragma once

#include <memory>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/export/otlp_signal_env.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"

namespace tome::telemetry::exporter {

/// Everything the logs export variables say, with spec defaults for the unset ones.
struct LogsEnvConfig {
    std::vector<SignalExporterKind> exporters = {SignalExporterKind::kOtlp};  ///< Empty: none.
    OtlpSignalEnv otlp;  ///< OTEL_EXPORTER_OTLP_[LOGS_]*.
};

/// Reads and validates every logs export variable.
Result<LogsEnvConfig> ReadLogsEnvConfig(const EnvLookup& env);

/// The exporters the configuration selects, ready to put behind log processors.
struct LogsExport {
    std::vector<std::unique_ptr<logs::LogExporter>> exporters;  ///< Empty for "none".
};

/// Reads the configuration and builds an OtlpHttpLogExporter (http/protobuf or http/json) or an
/// OtlpGrpcLogExporter (grpc) for "otlp" and a ConsoleJsonLogExporter (stdout) for "console".
Result<LogsExport> BuildLogsExportFromEnv(const EnvLookup& env);

}  // namespace tome::telemetry::exporter
