#include "application.hpp"

#include "remote_tome_sender.hpp"
#include "tome/telemetry/export/env_config.hpp"
#include "tome/telemetry/logs/batch_log_processor.hpp"
#include "tome/telemetry/logs/console_json_exporter.hpp"
#include "tome/telemetry/export/logs_env_config.hpp"
#include "tome/telemetry/export/metrics_env_config.hpp"
#include "tome/telemetry/metrics/self_metrics.hpp"

namespace tome::app {

namespace {

telemetry::logs::Severity LogSeverity(const std::string& level) {
    using telemetry::logs::Severity;
    if (level == "trace") return Severity::kTrace;
    if (level == "debug") return Severity::kDebug;
    if (level == "warn") return Severity::kWarn;
    if (level == "error") return Severity::kError;
    if (level == "fatal") return Severity::kFatal;
    return Severity::kInfo;
}

// The log pipeline's own counts as otel.sdk.* metrics, beside the span counts, so a dashboard
// shows when logs are being lost too.
std::vector<telemetry::metrics::ObservableInstrument> RegisterLogMetrics(
    telemetry::metrics::Meter& meter,
    std::vector<const telemetry::logs::BatchLogProcessor*> processors) {
    namespace metrics = telemetry::metrics;
    std::vector<metrics::ObservableInstrument> out;
    auto exported = meter.CreateObservableCounter<std::int64_t>(
        "otel.sdk.exporter.log.exported",
        [processors](metrics::ObserverResult& r) {
            std::int64_t n = 0;
            for (const auto* p : processors) n += static_cast<std::int64_t>(p->stats().exported);
            r.Observe(n);
        },
        {.description = "Log records an exporter accepted", .unit = "{log_record}"});
    if (exported.ok()) out.push_back(std::move(exported.instrument));
    auto dropped = meter.CreateObservableCounter<std::int64_t>(
        "otel.sdk.log.dropped",
        [processors](metrics::ObserverResult& r) {
            std::int64_t queue_full = 0, export_failed = 0, shutdown = 0;
            for (const auto* p : processors) {
                const auto s = p->stats();
                queue_full += static_cast<std::int64_t>(s.dropped_queue_full);
                export_failed += static_cast<std::int64_t>(s.dropped_export_failed);
                shutdown += static_cast<std::int64_t>(s.dropped_shutdown);
            }
            r.Observe(queue_full, {{"reason", "queue_full"}});
            r.Observe(export_failed, {{"reason", "export_failed"}});
            r.Observe(shutdown, {{"reason", "shutdown"}});
        },
        {.description = "Log records lost before or during export, by reason",
         .unit = "{log_record}"});
    if (dropped.ok()) out.push_back(std::move(dropped.instrument));
    return out;
}

// Telemetry from the standard OTEL_* variables. Spans are exported only when an exporter is
// asked for (OTEL_TRACES_EXPORTER) or an OTLP endpoint is given: a server that nobody
// configured does not send anything to localhost:4318.
Result<Application::Telemetry> BuildTelemetry(const AppConfig& config, const EnvLookup& env) {
    // The environment wins; the file's telemetry block fills in what it does not set.
    const auto defaults = config.otel_defaults;
    auto lookup = [env, defaults](const std::string& name) -> std::optional<std::string> {
        if (auto v = env(name)) return v;
        auto it = defaults.find(name);
        if (it == defaults.end()) return std::nullopt;
        return it->second;
    };
    // A signal is exported only when its exporter is named or an OTLP endpoint is given.
    auto asked = [&lookup](const char* exporter_var, const char* signal_endpoint_var) {
        return lookup(exporter_var) || lookup("OTEL_EXPORTER_OTLP_ENDPOINT") ||
               lookup(signal_endpoint_var);
    };
    const bool traces_asked = asked("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    const bool metrics_asked =
        asked("OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
    const bool logs_asked = asked("OTEL_LOGS_EXPORTER", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
    telemetry::EnvLookup otel_env = [=](std::string_view name) -> std::optional<std::string> {
        if ((name == "OTEL_TRACES_EXPORTER" && !traces_asked) ||
            (name == "OTEL_METRICS_EXPORTER" && !metrics_asked) ||
            (name == "OTEL_LOGS_EXPORTER" && !logs_asked)) {
            return std::string("none");
        }
        return lookup(std::string(name));
    };
    telemetry::trace::ResourceOptions resource;
    if (!lookup("OTEL_SERVICE_NAME")) resource.service_name = config.robot_copy.service_name;
    resource.service_version = config.proxy.version;
    resource.deployment_environment = config.environment;
    // The file's telemetry.sampling block: tail sampling in front of the exporters.
    const telemetry::trace::TailSamplingOptions* tail =
        config.tail_sampling ? &*config.tail_sampling : nullptr;
    auto sdk = telemetry::exporter::BuildTracesSdkFromEnv(otel_env, resource, nullptr, tail);
    if (!sdk.ok()) return InvalidArgument(sdk.message());
    auto& built = sdk.value();

    // Metrics: one pull reader behind GET /metrics, with the same resource as the traces.
    namespace metrics = telemetry::metrics;
    std::vector<std::string> warnings;
    metrics::MetricReaderOptions reader_options;
    reader_options.temporality = metrics::TemporalityPreference::kCumulative;  // Prometheus
    auto reader = std::make_shared<metrics::MetricReader>(reader_options);
    metrics::MeterProviderOptions meter_options;
    auto meter_resource = telemetry::trace::MakeResource(resource, otel_env);
    if (!meter_resource.ok()) return InvalidArgument(meter_resource.message());
    auto meter_options_resource =
        std::make_shared<const telemetry::trace::Resource>(std::move(meter_resource.value()));
    meter_options.resource = meter_options_resource;
    auto meters = std::make_shared<metrics::MeterProvider>(std::move(meter_options));
    meters->AddReader(reader);
    // Push export (OTLP) of metrics, beside the pull reader.
    auto metric_export = telemetry::exporter::BuildMetricsExportFromEnv(otel_env);
    if (!metric_export.ok()) return InvalidArgument(metric_export.message());
    std::vector<std::unique_ptr<metrics::PeriodicExportingMetricReader>> periodic;
    for (auto& exporter : metric_export.value().exporters) {
        metrics::MetricReaderOptions push_options;
        push_options.temporality = metrics::TemporalityPreferenceFromEnv(otel_env, &warnings);
        auto push_reader = std::make_shared<metrics::MetricReader>(push_options);
        meters->AddReader(push_reader);
        periodic.push_back(std::make_unique<metrics::PeriodicExportingMetricReader>(
            push_reader, std::move(exporter), metric_export.value().reader));
    }
    // Telemetry about telemetry: a dashboard shows when spans are being lost.
    auto sdk_meter = meters->GetMeter("tome.telemetry", config.proxy.version);
    auto self_metrics =
        metrics::RegisterSelfMetrics(sdk_meter, telemetry::DefaultSelfStats(), meters.get());
    // Logs: JSON lines on stdout at or above the configured level, batched off the caller.
    namespace logs = telemetry::logs;
    logs::LoggerProviderOptions log_options;
    log_options.min_severity = LogSeverity(config.logging.level);
    log_options.resource = meter_options_resource;
    std::vector<const logs::BatchLogProcessor*> log_processors;  // owned by the provider
    if (config.logging.console) {
        logs::BatchLogProcessorOptions batch;
        batch.scheduled_delay = std::chrono::milliseconds(200);
        auto console = std::make_unique<logs::BatchLogProcessor>(
            std::make_unique<logs::ConsoleJsonLogExporter>(stdout), batch);
        log_processors.push_back(console.get());
        log_options.processors.push_back(std::move(console));
    }
    auto log_export = telemetry::exporter::BuildLogsExportFromEnv(otel_env);
    if (!log_export.ok()) return InvalidArgument(log_export.message());
    auto blrp = logs::ReadBatchLogProcessorOptions(otel_env);
    if (!blrp.ok()) return InvalidArgument(blrp.message());
    for (auto& exporter : log_export.value().exporters) {
        auto processor =
            std::make_unique<logs::BatchLogProcessor>(std::move(exporter), blrp.value());
        log_processors.push_back(processor.get());
        log_options.processors.push_back(std::move(processor));
    }
    auto log_provider = logs::MakeLoggerProvider(std::move(log_options));
    auto log_metrics = RegisterLogMetrics(sdk_meter, log_processors);
    return Application::Telemetry{std::move(built.provider), std::move(built.propagator),
                                  std::move(meters),         std::move(reader),
                                  std::move(self_metrics),   std::move(log_provider),
                                  std::move(log_metrics),    std::move(periodic)};
}

}  // namespace

Application::Application(AppConfig config, Telemetry telemetry)
    : config_(std::move(config)),
      telemetry_(std::move(telemetry)),
      log_(telemetry_.logs->GetLogger("tome.app", config_.proxy.version)),
      toggles_(config_.toggles) {
    toggles_.OnChange([log = log_](const std::string& name, bool enabled) {
        log->Info("Feature toggle changed",
                  {{"feature_flag.key", name}, {"feature_flag.result.value", enabled}});
    });
    const Clock& clock = SystemClock::Get();
    robot_copy_ = std::make_unique<robotcopy::RobotCopy>(config_.robot_copy, toggles_, clock);
    connector_ = std::make_unique<connector::Connector>(tomes_, toggles_, clock, config_.connector);
    connector_->SetRemoteSender(std::make_shared<HttpRemoteTomeSender>(
        robotcopy::MakeCurlBackendClient(), config_.robot_copy.backend_timeout));
    health_monitor_ = std::make_unique<robotcopy::HealthMonitor>(
        [this] { return connector_->CheckHealth().ToJson(); }, *robot_copy_, config_.health);
    api::ProxyServices services{tomes_, *connector_, *robot_copy_, toggles_, clock,
                                health_monitor_.get(), telemetry_.provider.get(),
                                telemetry_.propagator.get(), telemetry_.meters.get(),
                                telemetry_.scrape_reader.get()};
    proxy_ = std::make_unique<api::Proxy>(services, config_.proxy);
    server_ = std::make_unique<server::HttpServer>(config_.server, *proxy_);
}

Application::~Application() { Shutdown(std::chrono::milliseconds(5000)); }

Result<std::unique_ptr<Application>> Application::Create(AppConfig config,
                                                         const EnvLookup& env) {
    auto telemetry = BuildTelemetry(config, env);
    if (!telemetry.ok()) return telemetry.status();
    telemetry::trace::SetTracerProvider(telemetry->provider);
    telemetry::metrics::SetMeterProvider(telemetry->meters);
    telemetry::logs::SetLoggerProvider(telemetry->logs);
    std::unique_ptr<Application> app(new Application(std::move(config), std::move(*telemetry)));
    if (auto st = app->BuildNetwork(); !st.ok()) return st;
    return app;
}

Status Application::BuildNetwork() {
    for (const auto& def : config_.tomes) {
        auto tome = std::make_shared<Tome>(def);
        if (auto st = tomes_.Add(tome); !st.ok()) return st;
        robotcopy::ComponentInfo info;
        info.id = def.id;
        info.type = "tome";
        for (const auto& [name, state] : def.states)
            for (const auto& [ev, t] : state.on) info.capabilities.push_back(ev);
        info.version = "1";
        (void)robot_copy_->components().Register(std::move(info));
    }
    for (const auto& remote : config_.remote_tomes) {
        if (auto st = connector_->RegisterRemoteTome(remote.id, remote.endpoint); !st.ok()) {
            return InvalidArgument(config_.file + ":" + std::to_string(remote.line) +
                                   ": remote tome '" + remote.id + "': " + st.message());
        }
    }
    for (const auto& spec : config_.connections) {
        auto cfg = connector::ParseConnectionConfig(spec.config);
        if (!cfg.ok()) return InvalidArgument(config_.file + ":" + std::to_string(spec.line) + ": " +
                                              cfg.status().message());
        auto info = connector_->Connect(spec.source, spec.target, std::move(*cfg));
        if (!info.ok()) {
            return InvalidArgument(config_.file + ":" + std::to_string(spec.line) + ": connection " +
                                   spec.source + " -> " + spec.target + ": " +
                                   info.status().message());
        }
    }
    robotcopy::ComponentInfo self;
    self.id = "tome-proxy";
    self.type = "proxy";
    self.capabilities = {"http-api", "connector", "health-monitoring"};
    self.version = config_.proxy.version;
    (void)robot_copy_->components().Register(std::move(self));
    return Status::Ok();
}

Status Application::Start() {
    if (auto st = server_->Start(); !st.ok()) {
        log_->Error("Server failed to start", {{"error.message", st.message()}});
        return st;
    }
    health_monitor_->Start();
    const std::int64_t port = server_->port();
    log_->Info("Server started", {{"server.address", config_.server.address},
                                  {"server.port", port},
                                  {"deployment.environment.name", config_.environment},
                                  {"tome.count", static_cast<std::int64_t>(tomes_.size())}});
    return Status::Ok();
}

bool Application::Shutdown(std::chrono::milliseconds grace) {
    if (shut_down_) return shutdown_clean_;
    shut_down_ = true;
    const bool clean = server_->Shutdown(grace);
    shutdown_clean_ = clean;
    health_monitor_->Shutdown();
    log_->Info("Server stopped", {{"tome.shutdown.clean", clean}});
    // Export what the last requests recorded; bounded so a dead collector cannot hang exit.
    if (telemetry_.provider) telemetry_.provider->Shutdown(std::chrono::seconds(5));
    for (auto& reader : telemetry_.metric_push) reader->Shutdown(std::chrono::seconds(5));
    if (telemetry_.meters) telemetry_.meters->Shutdown();
    if (telemetry_.logs) telemetry_.logs->Shutdown(std::chrono::seconds(5));
    return clean;
}

}  // namespace tome::app
