#include "application.hpp"

#include "remote_tome_sender.hpp"
#include "tome/telemetry/export/env_config.hpp"
#include "tome/telemetry/metrics/self_metrics.hpp"

namespace tome::app {

namespace {

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
    const bool export_asked = lookup("OTEL_TRACES_EXPORTER") ||
                              lookup("OTEL_EXPORTER_OTLP_ENDPOINT") ||
                              lookup("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    telemetry::EnvLookup otel_env = [lookup, export_asked](std::string_view name)
        -> std::optional<std::string> {
        if (!export_asked && name == "OTEL_TRACES_EXPORTER") return std::string("none");
        return lookup(std::string(name));
    };
    telemetry::trace::ResourceOptions resource;
    if (!lookup("OTEL_SERVICE_NAME")) resource.service_name = config.robot_copy.service_name;
    resource.service_version = config.proxy.version;
    resource.deployment_environment = config.environment;
    auto sdk = telemetry::exporter::BuildTracesSdkFromEnv(otel_env, resource);
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
    meter_options.resource =
        std::make_shared<const telemetry::trace::Resource>(std::move(meter_resource.value()));
    auto meters = std::make_shared<metrics::MeterProvider>(std::move(meter_options));
    meters->AddReader(reader);
    // Telemetry about telemetry: a dashboard shows when spans are being lost.
    auto sdk_meter = meters->GetMeter("tome.telemetry", config.proxy.version);
    auto self_metrics =
        metrics::RegisterSelfMetrics(sdk_meter, telemetry::DefaultSelfStats(), meters.get());
    return Application::Telemetry{std::move(built.provider), std::move(built.propagator),
                                  std::move(meters), std::move(reader), std::move(self_metrics)};
}

}  // namespace

Application::Application(AppConfig config, Telemetry telemetry)
    : config_(std::move(config)), telemetry_(std::move(telemetry)), toggles_(config_.toggles) {
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
    if (auto st = server_->Start(); !st.ok()) return st;
    health_monitor_->Start();
    return Status::Ok();
}

bool Application::Shutdown(std::chrono::milliseconds grace) {
    const bool clean = server_->Shutdown(grace);
    health_monitor_->Shutdown();
    // Export what the last requests recorded; bounded so a dead collector cannot hang exit.
    if (telemetry_.provider) telemetry_.provider->Shutdown(std::chrono::seconds(5));
    if (telemetry_.meters) telemetry_.meters->Shutdown();
    return clean;
}

}  // namespace tome::app
