// AppConfig: everything `tome serve` needs, loaded from one YAML file (a shared `network`
// section plus `development`, `staging` and `production` blocks selected by TOME_ENV) with
// environment variables overriding the file. Loading is pure: the environment is passed in
// (and is not used to expand telemetry header values: tome::Telemetry does that at start).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tome/api/proxy.hpp"
#include "tome/connector/connector.hpp"
#include "tome/console/console.hpp"
#include "tome/core/status.hpp"
#include "tome/core/tome_definition.hpp"
#include "tome/robotcopy/health_monitor.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/server/http_server.hpp"
#include "tome/storage/network_store.hpp"
#include "tome/storage/state_writer.hpp"
#include "tome/facade/telemetry_config.hpp"

namespace tome::app {

struct ConnectionSpec {
    std::string source;
    std::string target;
    Json config = Json::object();
    int line = 0;  ///< Line in the config file, for error messages.
};

/// A tome that lives in another tome process, reached over HTTP.
struct RemoteTomeSpec {
    std::string id;
    std::string endpoint;  ///< "http://host:port" of the other tome server.
    int line = 0;
};

/// Structured logs: one JSON object per line on stdout, at or above `level`.
struct LoggingConfig {
    std::string level = "info";  ///< trace, debug, info, warn, error, fatal.
    bool console = true;         ///< JSON lines on stdout.
};

/// The block's `storage`: where tome keeps its network, the state of its tomes and the audit
/// trail across restarts. TOME_DATA_DIR=<dir> turns it on with <dir>/tome.db.
struct StorageConfig {
    bool enabled = false;                  ///< Off when the block has no `storage`.
    storage::NetworkStoreOptions store;    ///< path (relative to the working directory), auditMaxRecords.
    storage::StateWriterOptions state;     ///< stateFlushMs.
};

/// A secret from the config file: the value (after ${NAME} expansion) and its line.
struct SecretValue {
    std::string value;
    int line = 0;
};

struct TokenSpec {
    std::string name;
    SecretValue token;
    std::uint8_t scopes = 0;  ///< Bits of api::Scope.
    int line = 0;
};

/// The block's `security`: bearer tokens (none = auth off) and the token this process presents
/// to the remote tomes it forwards to (`remoteToken`).
struct SecurityConfig {
    std::vector<TokenSpec> tokens;
    SecretValue remote_token;
    /// https:// calls to remote tomes and backends: the CAs to trust, our client certificate.
    robotcopy::ClientTlsOptions outbound_tls;
};

struct AppConfig {
    std::string file;
    std::string environment = "development";
    server::HttpServerOptions server;
    /// From SIGTERM to exit, all included (`server.shutdownTimeoutMs`): requests in flight get up
    /// to half of it, telemetry export what is left. Default 15 s; 100 ms to 10 min.
    std::chrono::milliseconds shutdown_timeout{15000};
    api::ProxyOptions proxy;
    connector::ConnectorOptions connector;
    robotcopy::RobotCopyOptions robot_copy;
    robotcopy::HealthMonitorOptions health;
    std::map<std::string, bool> toggles;
    LoggingConfig logging;
    std::vector<TomeDefinition> tomes;
    /// The file's `telemetry` block (endpoint, headers with their ${NAME} references left
    /// unexpanded, samplingRate, batch sizes, `sampling` = tail sampling, ...), plus the
    /// service name (telemetry.serviceName, else robotcopy.serviceName), version and
    /// environment. Application::Create adds `logging` and builds tome::Telemetry from it; the
    /// standard OTEL_* variables win over it there.
    facade::TelemetryConfig telemetry;
    /// The embedded console (store, OTLP receiver, query APIs, UI): the block's `console`.
    console::ConsoleOptions console;
    StorageConfig storage;
    SecurityConfig security;
    std::vector<RemoteTomeSpec> remote_tomes;
    std::vector<ConnectionSpec> connections;
};

/// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

/// Loads `path` for the environment named by TOME_ENV (default "development"), then applies
/// the environment overrides (README lists them). Errors read "FILE:LINE: what is wrong".
Result<AppConfig> LoadConfig(const std::string& path, const EnvLookup& env);

/// The config file used when none is given: $TOME_CONFIG, else ./config/tome.yaml, else the
/// one in the source tree this binary was built from.
std::string DefaultConfigPath(const EnvLookup& env);

}  // namespace tome::app
