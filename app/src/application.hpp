// Application: builds every layer from an AppConfig and owns them for the life of the
// process: telemetry (tome::Telemetry), tomes, toggles, RobotCopy, the connector, the health
// monitor, the API and the server. Member order is lifetime order (later members use earlier ones).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "config.hpp"
#include "tome/api/proxy.hpp"
#include "tome/console/console.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/robotcopy/health_monitor.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/server/http_server.hpp"
#include "tome/storage/network_store.hpp"
#include "tome/storage/restore.hpp"
#include "tome/storage/state_writer.hpp"
#include "tome/facade/telemetry.hpp"
#include "tome/telemetry/logs/logger.hpp"

namespace tome::app {

class Application {
public:
    /// Builds tome::Telemetry from config.telemetry and config.logging under the OTEL_*
    /// environment (`env`, which wins), installs its providers as the global ones, then the
    /// layers and the configured network; the Proxy is instrumented with the facade's
    /// providers and request instrumentation. Fails with the variable's name on a bad OTEL_*
    /// value, naming the header and variable when a telemetry header's ${NAME} is unset, and
    /// with file:line when the network in the config cannot be built.
    static Result<std::unique_ptr<Application>> Create(AppConfig config, const EnvLookup& env);
    ~Application();

    /// Binds the server and starts the health monitor.
    Status Start();
    unsigned short port() const { return server_->port(); }
    /// What Shutdown did, for the process's last lines.
    struct ShutdownReport {
        bool requests_finished = true;   ///< Every request in flight got its answer in time.
        bool telemetry_flushed = true;   ///< Every queued span, record and metric was exported.
        std::chrono::milliseconds took{0};
        facade::TelemetryStats telemetry;  ///< Counts after the last export (drops included).
        /// One line: "stopped in 1.2 s; telemetry at exit: 10 spans exported, 3 dropped (...)".
        std::string Describe() const;
    };
    /// Stops within `deadline` in all: stops accepting and lets requests in flight finish (up
    /// to half the deadline), stops the health monitor, exports what the telemetry queues hold
    /// until 90% of the deadline has passed (what is left then is counted as dropped at
    /// shutdown) and stops the console. An endpoint that never answers cannot make it late: the
    /// exporters abort their requests at their deadline. Idempotent: later calls return the
    /// first report.
    ShutdownReport Shutdown(std::chrono::milliseconds deadline);

    const AppConfig& config() const { return config_; }
    const TomeRegistry& tomes() const { return tomes_; }
    TomeRegistry& tomes() { return tomes_; }
    /// The HTTP API (routes of the application's own are added to it before Start).
    api::Proxy& proxy() { return *proxy_; }
    connector::Connector& connector() { return *connector_; }
    facade::Telemetry& telemetry() { return *telemetry_; }
    /// The store of the network and the audit trail; null when storage is off.
    storage::NetworkStore* store() { return store_.get(); }
    /// The embedded console; null when console.enabled is false.
    console::Console* console() { return console_.get(); }
    /// What to open in a browser ("http://localhost:3000/"), or "" without a console; a
    /// wildcard bind address is shown as localhost.
    std::string ConsoleUrl() const;

private:
    /// Sends the console's paths to the console and everything else to the Proxy.
    /// The console's data paths are checked against the tokens first (the Proxy checks its own).
    class Routes final : public api::RequestHandler {
    public:
        Routes(console::Console* console, api::Proxy& proxy, const api::Authenticator& auth)
            : console_(console), proxy_(proxy), auth_(auth) {}
        api::HttpResponse Handle(const api::HttpRequest& request) noexcept override;

    private:
        api::HttpResponse Route(const api::HttpRequest& request) noexcept;
        static api::HttpResponse InternalError();
        console::Console* const console_;
        api::Proxy& proxy_;
        const api::Authenticator& auth_;
    };

    Application(AppConfig config, std::unique_ptr<console::Console> console,
                std::unique_ptr<facade::Telemetry> telemetry,
                std::unique_ptr<storage::NetworkStore> store,
                std::shared_ptr<const api::Authenticator> auth);
    Status BuildNetwork();
    /// Puts the store's network on top of the config's and starts writing tome states behind.
    Status RestoreFromStore();
    /// Registers a tome with RobotCopy's component registry.
    void RegisterComponent(const TomeDefinition& definition);
    nlohmann::json NetworkJson() const;

    AppConfig config_;
    // No tokens = auth off. Shared with the console's OTLP/gRPC receiver.
    const std::shared_ptr<const api::Authenticator> auth_;
    // The console outlives the telemetry: the SDK's tees hand it spans and records until the
    // facade shuts down.
    std::unique_ptr<console::Console> console_;
    std::unique_ptr<facade::Telemetry> telemetry_;
    std::shared_ptr<telemetry::logs::Logger> log_;
    std::unique_ptr<storage::NetworkStore> store_;  // null when storage is off
    TomeRegistry tomes_;
    FeatureToggles toggles_;
    std::unique_ptr<robotcopy::RobotCopy> robot_copy_;
    std::unique_ptr<connector::Connector> connector_;
    std::unique_ptr<robotcopy::HealthMonitor> health_monitor_;
    std::unique_ptr<storage::StateWriter> state_writer_;  // with store_
    std::unique_ptr<api::Proxy> proxy_;
    std::unique_ptr<Routes> routes_;
    std::unique_ptr<server::HttpServer> server_;
    // Observable instruments over the server (the TLS handshake failures); before server_ dies.
    std::vector<telemetry::metrics::ObservableInstrument> self_metrics_;
    bool shut_down_ = false;  // Shutdown() ran (it is idempotent; the destructor calls it)
    ShutdownReport shutdown_report_;
};

}  // namespace tome::app
