// Application: builds every layer from an AppConfig and owns them for the life of the
// process: tomes, toggles, RobotCopy, the connector, the health monitor, the API and the
// server. Member order is lifetime order (later members use earlier ones).
#pragma once

#include <memory>

#include "config.hpp"
#include "tome/api/proxy.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/robotcopy/health_monitor.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/server/http_server.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/periodic_reader.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/trace/propagation.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::app {

class Application {
public:
    /// The telemetry SDK this process runs with (from the OTEL_* environment).
    struct Telemetry {
        std::shared_ptr<telemetry::trace::TracerProvider> provider;
        std::unique_ptr<telemetry::trace::TextMapPropagator> propagator;
        std::shared_ptr<telemetry::metrics::MeterProvider> meters;
        std::shared_ptr<telemetry::metrics::MetricReader> scrape_reader;  ///< GET /metrics.
        /// The SDK's own counts published as otel.sdk.* (kept registered while alive).
        std::vector<telemetry::metrics::ObservableInstrument> self_metrics;
        std::shared_ptr<telemetry::logs::LoggerProvider> logs;
        /// otel.sdk.* counts of log records; declared after `logs`, so they are unregistered
        /// before the processors they read go away.
        std::vector<telemetry::metrics::ObservableInstrument> log_metrics;
        /// OTLP push of metrics, one periodic reader per configured exporter.
        std::vector<std::unique_ptr<telemetry::metrics::PeriodicExportingMetricReader>> metric_push;
    };

    /// Builds telemetry from the OTEL_* environment (`env`), the layers and the configured
    /// network. Fails with the variable's name on a bad OTEL_* value, and with file:line when
    /// the network in the config cannot be built (unknown tome, duplicate connection).
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

private:
    Application(AppConfig config, Telemetry telemetry);
    Status BuildNetwork();

    AppConfig config_;
    Telemetry telemetry_;
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
