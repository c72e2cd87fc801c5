#include "application.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "remote_tome_sender.hpp"

namespace tome::app {

api::HttpResponse Application::Routes::Handle(const api::HttpRequest& request) noexcept {
    // A token in the query (access_token, for the console's EventSource) has been read by the
    // authenticator: the routes behind it never see it, so it is neither refused as an unknown
    // parameter nor kept anywhere.
    if (auth_.enabled() && request.query.find("access_token=") != std::string::npos) {
        try {
            api::HttpRequest copy = request;
            api::Authenticator::MoveAccessTokenToHeader(copy);
            return Route(copy);
        } catch (...) {
            return InternalError();
        }
    }
    return Route(request);
}

api::HttpResponse Application::Routes::InternalError() {
    api::HttpResponse r;
    r.status = 500;
    r.body = R"({"success":false,"error":{"code":"internal","message":"internal error"}})";
    return r;
}

api::HttpResponse Application::Routes::Route(const api::HttpRequest& request) noexcept {
    if (console_ != nullptr && console::Console::Serves(request.path)) {
        if (auth_.enabled()) {
            try {
                const api::AuthDecision decision = auth_.Check(request);
                if (!decision.allowed()) return proxy_.Refuse(request, decision);
            } catch (...) {
                return InternalError();
            }
        }
        return console_->handler().Handle(request);
    }
    return proxy_.Handle(request);
}

Application::Application(AppConfig config, std::unique_ptr<console::Console> console,
                         std::unique_ptr<facade::Telemetry> telemetry,
                         std::unique_ptr<storage::NetworkStore> store,
                         std::shared_ptr<const api::Authenticator> auth)
    : config_(std::move(config)),
      auth_(std::move(auth)),
      console_(std::move(console)),
      telemetry_(std::move(telemetry)),
      log_(telemetry_->logger_provider().GetLogger("tome.app", config_.proxy.version)),
      store_(std::move(store)),
      toggles_(config_.toggles) {
    toggles_.OnChange([log = log_](const std::string& name, bool enabled) {
        log->Info("Feature toggle changed",
                  {{"feature_flag.key", name}, {"feature_flag.result.value", enabled}});
    });
    const Clock& clock = SystemClock::Get();
    config_.robot_copy.propagator = telemetry_->propagator();  // telemetry_ outlives robot_copy_
    robot_copy_ = std::make_unique<robotcopy::RobotCopy>(
        config_.robot_copy, toggles_, clock, robotcopy::MakeCurlBackendClient(config_.security.outbound_tls));
    connector_ = std::make_unique<connector::Connector>(tomes_, toggles_, clock, config_.connector);
    connector_->SetRemoteSender(std::make_shared<HttpRemoteTomeSender>(
        robotcopy::MakeCurlBackendClient(config_.security.outbound_tls), telemetry_->propagator(),
        config_.security.remote_token.value));
    health_monitor_ = std::make_unique<robotcopy::HealthMonitor>(
        [this] { return connector_->CheckHealth().ToJson(); }, *robot_copy_, config_.health);
    api::ProxyServices services{tomes_, *connector_, *robot_copy_, toggles_, clock,
                                health_monitor_.get(), telemetry_->tracer_provider(),
                                telemetry_->propagator(), telemetry_->meter_provider(),
                                telemetry_->scrape_reader(),
                                &telemetry_->request_instrumentation()};
    services.logger_provider = &telemetry_->logger_provider();
    services.telemetry_accounting = [this] { return telemetry_->Stats().ToJson(); };
    services.change_store = store_.get();
    services.auth = auth_.get();
    proxy_ = std::make_unique<api::Proxy>(services, config_.proxy);
    routes_ = std::make_unique<Routes>(console_.get(), *proxy_, *auth_);
    server::HttpServerOptions server_options = config_.server;
    if (console_) {
        for (const char* path : {"/v1/traces", "/v1/metrics", "/v1/logs"}) {
            server_options.body_limits.emplace_back(path, console_->BodyLimitFor(path));
        }
        console_->SetNetworkView([this] { return NetworkJson(); });
        auto meter = telemetry_->meter_provider()->GetMeter("tome.console", config_.proxy.version);
        console_->RegisterSelfMetrics(meter);
    }
    server_ = std::make_unique<server::HttpServer>(server_options, *routes_);
    if (config_.server.tls) {
        auto meter = telemetry_->meter_provider()->GetMeter("tome.server", config_.proxy.version);
        auto created = meter.CreateObservableCounter<std::int64_t>(
            "tome.server.tls.handshake_failures",
            [server = server_.get()](telemetry::metrics::ObserverResult& r) {
                r.Observe(static_cast<std::int64_t>(server->TlsHandshakeFailures()));
            },
            {"TLS handshakes this server refused: not TLS, an untrusted or missing client "
             "certificate, no common version or cipher",
             "{handshake}"});
        if (created.ok()) self_metrics_.push_back(std::move(created.instrument));
    }
}

std::string Application::ConsoleUrl() const {
    if (!console_) return {};
    std::string host = config_.server.address;
    if (host == "0.0.0.0" || host == "::" || host == "127.0.0.1") host = "localhost";
    else if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return std::string(config_.server.tls ? "https://" : "http://") + host + ":" +
           std::to_string(server_->port()) + "/";
}

nlohmann::json Application::NetworkJson() const {
    const connector::Topology topology = connector_->GetTopology();
    nlohmann::json tomes = nlohmann::json::array();
    for (const auto& node : topology.nodes) {
        nlohmann::json t{{"id", node.id}, {"remote", !node.endpoint.empty()}, {"present", node.present}};
        if (!node.endpoint.empty()) t["endpoint"] = node.endpoint;
        if (auto tome = tomes_.Find(node.id)) {
            const TomeSnapshot snap = tome->Snapshot();
            t["state"] = snap.state;
            t["eventsReceived"] = snap.events_received;
            t["final"] = snap.final;
        }
        // A tome's health is its worst connection's.
        std::string health = node.present ? "healthy" : "unhealthy";
        for (const auto& e : topology.edges) {
            if (e.source != node.id && e.target != node.id) continue;
            const std::string h(connector::HealthName(e.health));
            if (h == "unhealthy" || (h == "degraded" && health == "healthy")) health = h;
        }
        t["health"] = health;
        tomes.push_back(std::move(t));
    }
    nlohmann::json connections = nlohmann::json::array();
    for (const auto& e : topology.edges) {
        connections.push_back(
            {{"id", e.id},
             {"source", e.source},
             {"target", e.target},
             {"bidirectional", e.config.bidirectional},
             {"health", connector::HealthName(e.health)},
             {"eventsForwarded", e.events_forwarded},
             {"statesSynced", e.states_synced},
             {"eventsDropped", e.events_dropped},
             {"lastActivityUs", std::chrono::duration_cast<std::chrono::microseconds>(
                                    e.last_activity.time_since_epoch())
                                    .count()}});
    }
    return {{"tomes", std::move(tomes)}, {"connections", std::move(connections)}};
}

Application::~Application() { Shutdown(config_.shutdown_timeout); }

Result<std::unique_ptr<Application>> Application::Create(AppConfig config,
                                                         const EnvLookup& env) {
    facade::TelemetryConfig telemetry_config = config.telemetry;
    telemetry_config.log_level = config.logging.level;
    telemetry_config.log_console = config.logging.console;
    std::vector<api::AccessToken> tokens;
    for (const auto& t : config.security.tokens) tokens.push_back({t.name, t.token.value, t.scopes});
    auto created_auth = api::Authenticator::Create(std::move(tokens));
    if (!created_auth.ok()) return InvalidArgument(config.file + ": security: " + created_auth.status().message());
    auto auth = std::make_shared<const api::Authenticator>(std::move(created_auth).value());
    // The console first: the SDK's taps feed it from the first span on.
    std::unique_ptr<console::Console> console;
    facade::TelemetryTaps taps;
    if (config.console.enabled) {
        console::ConsoleOptions options = config.console;
        options.otlp_grpc_address = config.server.address;  // where the server listens
        if (auth->enabled()) {
            options.authorize_grpc_export = [auth](std::string_view authorization, std::string& message) {
                api::HttpRequest call;  // the Export call as the authenticator sees a request
                call.method = "POST";
                call.path = "/v1/grpc";
                if (!authorization.empty()) call.headers["authorization"] = std::string(authorization);
                const api::AuthDecision decision = auth->Check(call);
                message = decision.message;
                return decision.allowed() ? 0 : decision.outcome == api::AuthDecision::Outcome::kForbidden ? 7 : 16;
            };
        }
        auto created = console::Console::Create(options, SystemClock::Get());
        if (!created.ok()) return created.status();
        console = std::move(*created);
        console::Console* c = console.get();
        taps.spans = [c](auto next) { return c->TeeSpans(std::move(next)); };
        taps.logs = [c](auto next) { return c->TeeLogs(std::move(next)); };
        taps.metric_reader = c->metric_reader();
        if (auto st = console->Start(); !st.ok()) return st;
    }
    auto telemetry = facade::Telemetry::Create(
        std::move(telemetry_config),
        [env](std::string_view name) { return env(std::string(name)); }, std::move(taps));
    if (!telemetry.ok()) return telemetry.status();
    (*telemetry)->InstallGlobal();
    std::unique_ptr<storage::NetworkStore> store;
    if (config.storage.enabled) {
        auto opened = storage::NetworkStore::Open(config.storage.store);
        if (!opened.ok()) return opened.status();
        store = std::move(*opened);
    }
    std::unique_ptr<Application> app(new Application(std::move(config), std::move(console),
                                                     std::move(*telemetry), std::move(store),
                                                     std::move(auth)));
    if (auto st = app->BuildNetwork(); !st.ok()) return st;
    if (auto st = app->RestoreFromStore(); !st.ok()) return st;
    return app;
}

Status Application::RestoreFromStore() {
    if (!store_) return Status::Ok();
    store_->SetConfigDefined(storage::ConfigDefinedIds(tomes_, *connector_));
    auto stored = store_->Load();
    if (!stored.ok()) return stored.status();
    storage::RestoreTargets targets{tomes_, *connector_, toggles_, {}, {}};
    targets.on_tome_added = [this](const Tome& tome) { RegisterComponent(tome.definition()); };
    targets.on_tome_removed = [this](const std::string& id) {
        (void)robot_copy_->components().Unregister(id);
    };
    const storage::RestoreReport report = storage::RestoreNetwork(*stored, targets);
    for (const auto& warning : report.warnings) {
        log_->Warn("Store: not restored", {{"tome.storage.path", store_->path()}, {"warning", warning}});
    }
    log_->Info("Network restored from the store",
               {{"tome.storage.path", store_->path()}, {"tome.storage.restored", report.Describe()}});
    state_writer_ = std::make_unique<storage::StateWriter>(*store_, tomes_, config_.storage.state);
    return Status::Ok();
}

Status Application::BuildNetwork() {
    for (const auto& def : config_.tomes) {
        auto tome = std::make_shared<Tome>(def);
        if (auto st = tomes_.Add(tome); !st.ok()) return st;
        RegisterComponent(def);
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

void Application::RegisterComponent(const TomeDefinition& def) {
    robotcopy::ComponentInfo info;
    info.id = def.id;
    info.type = "tome";
    for (const auto& [name, state] : def.states)
        for (const auto& [ev, t] : state.on) info.capabilities.push_back(ev);
    info.version = "1";
    (void)robot_copy_->components().Register(std::move(info));
}

Status Application::Start() {
    if (auto st = server_->Start(); !st.ok()) {
        log_->Error("Server failed to start", {{"error.message", st.message()}});
        return st;
    }
    health_monitor_->Start();
    if (state_writer_) state_writer_->Start();
    if (console_) {
        // Alerts link back to the console's pages (generatorURL, the webhook's externalURL).
        std::string url = ConsoleUrl();
        if (url.ends_with('/')) url.pop_back();
        console_->SetExternalUrl(std::move(url));
        for (const auto& warning : console_->warnings()) log_->Warn("Console", {{"warning", warning}});
    }
    const std::string& host = config_.server.address;
    const bool loopback = host == "127.0.0.1" || host == "::1" || host == "localhost" || host.starts_with("127.");
    if (!auth_->enabled() && !loopback) {
        log_->Warn("No tokens configured: anyone who can reach this address can change the network",
                   {{"server.address", host},
                    {"tome.security.hint", "add security.tokens to the config, or bind to 127.0.0.1"}});
    }
    const std::int64_t port = server_->port();
    log_->Info("Server started", {{"server.address", config_.server.address},
                                  {"server.port", port},
                                  {"deployment.environment.name", config_.environment},
                                  {"tome.count", static_cast<std::int64_t>(tomes_.size())}});
    return Status::Ok();
}

Application::ShutdownReport Application::Shutdown(std::chrono::milliseconds deadline) {
    if (shut_down_) return shutdown_report_;
    shut_down_ = true;
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto left_until = [](Clock::time_point end) {
        return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()),
                        std::chrono::milliseconds(1));
    };
    ShutdownReport report;
    report.requests_finished = server_->Shutdown(deadline / 2);
    health_monitor_->Shutdown();
    if (state_writer_) state_writer_->Shutdown();  // the last states, after the last requests
    log_->Info("Server stopped", {{"tome.shutdown.clean", report.requests_finished}});
    // Export what the last requests recorded, then stop the console (a local store: quick),
    // all within the deadline, so that a dead or black-holed collector cannot hold exit.
    report.telemetry_flushed = telemetry_->Shutdown(left_until(start + deadline * 9 / 10));
    report.telemetry = telemetry_->Stats();
    if (console_) console_->Shutdown(left_until(start + deadline));
    report.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    shutdown_report_ = report;
    return report;
}

std::string Application::ShutdownReport::Describe() const {
    std::ostringstream out;
    out << "stopped in " << std::fixed << std::setprecision(1) << took.count() / 1000.0 << " s";
    if (!requests_finished) out << " (some requests did not finish in time)";
    const facade::TelemetryStats& t = telemetry;
    out << "; telemetry at exit: " << t.spans_exported << " spans exported, " << t.spans_dropped
        << " dropped (" << t.spans_dropped_queue_full << " queue full, "
        << t.spans_dropped_export_failed << " export failed, " << t.spans_dropped_shutdown
        << " at shutdown";
    if (t.spans_dropped_persistent_queue_full > 0) {
        out << ", " << t.spans_dropped_persistent_queue_full << " persistent queue full";
    }
    out << "), ";
    if (t.persistent_queue) {
        out << t.persistent_queue_spans << " spans kept in the persistent queue for the next start, ";
    }
    out << t.logs_exported << " log records exported, " << t.logs_dropped << " dropped";
    if (!telemetry_flushed) out << "; not everything was exported before the deadline";
    return out.str();
}

}  // namespace tome::app
