// Application: builds every layer from an AppConfig and owns them for the life of the
// process: telemetry (tome::Telemetry), tomes, toggles, RobotCopy, the connector, the health
// monitor, the API and the server. Member order is lifetime order (later members use earlier ones).
#pragma once

#include <memory>

#include "config.hpp"
#include "tome/api/proxy.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/robotcopy/health_monitor.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/server/http_server.hpp"
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
    /// Stops accepting, finishes requests in flight (up to `grace`), stops the health monitor.
    bool Shutdown(std::chrono::milliseconds grace);

    const AppConfig& config() const { return config_; }
    const TomeRegistry& tomes() const { return tomes_; }
    connector::Connector& connector() { return *connector_; }
    facade::Telemetry& telemetry() { return *telemetry_; }

private:
    Application(AppConfig config, std::unique_ptr<facade::Telemetry> telemetry);
    Status BuildNetwork();

    AppConfig config_;
    std::unique_ptr<facade::Telemetry> telemetry_;
    std::shared_ptr<telemetry::logs::Logger> log_;
    TomeRegistry tomes_;
    FeatureToggles toggles_;
    std::unique_ptr<robotcopy::RobotCopy> robot_copy_;
    std::unique_ptr<connector::Connector> connector_;
    std::unique_ptr<robotcopy::HealthMonitor> health_monitor_;
    std::unique_ptr<api::Proxy> proxy_;
    std::unique_ptr<server::HttpServer> server_;
    bool shut_down_ = false;  // Shutdown() ran (it is idempotent; the destructor calls it)
    bool shutdown_clean_ = true;
};

}  // namespace tome::app
