#include "tome/telemetry/export/metrics_env_config.hpp"

#include "tome/telemetry/export/otlp_metric_exporter.hpp"

namespace tome::telemetry::exporter {

Result<MetricsEnvConfig> ReadMetricsEnvConfig(const EnvLookup& env) {
    MetricsEnvConfig c;
    auto kinds = ReadSignalExporters(env, "OTEL_METRICS_EXPORTER", /*console_supported=*/false);
    if (!kinds.ok()) return kinds.error();
    c.exporters = std::move(kinds).value();
    const OtlpSignal signal{"METRICS", "v1/metrics", kOtlpGrpcMetricsExportMethod,
                            /*json_supported=*/true};
    auto otlp = ReadOtlpSignalEnv(env, signal);
    if (!otlp.ok()) return otlp.error();
    c.otlp = std::move(otlp).value();
    c.reader = metrics::PeriodicReaderOptionsFromEnv(env, &c.warnings);
    return c;
}

Result<MetricsExport> BuildMetricsExportFromEnv(const EnvLookup& env, SelfStats* stats) {
    auto cfg = ReadMetricsEnvConfig(env);
    if (!cfg.ok()) return cfg.error();
    MetricsEnvConfig& c = cfg.value();
    MetricsExport out;
    out.reader = c.reader;
    out.warnings = std::move(c.warnings);
    for (const auto kind : c.exporters) {
        if (kind != SignalExporterKind::kOtlp) continue;  // console is refused when reading
        if (c.otlp.protocol == OtlpSignalProtocol::kGrpc) {
            OtlpGrpcTransportOptions o = c.otlp.grpc;
            o.stats = stats;
            auto e = MakeOtlpGrpcMetricExporter(std::move(o));
            if (!e.ok()) return e.error();
            out.exporters.push_back(std::move(e).value());
        } else {
            OtlpHttpTransportOptions o = c.otlp.http;
            o.stats = stats;
            const OtlpProtocol protocol = c.otlp.protocol == OtlpSignalProtocol::kHttpJson
                                              ? OtlpProtocol::kHttpJson
                                              : OtlpProtocol::kHttpProtobuf;
            out.exporters.push_back(
                std::make_unique<OtlpHttpMetricExporter>(std::move(o), protocol));
        }
    }
    return out;
}

}  // namespace tome::telemetry::exporter
