#include "tome/telemetry/export/logs_env_config.hpp"

#include "tome/telemetry/export/otlp_grpc_log_exporter.hpp"
#include "tome/telemetry/logs/console_json_exporter.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"

namespace tome::telemetry::exporter {

Result<LogsEnvConfig> ReadLogsEnvConfig(const EnvLookup& env) {
    LogsEnvConfig c;
    auto kinds = ReadSignalExporters(env, "OTEL_LOGS_EXPORTER", /*console_supported=*/true);
    if (!kinds.ok()) return kinds.error();
    c.exporters = std::move(kinds).value();
    const OtlpSignal signal{"LOGS", "v1/logs", kOtlpGrpcLogsExportMethod,
                            /*json_supported=*/true};
    auto otlp = ReadOtlpSignalEnv(env, signal);
    if (!otlp.ok()) return otlp.error();
    c.otlp = std::move(otlp).value();
    return c;
}

Result<LogsExport> BuildLogsExportFromEnv(const EnvLookup& env) {
    auto cfg = ReadLogsEnvConfig(env);
    if (!cfg.ok()) return cfg.error();
    const LogsEnvConfig& c = cfg.value();
    LogsExport out;
    for (const auto kind : c.exporters) {
        if (kind == SignalExporterKind::kConsole) {
            out.exporters.push_back(std::make_unique<logs::ConsoleJsonLogExporter>());
        } else if (c.otlp.protocol == OtlpSignalProtocol::kGrpc) {
            auto e = MakeOtlpGrpcLogExporter(c.otlp.grpc);
            if (!e.ok()) return e.error();
            out.exporters.push_back(std::move(e).value());
        } else {
            const OtlpHttpTransportOptions& h = c.otlp.http;
            logs::OtlpHttpLogExporterOptions o;
            o.endpoint = h.endpoint;
            o.headers = h.headers;
            o.gzip = h.compression == OtlpCompression::kGzip;
            o.timeout = h.timeout;
            o.certificate_file = h.certificate_file;
            o.protocol = c.otlp.protocol == OtlpSignalProtocol::kHttpJson
                             ? OtlpProtocol::kHttpJson
                             : OtlpProtocol::kHttpProtobuf;
            out.exporters.push_back(std::make_unique<logs::OtlpHttpLogExporter>(std::move(o)));
        }
    }
    return out;
}

}  // namespace tome::telemetry::exporter
