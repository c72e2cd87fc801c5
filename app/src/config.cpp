#include "config.hpp"

#include "alert_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tome/core/feature_toggles.hpp"
#include "tome/core/json_text.hpp"
#include "tome/core/yaml_json.hpp"
#include "tome/telemetry/export/persistent_queue.hpp"
#include "tome/telemetry/logs/log_record.hpp"

#ifndef TOME_SOURCE_CONFIG
#define TOME_SOURCE_CONFIG "config/tome.yaml"
#endif

namespace tome::app {
namespace {

// Reads typed values from YAML nodes; the first problem becomes an error "FILE:LINE: ...".
class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    Status Fail(const YAML::Node& at, const std::string& what) const {
        return InvalidArgument(file_ + ":" + std::to_string(at.Mark().line + 1) + ": " + what);
    }

    Status CheckKeys(const YAML::Node& map, const std::string& where,
                     const std::set<std::string>& allowed) const {
        if (!map.IsMap()) return Fail(map, where + " must be a mapping");
        for (const auto& kv : map) {
            const auto key = kv.first.as<std::string>();
            if (!allowed.count(key)) {
                std::string list;
                for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                return Fail(kv.first, "unknown key '" + where + "." + key + "' (expected one of: " +
                                          list + ")");
            }
        }
        return Status::Ok();
    }

    template <typename Int>
    Status ReadInt(const YAML::Node& map, const char* key, const std::string& where, long long min,
                   long long max, Int& out) const {
        const YAML::Node n = map[key];
        if (!n) return Status::Ok();
        long long v = 0;
        try {
            v = n.as<long long>();
        } catch (const YAML::Exception&) {
            return Fail(n, where + "." + key + " must be an integer");
        }
        if (v < min || v > max) {
            return Fail(n, where + "." + key + " must be between " + std::to_string(min) + " and " +
                               std::to_string(max) + ", got " + std::to_string(v));
        }
        out = static_cast<Int>(v);
        return Status::Ok();
    }

    Status ReadMillis(const YAML::Node& map, const char* key, const std::string& where,
                      std::chrono::milliseconds& out, long long min = 1,
                      long long max = 86'400'000LL) const {
        long long v = out.count();
        if (auto st = ReadInt(map, key, where, min, max, v); !st.ok()) return st;
        out = std::chrono::milliseconds(v);
        return Status::Ok();
    }

    Status ReadBool(const YAML::Node& map, const char* key, const std::string& where, bool& out) const {
        const YAML::Node n = map[key];
        if (!n) return Status::Ok();
        auto b = ParseBool(n.IsScalar() ? n.Scalar() : "");
        if (!b.ok()) return Fail(n, where + "." + key + " must be true or false");
        out = *b;
        return Status::Ok();
    }

    Status ReadString(const YAML::Node& map, const char* key, const std::string& where,
                      std::string& out) const {
        const YAML::Node n = map[key];
        if (!n) return Status::Ok();
        if (!n.IsScalar() || n.Scalar().empty()) {
            return Fail(n, where + "." + key + " must be a non-empty string");
        }
        out = n.Scalar();
        return Status::Ok();
    }

    const std::string& file() const { return file_; }

private:
    std::string file_;
};

#define TOME_TRY(expr)                 \
    do {                               \
        if (auto _st = (expr); !_st.ok()) return _st; \
    } while (0)

bool IsLogLevel(const std::string& level) {
    return telemetry::logs::SeverityFromLevelName(level).has_value();
}

// `telemetry.sampling`: tail sampling options, validated by ParseTailSamplingOptions one key
// (and one custom rule) at a time so that an error names the line it is on. Read after the
// block's samplingRate, which normalSamplingRate defaults to.
Status ReadSampling(const Reader& r, const YAML::Node& s, const std::string& w, AppConfig& c) {
    namespace trace = telemetry::trace;
    TOME_TRY(r.CheckKeys(s, w, {"errorSamplingRate", "normalSamplingRate",
                                "highValueSamplingRate", "latencyThresholdMs", "customRules",
                                "maxTraces", "maxSpansPerTrace", "decisionTimeoutMs",
                                "keptCacheSize"}));
    Json all = Json::object();
    for (const auto& kv : s) {
        const std::string key = kv.first.as<std::string>();
        const YAML::Node value = kv.second;
        if (key == "customRules") {
            if (!value.IsSequence()) {
                return r.Fail(value, w + ".customRules must be a list of {condition, rate}");
            }
            for (std::size_t i = 0; i < value.size(); ++i) {
                Json one = Json::object();
                one[key] = Json::array({YamlToJson(value[i])});
                auto parsed = trace::ParseTailSamplingOptions(JsonText(one));
                if (!parsed.ok()) {
                    std::string what = parsed.message();
                    const std::string index0 = "customRules[0]";
                    if (auto at = what.find(index0); at != std::string::npos) {
                        what.replace(at, index0.size(),
                                     "customRules[" + std::to_string(i) + "]");
                    }
                    return r.Fail(value[i], w + ": " + what);
                }
            }
        } else {
            Json one = Json::object();
            one[key] = YamlToJson(value);
            auto parsed = trace::ParseTailSamplingOptions(JsonText(one));
            if (!parsed.ok()) return r.Fail(value, w + ": " + parsed.message());
        }
        all[key] = YamlToJson(value);
    }
    // The block's samplingRate is the rate of normal traces unless the sampling block says
    // otherwise: one number per environment (1.0 / 0.5 / 0.1), never a dead key.
    if (!all.contains("normalSamplingRate")) all["normalSamplingRate"] = c.telemetry.sampling_rate;
    auto parsed = trace::ParseTailSamplingOptions(JsonText(all));
    if (!parsed.ok()) return r.Fail(s, w + ": " + parsed.message());
    c.telemetry.tail_sampling = std::move(parsed).value();
    return Status::Ok();
}

// The telemetry block: tome::Telemetry's config. Keys that have no field of their own
// (exporter, timeoutMs, certificate, propagators) are kept as the OTEL_* defaults they stand for.
Status ReadTelemetry(const Reader& r, const YAML::Node& t, const std::string& w, AppConfig& c,
                     bool& service_name_set) {
    static const std::map<std::string, std::string> kOtelKeys = {
        {"exporter", "OTEL_TRACES_EXPORTER"},
        {"timeoutMs", "OTEL_EXPORTER_OTLP_TIMEOUT"},
        {"certificate", "OTEL_EXPORTER_OTLP_CERTIFICATE"},
        {"propagators", "OTEL_PROPAGATORS"},
    };
    std::set<std::string> allowed = {
        "enabled",          "headers",        "sampling",           "endpoint",
        "protocol",         "compression",    "sampler",            "samplingRate",
        "maxQueueSize",     "maxExportBatchSize", "scheduledDelayMs", "exportTimeoutMs",
        "serviceName",      "enableMetrics",  "enableLogs",         "metricExportIntervalMs",
        "persistentQueue"};
    for (const auto& [k, v] : kOtelKeys) allowed.insert(k);
    TOME_TRY(r.CheckKeys(t, w, allowed));
    facade::TelemetryConfig& tc = c.telemetry;
    for (const auto& [key, var] : kOtelKeys) {
        const YAML::Node n = t[key];
        if (!n) continue;
        if (!n.IsScalar()) return r.Fail(n, w + "." + key + " must be a single value (" + var + ")");
        tc.otel[var] = n.Scalar();
    }
    TOME_TRY(r.ReadBool(t, "enabled", w, tc.enabled));
    TOME_TRY(r.ReadBool(t, "enableMetrics", w, tc.enable_metrics));
    TOME_TRY(r.ReadBool(t, "enableLogs", w, tc.enable_logs));
    TOME_TRY(r.ReadString(t, "endpoint", w, tc.endpoint));
    TOME_TRY(r.ReadString(t, "protocol", w, tc.protocol));
    TOME_TRY(r.ReadString(t, "compression", w, tc.compression));
    TOME_TRY(r.ReadString(t, "sampler", w, tc.sampler));
    if (t["serviceName"]) {
        TOME_TRY(r.ReadString(t, "serviceName", w, tc.service_name));
        service_name_set = true;
    }
    if (auto n = t["samplingRate"]) {
        double rate = 0;
        try {
            rate = n.as<double>();
        } catch (const YAML::Exception&) {
            return r.Fail(n, w + ".samplingRate must be a number between 0 and 1");
        }
        if (!(rate >= 0.0 && rate <= 1.0)) {
            return r.Fail(n, w + ".samplingRate must be between 0 and 1, got " + n.Scalar());
        }
        tc.sampling_rate = rate;
    }
    TOME_TRY(r.ReadInt(t, "maxQueueSize", w, 1, 10'000'000, tc.max_queue_size));
    TOME_TRY(r.ReadInt(t, "maxExportBatchSize", w, 1, 10'000'000, tc.max_export_batch_size));
    TOME_TRY(r.ReadMillis(t, "scheduledDelayMs", w, tc.scheduled_delay));
    TOME_TRY(r.ReadMillis(t, "exportTimeoutMs", w, tc.export_timeout));
    TOME_TRY(r.ReadMillis(t, "metricExportIntervalMs", w, tc.metric_export_interval));
    if (auto h = t["headers"]) {
        if (!h.IsMap()) return r.Fail(h, w + ".headers must map a header name to a value");
        tc.headers.clear();
        // Values stay as written ("Bearer ${API_KEY}"): tome::Telemetry expands them at start.
        for (const auto& kv : h) {
            if (!kv.second.IsScalar()) {
                return r.Fail(kv.second, w + ".headers." + kv.first.as<std::string>() +
                                             " must be a single value");
            }
            tc.headers[kv.first.as<std::string>()] = kv.second.Scalar();
        }
    }
    if (auto s = t["sampling"]) TOME_TRY(ReadSampling(r, s, w + ".sampling", c));
    if (auto q = t["persistentQueue"]) {
        const std::string wq = w + ".persistentQueue";
        if (!q.IsMap()) return r.Fail(q, wq + " must be a map {dir, maxBytes}");
        TOME_TRY(r.CheckKeys(q, wq, {"dir", "maxBytes"}));
        facade::TelemetryConfig::PersistentQueue pq;
        TOME_TRY(r.ReadString(q, "dir", wq, pq.dir));
        if (pq.dir.empty()) return r.Fail(q, wq + ".dir must name a directory");
        namespace ex = telemetry::exporter;
        TOME_TRY(r.ReadInt(q, "maxBytes", wq, static_cast<long long>(ex::kMinPersistentQueueBytes),
                           static_cast<long long>(ex::kMaxPersistentQueueBytes), pq.max_bytes));
        tc.persistent_queue = std::move(pq);
    }
    if (auto st = facade::Validate(tc); !st.ok()) return r.Fail(t, w + ": " + st.message());
    return Status::Ok();
}

// `security`: bearer tokens ({name, token, scopes}) and the token this process presents to
// remote tomes. Token values may be "${NAME}" (expanded by ExpandSecrets, after loading).
Status ReadSecurity(const Reader& r, const YAML::Node& s, const std::string& w, SecurityConfig& out) {
    TOME_TRY(r.CheckKeys(s, w, {"tokens", "remoteToken", "outboundTls"}));
    if (auto t = s["outboundTls"]) {
        const std::string wt = w + ".outboundTls";
        TOME_TRY(r.CheckKeys(t, wt, {"caFile", "certFile", "keyFile"}));
        TOME_TRY(r.ReadString(t, "caFile", wt, out.outbound_tls.ca_file));
        TOME_TRY(r.ReadString(t, "certFile", wt, out.outbound_tls.cert_file));
        TOME_TRY(r.ReadString(t, "keyFile", wt, out.outbound_tls.key_file));
        if (out.outbound_tls.cert_file.empty() != out.outbound_tls.key_file.empty()) {
            return r.Fail(t, wt + ": certFile and keyFile go together");
        }
    }
    if (auto remote = s["remoteToken"]) {
        TOME_TRY(r.ReadString(s, "remoteToken", w, out.remote_token.value));
        out.remote_token.line = remote.Mark().line + 1;
    }
    const YAML::Node tokens = s["tokens"];
    if (!tokens) return Status::Ok();
    if (!tokens.IsSequence()) return r.Fail(tokens, w + ".tokens must be a list of {name, token, scopes}");
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const YAML::Node t = tokens[i];
        const std::string at = w + ".tokens[" + std::to_string(i) + "]";
        TOME_TRY(r.CheckKeys(t, at, {"name", "token", "scopes"}));
        TokenSpec spec;
        spec.line = t.Mark().line + 1;
        TOME_TRY(r.ReadString(t, "name", at, spec.name));
        if (spec.name.empty()) return r.Fail(t, at + ".name is required");
        TOME_TRY(r.ReadString(t, "token", at, spec.token.value));
        if (spec.token.value.empty()) return r.Fail(t, at + ".token is required (a secret, or ${ENV_VAR})");
        spec.token.line = spec.line;
        const YAML::Node scopes = t["scopes"];
        if (!scopes || !scopes.IsSequence() || scopes.size() == 0) {
            return r.Fail(scopes ? scopes : t, at + ".scopes must be a non-empty list of read, write, admin, "
                                                    "ingest, remote");
        }
        for (const auto& scope : scopes) {
            auto parsed = api::ParseScope(scope.IsScalar() ? scope.Scalar() : std::string());
            if (!parsed.ok()) return r.Fail(scope, at + ".scopes: " + parsed.status().message());
            spec.scopes |= static_cast<std::uint8_t>(*parsed);
        }
        out.tokens.push_back(std::move(spec));
    }
    return Status::Ok();
}

// Expands "${NAME}" token values from the environment; an unset or empty variable is an error
// that names the variable and the line, never a value.
Status ExpandSecrets(const std::string& file, const EnvLookup& env, SecurityConfig& security) {
    const auto expand = [&](SecretValue& secret, const std::string& what) -> Status {
        const std::string& v = secret.value;
        if (v.size() < 4 || !v.starts_with("${") || !v.ends_with("}")) return Status::Ok();
        const std::string name = v.substr(2, v.size() - 3);
        auto value = env(name);
        if (!value || value->empty()) {
            return InvalidArgument(file + ":" + std::to_string(secret.line) + ": " + what + ": ${" + name +
                                   "} is not set in the environment");
        }
        secret.value = *value;
        return Status::Ok();
    };
    for (auto& t : security.tokens) TOME_TRY(expand(t.token, "security token '" + t.name + "'"));
    return expand(security.remote_token, "security.remoteToken");
}

Status ReadBlock(const Reader& r, const YAML::Node& block, const std::string& env, AppConfig& c,
                 bool& service_name_set) {
    TOME_TRY(r.CheckKeys(block, env, {"server", "rateLimit", "cors", "toggles", "connector",
                                      "robotcopy", "telemetry", "logging", "console", "alerts",
                                      "storage", "security"}));
    if (auto sec = block["security"]) TOME_TRY(ReadSecurity(r, sec, env + ".security", c.security));
    if (auto s = block["storage"]) {
        const std::string w = env + ".storage";
        auto& o = c.storage;
        TOME_TRY(r.CheckKeys(s, w, {"enabled", "path", "stateFlushMs", "auditMaxRecords"}));
        o.enabled = true;  // a `storage` block turns it on unless it says enabled: false
        TOME_TRY(r.ReadBool(s, "enabled", w, o.enabled));
        TOME_TRY(r.ReadString(s, "path", w, o.store.path));
        if (o.enabled && o.store.path.empty()) {
            return r.Fail(s, w + ".path is required (the database file, e.g. data/tome.db)");
        }
        TOME_TRY(r.ReadMillis(s, "stateFlushMs", w, o.state.interval, storage::kMinStateFlushInterval.count(),
                              storage::kMaxStateFlushInterval.count()));
        TOME_TRY(r.ReadInt(s, "auditMaxRecords", w, static_cast<long long>(storage::kMinAuditRecords),
                           static_cast<long long>(storage::kMaxAuditRecords), o.store.max_audit_records));
    }
    if (auto a = block["alerts"]) TOME_TRY(ReadAlertsBlock(r.file(), a, env + ".alerts", c.console.alerting));
    if (auto s = block["console"]) {
        const std::string w = env + ".console";
        auto& o = c.console;
        TOME_TRY(r.CheckKeys(s, w, {"enabled", "maxBytes", "ingestQueueBytes", "metricIntervalMs",
                                    "otlpMaxRequestBytes", "pairingWaitMs", "trackRunningSpans",
                                    "otlpGrpcPort"}));
        TOME_TRY(r.ReadInt(s, "otlpGrpcPort", w, 0, 65535, o.otlp_grpc_port));
        TOME_TRY(r.ReadBool(s, "enabled", w, o.enabled));
        TOME_TRY(r.ReadInt(s, "maxBytes", w, 4LL << 20, 1LL << 40, o.max_bytes));
        TOME_TRY(r.ReadInt(s, "ingestQueueBytes", w, 0, 1LL << 34, o.ingest_queue_bytes));
        TOME_TRY(r.ReadMillis(s, "metricIntervalMs", w, o.metric_interval));
        if (o.metric_interval < std::chrono::milliseconds(100)) {
            return r.Fail(s["metricIntervalMs"], w + ".metricIntervalMs must be at least 100");
        }
        TOME_TRY(r.ReadInt(s, "otlpMaxRequestBytes", w, 1024, 1LL << 30, o.otlp_max_request_bytes));
        o.otlp_max_decompressed_bytes = std::max(o.otlp_max_decompressed_bytes, o.otlp_max_request_bytes);
        TOME_TRY(r.ReadMillis(s, "pairingWaitMs", w, o.pairing_wait));
        TOME_TRY(r.ReadBool(s, "trackRunningSpans", w, o.track_running_spans));
    }
    if (auto l = block["logging"]) {
        const std::string w = env + ".logging";
        TOME_TRY(r.CheckKeys(l, w, {"level", "console"}));
        TOME_TRY(r.ReadString(l, "level", w, c.logging.level));
        if (!IsLogLevel(c.logging.level)) {
            return r.Fail(l["level"], w + ".level must be one of trace, debug, info, warn, error, fatal");
        }
        TOME_TRY(r.ReadBool(l, "console", w, c.logging.console));
    }
    if (auto t = block["telemetry"]) {
        TOME_TRY(ReadTelemetry(r, t, env + ".telemetry", c, service_name_set));
    }
    if (auto s = block["server"]) {
        const std::string w = env + ".server";
        TOME_TRY(r.CheckKeys(s, w, {"host", "port", "workers", "maxBodyBytes", "idleTimeoutMs",
                                    "readTimeoutMs", "maxConnections", "shutdownTimeoutMs", "tls"}));
        if (auto t = s["tls"]) {
            const std::string wt = w + ".tls";
            TOME_TRY(r.CheckKeys(t, wt, {"certFile", "keyFile", "clientCaFile"}));
            server::TlsServerOptions tls;
            TOME_TRY(r.ReadString(t, "certFile", wt, tls.cert_file));
            TOME_TRY(r.ReadString(t, "keyFile", wt, tls.key_file));
            TOME_TRY(r.ReadString(t, "clientCaFile", wt, tls.client_ca_file));
            if (tls.cert_file.empty() || tls.key_file.empty()) {
                return r.Fail(t, wt + " needs certFile and keyFile (PEM files)");
            }
            c.server.tls = std::move(tls);
        }
        TOME_TRY(r.ReadString(s, "host", w, c.server.address));
        TOME_TRY(r.ReadInt(s, "port", w, 0, 65535, c.server.port));
        TOME_TRY(r.ReadInt(s, "workers", w, 1, 256, c.server.worker_threads));
        TOME_TRY(r.ReadInt(s, "maxBodyBytes", w, 1, 1LL << 30, c.server.max_body_bytes));
        TOME_TRY(r.ReadMillis(s, "idleTimeoutMs", w, c.server.idle_timeout));
        TOME_TRY(r.ReadMillis(s, "readTimeoutMs", w, c.server.read_timeout));
        TOME_TRY(r.ReadInt(s, "maxConnections", w, 1, 1'000'000, c.server.max_connections));
        TOME_TRY(r.ReadMillis(s, "shutdownTimeoutMs", w, c.shutdown_timeout, 100, 600'000));
    }
    if (auto s = block["rateLimit"]) {
        const std::string w = env + ".rateLimit";
        TOME_TRY(r.CheckKeys(s, w, {"enabled", "windowMs", "maxRequests", "maxClients"}));
        TOME_TRY(r.ReadBool(s, "enabled", w, c.proxy.rate_limit.enabled));
        TOME_TRY(r.ReadMillis(s, "windowMs", w, c.proxy.rate_limit.window));
        TOME_TRY(r.ReadInt(s, "maxRequests", w, 1, 1'000'000'000, c.proxy.rate_limit.max_requests));
        TOME_TRY(r.ReadInt(s, "maxClients", w, 1, 100'000'000, c.proxy.rate_limit.max_clients));
    }
    if (auto s = block["cors"]) {
        const std::string w = env + ".cors";
        TOME_TRY(r.CheckKeys(s, w, {"origins", "maxAgeSeconds"}));
        if (auto o = s["origins"]) {
            if (!o.IsSequence()) return r.Fail(o, w + ".origins must be a list of origins");
            c.proxy.cors.allowed_origins.clear();
            for (const auto& item : o) c.proxy.cors.allowed_origins.push_back(item.as<std::string>());
        }
        TOME_TRY(r.ReadInt(s, "maxAgeSeconds", w, 0, 86400, c.proxy.cors.max_age_seconds));
    }
    if (auto s = block["toggles"]) {
        if (!s.IsMap()) return r.Fail(s, env + ".toggles must be a mapping of name: true|false");
        for (const auto& kv : s) {
            bool v = false;
            YAML::Node holder;
            holder[kv.first.as<std::string>()] = kv.second;
            TOME_TRY(r.ReadBool(holder, kv.first.as<std::string>().c_str(), env + ".toggles", v));
            c.toggles[kv.first.as<std::string>()] = v;
        }
    }
    if (auto s = block["connector"]) {
        const std::string w = env + ".connector";
        TOME_TRY(r.CheckKeys(s, w, {"hopLimit", "maxFanOut", "maxAmplification", "degradedAfterMs",
                                    "healthCheckIntervalMs", "maxConnections", "remote"}));
        TOME_TRY(r.ReadInt(s, "hopLimit", w, 1, 1024, c.connector.hop_limit));
        TOME_TRY(r.ReadInt(s, "maxFanOut", w, 1, 100000, c.connector.max_fan_out));
        TOME_TRY(r.ReadInt(s, "maxAmplification", w, 1, 100000, c.connector.max_amplification));
        TOME_TRY(r.ReadMillis(s, "degradedAfterMs", w, c.connector.degraded_after));
        TOME_TRY(r.ReadMillis(s, "healthCheckIntervalMs", w, c.health.interval));
        TOME_TRY(r.ReadInt(s, "maxConnections", w, 1, 10'000'000, c.connector.max_connections));
        if (auto remote = s["remote"]) {
            const std::string rw = w + ".remote";
            connector::RemoteLinkOptions& o = c.connector.remote;
            TOME_TRY(r.CheckKeys(remote, rw, {"timeoutMs", "maxAttempts", "initialBackoffMs",
                                              "maxBackoffMs", "failureThreshold", "openMs"}));
            TOME_TRY(r.ReadMillis(remote, "timeoutMs", rw, o.timeout));
            TOME_TRY(r.ReadInt(remote, "maxAttempts", rw, 1, 10, o.max_attempts));
            TOME_TRY(r.ReadMillis(remote, "initialBackoffMs", rw, o.initial_backoff));
            TOME_TRY(r.ReadMillis(remote, "maxBackoffMs", rw, o.max_backoff));
            TOME_TRY(r.ReadInt(remote, "failureThreshold", rw, 1, 1000, o.failure_threshold));
            TOME_TRY(r.ReadMillis(remote, "openMs", rw, o.open_duration));
            if (Status st = connector::Validate(o); !st.ok()) {
                return r.Fail(remote, rw + "." + st.message());
            }
        }
    }
    if (auto s = block["robotcopy"]) {
        const std::string w = env + ".robotcopy";
        TOME_TRY(r.CheckKeys(s, w, {"serviceName", "backends", "apiBasePath", "backendTimeoutMs",
                                    "backendRetry", "historyCapacity", "historyMaxPerTrace"}));
        TOME_TRY(r.ReadString(s, "serviceName", w, c.robot_copy.service_name));
        if (auto b = s["backends"]) {
            if (!b.IsMap()) return r.Fail(b, w + ".backends must map a name to a URL");
            for (const auto& kv : b) c.robot_copy.backends[kv.first.as<std::string>()] = kv.second.as<std::string>();
        }
        TOME_TRY(r.ReadString(s, "apiBasePath", w, c.robot_copy.api_base_path));
        TOME_TRY(r.ReadMillis(s, "backendTimeoutMs", w, c.robot_copy.backend_timeout));
        if (auto retry = s["backendRetry"]) {
            const std::string wr = w + ".backendRetry";
            auto& o = c.robot_copy.backend_retry;
            TOME_TRY(r.CheckKeys(retry, wr, {"maxAttempts", "initialBackoffMs", "maxBackoffMs"}));
            TOME_TRY(r.ReadInt(retry, "maxAttempts", wr, 1, 10, o.max_attempts));
            TOME_TRY(r.ReadMillis(retry, "initialBackoffMs", wr, o.initial_backoff));
            TOME_TRY(r.ReadMillis(retry, "maxBackoffMs", wr, o.max_backoff));
            if (o.max_backoff < o.initial_backoff) {
                return r.Fail(retry, wr + ".maxBackoffMs must be at least initialBackoffMs");
            }
        }
        TOME_TRY(r.ReadInt(s, "historyCapacity", w, 1, 100'000'000, c.robot_copy.history.capacity));
        TOME_TRY(r.ReadInt(s, "historyMaxPerTrace", w, 1, 100'000'000, c.robot_copy.history.max_per_trace));
    }
    return Status::Ok();
}

Status ReadNetwork(const Reader& r, const YAML::Node& net, AppConfig& c) {
    TOME_TRY(r.CheckKeys(net, "network", {"tomes", "remoteTomes", "connections"}));
    if (auto remotes = net["remoteTomes"]) {
        if (!remotes.IsSequence()) return r.Fail(remotes, "network.remoteTomes must be a list");
        for (std::size_t i = 0; i < remotes.size(); ++i) {
            const std::string where = "network.remoteTomes[" + std::to_string(i) + "]";
            TOME_TRY(r.CheckKeys(remotes[i], where, {"id", "endpoint"}));
            RemoteTomeSpec spec;
            TOME_TRY(r.ReadString(remotes[i], "id", where, spec.id));
            TOME_TRY(r.ReadString(remotes[i], "endpoint", where, spec.endpoint));
            if (spec.id.empty() || spec.endpoint.empty()) {
                return r.Fail(remotes[i], where + " needs id and endpoint");
            }
            spec.line = remotes[i].Mark().line + 1;
            c.remote_tomes.push_back(std::move(spec));
        }
    }
    if (auto tomes = net["tomes"]) {
        if (!tomes.IsSequence()) return r.Fail(tomes, "network.tomes must be a list of tome definitions");
        std::set<std::string> ids;
        for (std::size_t i = 0; i < tomes.size(); ++i) {
            auto def = ParseTomeDefinition(YamlToJson(tomes[i]));
            const std::string where = "network.tomes[" + std::to_string(i) + "]";
            if (!def.ok()) return r.Fail(tomes[i], where + ": " + def.status().message());
            if (!ids.insert(def->id).second) {
                return r.Fail(tomes[i], where + ": duplicate tome id '" + def->id + "'");
            }
            c.tomes.push_back(std::move(*def));
        }
    }
    if (auto conns = net["connections"]) {
        if (!conns.IsSequence()) return r.Fail(conns, "network.connections must be a list");
        for (std::size_t i = 0; i < conns.size(); ++i) {
            const std::string where = "network.connections[" + std::to_string(i) + "]";
            TOME_TRY(r.CheckKeys(conns[i], where, {"sourceTome", "targetTome", "config"}));
            ConnectionSpec spec;
            TOME_TRY(r.ReadString(conns[i], "sourceTome", where, spec.source));
            TOME_TRY(r.ReadString(conns[i], "targetTome", where, spec.target));
            if (spec.source.empty() || spec.target.empty()) {
                return r.Fail(conns[i], where + " needs sourceTome and targetTome");
            }
            if (auto cfg = conns[i]["config"]) {
                spec.config = YamlToJson(cfg);
                auto parsed = connector::ParseConnectionConfig(spec.config);
                if (!parsed.ok()) return r.Fail(cfg, where + ": " + parsed.status().message());
            }
            spec.line = conns[i].Mark().line + 1;
            c.connections.push_back(std::move(spec));
        }
    }
    return Status::Ok();
}

Status EnvError(const std::string& name, const std::string& value, const std::string& what) {
    return InvalidArgument("environment " + name + "='" + value + "': " + what);
}

Status ApplyEnv(const EnvLookup& env, AppConfig& c) {
    auto integer = [&](const char* name, long long min, long long max, auto& out) -> Status {
        auto v = env(name);
        if (!v) return Status::Ok();
        char* end = nullptr;
        errno = 0;
        const long long n = std::strtoll(v->c_str(), &end, 10);
        if (v->empty() || *end != '\0' || errno != 0 || n < min || n > max) {
            return EnvError(name, *v, "must be an integer between " + std::to_string(min) +
                                          " and " + std::to_string(max));
        }
        out = static_cast<std::remove_reference_t<decltype(out)>>(n);
        return Status::Ok();
    };
    auto millis = [&](const char* name, std::chrono::milliseconds& out, long long min = 1,
                      long long max = 86'400'000LL) -> Status {
        long long v = out.count();
        TOME_TRY(integer(name, min, max, v));
        out = std::chrono::milliseconds(v);
        return Status::Ok();
    };
    auto boolean = [&](const char* name, bool& out) -> Status {
        auto v = env(name);
        if (!v) return Status::Ok();
        auto b = ParseBool(*v);
        if (!b.ok()) return EnvError(name, *v, "must be true or false");
        out = *b;
        return Status::Ok();
    };
    if (auto v = env("TOME_HOST")) c.server.address = *v;
    if (auto v = env("TOME_DATA_DIR")) {
        if (v->empty()) return InvalidArgument("TOME_DATA_DIR must not be empty");
        c.storage.enabled = true;
        c.storage.store.path = (std::filesystem::path(*v) / "tome.db").string();
    }
    if (auto v = env("TOME_LOG_LEVEL")) {
        if (!IsLogLevel(*v)) {
            return EnvError("TOME_LOG_LEVEL", *v, "must be trace, debug, info, warn, error or fatal");
        }
        c.logging.level = *v;
    }
    TOME_TRY(integer("TOME_PORT", 0, 65535, c.server.port));
    TOME_TRY(integer("TOME_WORKERS", 1, 256, c.server.worker_threads));
    TOME_TRY(integer("TOME_MAX_BODY_BYTES", 1, 1LL << 30, c.server.max_body_bytes));
    TOME_TRY(millis("TOME_SHUTDOWN_TIMEOUT_MS", c.shutdown_timeout, 100, 600'000));
    TOME_TRY(boolean("TOME_RATE_LIMIT_ENABLED", c.proxy.rate_limit.enabled));
    TOME_TRY(millis("TOME_RATE_LIMIT_WINDOW_MS", c.proxy.rate_limit.window));
    TOME_TRY(integer("TOME_RATE_LIMIT_MAX", 1, 1'000'000'000, c.proxy.rate_limit.max_requests));
    if (auto v = env("TOME_CORS_ORIGINS")) {
        c.proxy.cors.allowed_origins.clear();
        std::stringstream ss(*v);
        for (std::string o; std::getline(ss, o, ',');)
            if (!o.empty()) c.proxy.cors.allowed_origins.push_back(o);
    }
    TOME_TRY(integer("TOME_HOP_LIMIT", 1, 1024, c.connector.hop_limit));
    TOME_TRY(millis("TOME_DEGRADED_AFTER_MS", c.connector.degraded_after));
    TOME_TRY(millis("TOME_REMOTE_TIMEOUT_MS", c.connector.remote.timeout, 1, 600'000));
    TOME_TRY(integer("TOME_REMOTE_FAILURE_THRESHOLD", 1, 1000,
                     c.connector.remote.failure_threshold));
    TOME_TRY(millis("TOME_REMOTE_OPEN_MS", c.connector.remote.open_duration, 1, 3'600'000));
    TOME_TRY(millis("TOME_HEALTH_CHECK_INTERVAL_MS", c.health.interval));
    if (auto v = env("TOME_NODE_BACKEND_URL")) c.robot_copy.backends["node"] = *v;
    if (auto v = env("TOME_KOTLIN_BACKEND_URL")) c.robot_copy.backends["kotlin"] = *v;
    TOME_TRY(millis("TOME_BACKEND_TIMEOUT_MS", c.robot_copy.backend_timeout));
    TOME_TRY(integer("TOME_HISTORY_CAPACITY", 1, 100'000'000, c.robot_copy.history.capacity));
    TOME_TRY(boolean("TOME_CONSOLE_ENABLED", c.console.enabled));
    TOME_TRY(integer("TOME_CONSOLE_MAX_BYTES", 4LL << 20, 1LL << 40, c.console.max_bytes));
    TOME_TRY(integer("TOME_CONSOLE_GRPC_PORT", 0, 65535, c.console.otlp_grpc_port));
    auto& alerting = c.console.alerting;
    if (auto v = env("TOME_ALERTMANAGER_URL")) {
        if (!v->empty() && !v->starts_with("http://") && !v->starts_with("https://")) {
            return EnvError("TOME_ALERTMANAGER_URL", *v, "must be an http:// or https:// URL (empty: none)");
        }
        alerting.notify.alertmanager = *v;
        while (alerting.notify.alertmanager.ends_with('/')) alerting.notify.alertmanager.pop_back();
    }
    if (auto v = env("TOME_ALERT_WEBHOOKS")) {
        alerting.notify.webhooks.clear();
        std::stringstream ss(*v);
        for (std::string url; std::getline(ss, url, ',');) {
            if (url.empty()) continue;
            if (!url.starts_with("http://") && !url.starts_with("https://")) {
                return EnvError("TOME_ALERT_WEBHOOKS", *v, "must be comma-separated http:// or https:// URLs");
            }
            alerting.notify.webhooks.push_back(url);
        }
    }
    {
        long long ms = alerting.evaluation_interval.count();
        TOME_TRY(integer("TOME_ALERT_EVALUATION_INTERVAL_MS", 100, 3'600'000, ms));
        alerting.evaluation_interval = std::chrono::milliseconds(ms);
    }
    // TOME_TOGGLE_ENABLE_EVENT_ROUTING=false and so on, for every known toggle.
    std::map<std::string, bool> all = FeatureToggles::Defaults();
    for (const auto& [k, v] : c.toggles) all[k] = v;
    for (const auto& [name, value] : all) {
        std::string var = "TOME_TOGGLE_";
        for (char ch : name) var += ch == '-' ? '_' : static_cast<char>(std::toupper(ch));
        bool on = value;
        TOME_TRY(boolean(var.c_str(), on));
        if (on != value || c.toggles.count(name)) c.toggles[name] = on;
    }
    return Status::Ok();
}

}  // namespace

EnvLookup ProcessEnv() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

std::string DefaultConfigPath(const EnvLookup& env) {
    if (auto v = env("TOME_CONFIG")) return *v;
    if (std::filesystem::exists("config/tome.yaml")) return "config/tome.yaml";
    return TOME_SOURCE_CONFIG;
}

Result<AppConfig> LoadConfig(const std::string& path, const EnvLookup& env) {
    AppConfig c;
    c.file = path;
    if (auto v = env("TOME_ENV")) c.environment = *v;
    if (c.environment != "development" && c.environment != "staging" &&
        c.environment != "production") {
        return InvalidArgument("environment TOME_ENV='" + c.environment +
                               "': must be development, staging or production");
    }
    std::ifstream in(path);
    if (!in) return NotFound(path + ": cannot open config file");
    YAML::Node root;
    try {
        root = YAML::Load(in);
    } catch (const YAML::Exception& e) {
        return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    Reader r(path);
    if (!root.IsMap()) return r.Fail(root, "the config file must be a mapping");
    bool service_name_set = false;
    try {
        TOME_TRY(r.CheckKeys(root, "(top level)", {"network", "alerts", "development", "staging", "production"}));
        if (auto net = root["network"]) TOME_TRY(ReadNetwork(r, net, c));
        if (auto alerts = root["alerts"]) TOME_TRY(ReadAlertsBlock(path, alerts, "alerts", c.console.alerting));
        if (auto block = root[c.environment]) {
            TOME_TRY(ReadBlock(r, block, c.environment, c, service_name_set));
        }
    } catch (const YAML::Exception& e) {
        // A node of another kind where the readers convert one to a string: a mapping or a
        // list used as a key ("{{a: 1}: 2}" is valid YAML). The mark says where.
        return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg +
                               " (a mapping or a list where a plain string was expected)");
    }
    c.proxy.environment = c.environment;
    c.robot_copy.environment = c.environment;
    TOME_TRY(ApplyEnv(env, c));
    TOME_TRY(ExpandSecrets(path, env, c.security));
    TOME_TRY(FinishAlerting(c.console.alerting));
    c.proxy.max_body_bytes = c.server.max_body_bytes;
    if (!service_name_set) c.telemetry.service_name = c.robot_copy.service_name;
    c.telemetry.service_version = c.proxy.version;
    c.telemetry.environment = c.environment;
    // The connector stamps robotcopy.service / robotcopy.environment on its own spans and logs.
    c.connector.service_name = c.telemetry.service_name;
    c.connector.environment = c.environment;
    return c;
}

}  // namespace tome::app
