#include "config.hpp"

#include "application.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <tuple>

namespace tome::app {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& k) -> std::optional<std::string> {
        auto it = vars.find(k);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

TEST(Config, DevelopmentIsTheDefaultBlock) {
    auto c = LoadConfig(TOME_TEST_CONFIG, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->environment, "development");
    EXPECT_EQ(c->server.port, 3000);
    EXPECT_FALSE(c->proxy.rate_limit.enabled);
    EXPECT_EQ(c->tomes.size(), 5u);
    EXPECT_EQ(c->connections.size(), 4u);
    EXPECT_EQ(c->connector.hop_limit, 16u);
}

TEST(Config, TomeEnvSelectsTheBlock) {
    auto c = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_ENV", "production"}}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_TRUE(c->proxy.rate_limit.enabled);
    EXPECT_EQ(c->proxy.rate_limit.max_requests, 600u);
    EXPECT_EQ(c->server.worker_threads, 8u);
    EXPECT_TRUE(c->toggles.at("enable-advanced-validation"));
    // Every layer that stamps robotcopy.environment says production.
    EXPECT_EQ(c->telemetry.environment, "production");
    EXPECT_EQ(c->robot_copy.environment, "production");
    EXPECT_EQ(c->connector.environment, "production");
    EXPECT_EQ(c->connector.service_name, c->telemetry.service_name);
}

TEST(Config, EnvironmentVariablesOverrideTheFile) {
    auto c = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_PORT", "8080"},
                                               {"TOME_RATE_LIMIT_ENABLED", "true"},
                                               {"TOME_TOGGLE_ENABLE_STATE_SYNC", "false"},
                                               {"TOME_NODE_BACKEND_URL", "http://127.0.0.1:9"},
                                               {"TOME_CORS_ORIGINS", "http://a,http://b"}}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->server.port, 8080);
    EXPECT_TRUE(c->proxy.rate_limit.enabled);
    EXPECT_FALSE(c->toggles.at("enable-state-sync"));
    EXPECT_EQ(c->robot_copy.backends.at("node"), "http://127.0.0.1:9");
    EXPECT_EQ(c->proxy.cors.allowed_origins, (std::vector<std::string>{"http://a", "http://b"}));
}

TEST(Config, BadEnvironmentValuesAreNamed) {
    for (const auto& [name, value] : std::map<std::string, std::string>{
             {"TOME_PORT", "70000"}, {"TOME_HOP_LIMIT", "x"}, {"TOME_TOGGLE_ENABLE_TRACING", "maybe"},
             {"TOME_ENV", "qa"}}) {
        auto c = LoadConfig(TOME_TEST_CONFIG, Env({{name, value}}));
        ASSERT_FALSE(c.ok()) << name;
        EXPECT_NE(c.status().message().find(name), std::string::npos) << c.status().message();
    }
}

TEST(Config, TelemetryBlockBecomesTheTelemetryConfig) {
    struct Want {
        double rate;
        std::size_t queue;
        std::size_t batch;
        std::string endpoint;
        std::string level;
    };
    const std::map<std::string, Want> wants = {
        {"development", {1.0, 2048, 512, "", "debug"}},
        {"staging", {0.5, 4096, 512, "http://otel-collector:4318", "info"}},
        {"production", {0.1, 8192, 1024, "http://otel-collector:4318", "info"}}};
    for (const auto& [env, want] : wants) {
        auto c = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_ENV", env}}));
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        const facade::TelemetryConfig& t = c->telemetry;
        EXPECT_DOUBLE_EQ(t.sampling_rate, want.rate) << env;
        EXPECT_EQ(t.max_queue_size, want.queue) << env;
        EXPECT_EQ(t.max_export_batch_size, want.batch) << env;
        EXPECT_EQ(t.endpoint, want.endpoint) << env;
        EXPECT_EQ(t.export_timeout, std::chrono::milliseconds(30000)) << env;
        EXPECT_TRUE(t.enable_metrics && t.enable_logs) << env;
        EXPECT_EQ(t.service_name, "tome") << env;
        EXPECT_EQ(t.environment, env);
        EXPECT_EQ(c->logging.level, want.level) << env;
    }
    auto p = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_ENV", "production"}}));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->telemetry.compression, "gzip");
    const auto defaults = facade::ToOtelDefaults(p->telemetry, {});
    EXPECT_EQ(defaults.at("OTEL_TRACES_SAMPLER_ARG"), "0.1");
    EXPECT_EQ(defaults.at("OTEL_TRACES_SAMPLER"), "parentbased_traceidratio");
    EXPECT_EQ(defaults.at("OTEL_BSP_MAX_QUEUE_SIZE"), "8192");
    EXPECT_EQ(defaults.at("OTEL_EXPORTER_OTLP_COMPRESSION"), "gzip");
}

TEST(Config, BadTelemetryValuesNameKeyAndLine) {
    const std::string path = ::testing::TempDir() + "/tome_bad_telemetry.yaml";
    for (const auto& [body, key] : std::map<std::string, std::string>{
             {"    samplingRate: 2\n", "samplingRate"},
             {"    maxQueueSize: 10\n    maxExportBatchSize: 20\n", "max_export_batch_size"},
             {"    protocol: smoke\n", "protocol"}}) {
        {
            std::ofstream out(path);
            out << "development:\n  telemetry:\n" << body;
        }
        auto c = LoadConfig(path, Env({}));
        ASSERT_FALSE(c.ok()) << key;
        EXPECT_NE(c.status().message().find(path + ":"), std::string::npos) << c.status().message();
        EXPECT_NE(c.status().message().find(key), std::string::npos) << c.status().message();
    }
}

TEST(Config, PersistentQueueBecomesTheExporterQueueVariables) {
    const std::string path = ::testing::TempDir() + "/tome_persistent_queue.yaml";
    {
        std::ofstream out(path);
        out << "development:\n  telemetry:\n    persistentQueue: {dir: /var/lib/tome/queue, "
               "maxBytes: 1048576}\n";
    }
    auto c = LoadConfig(path, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(c->telemetry.persistent_queue.has_value());
    EXPECT_EQ(c->telemetry.persistent_queue->dir, "/var/lib/tome/queue");
    EXPECT_EQ(c->telemetry.persistent_queue->max_bytes, 1048576u);
    const auto defaults = facade::ToOtelDefaults(c->telemetry, {});
    EXPECT_EQ(defaults.at("TOME_OTLP_PERSISTENT_QUEUE_DIR"), "/var/lib/tome/queue");
    EXPECT_EQ(defaults.at("TOME_OTLP_PERSISTENT_QUEUE_MAX_BYTES"), "1048576");
    EXPECT_EQ(facade::Describe(c->telemetry)["persistentQueue"]["dir"], "/var/lib/tome/queue");

    auto none = LoadConfig(TOME_TEST_CONFIG, Env({}));
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->telemetry.persistent_queue.has_value()) << "opt-in";
    EXPECT_EQ(facade::ToOtelDefaults(none->telemetry, {}).count("TOME_OTLP_PERSISTENT_QUEUE_DIR"), 0u);

    for (const auto& [body, key] : std::map<std::string, std::string>{
             {"{dir: /q, maxBytes: 10}", "maxBytes"},
             {"{maxBytes: 1048576}", "dir"},
             {"{dir: /q, size: 5}", "size"},
             {"/q", "persistentQueue"}}) {
        {
            std::ofstream out(path);
            out << "development:\n  telemetry:\n    persistentQueue: " << body << "\n";
        }
        auto bad = LoadConfig(path, Env({}));
        ASSERT_FALSE(bad.ok()) << body;
        EXPECT_NE(bad.status().message().find(key), std::string::npos) << bad.status().message();
    }
}

TEST(Config, BackendRetryIsReadAndChecked) {
    auto c = LoadConfig(TOME_TEST_CONFIG, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->robot_copy.backend_retry.max_attempts, 3);
    EXPECT_EQ(c->robot_copy.backend_retry.initial_backoff, std::chrono::milliseconds(100));
    EXPECT_EQ(c->robot_copy.backend_retry.max_backoff, std::chrono::milliseconds(1000));

    const std::string path = ::testing::TempDir() + "/tome_bad_retry.yaml";
    for (const auto& [body, key] : std::map<std::string, std::string>{
             {"{maxAttempts: 0}", "maxAttempts"},
             {"{maxAttempts: 2, tries: 4}", "tries"},
             {"{initialBackoffMs: 500, maxBackoffMs: 100}", "maxBackoffMs"}}) {
        {
            std::ofstream out(path);
            out << "development:\n  robotcopy:\n    backendRetry: " << body << "\n";
        }
        auto bad = LoadConfig(path, Env({}));
        ASSERT_FALSE(bad.ok()) << key;
        EXPECT_NE(bad.status().message().find(path + ":"), std::string::npos) << bad.status().message();
        EXPECT_NE(bad.status().message().find(key), std::string::npos) << bad.status().message();
    }
}

TEST(Config, ShutdownTimeoutIsReadFromServerBlockOrEnvironmentAndBounded) {
    auto c = LoadConfig(TOME_TEST_CONFIG, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->shutdown_timeout, std::chrono::milliseconds(15000));

    const std::string path = ::testing::TempDir() + "/tome_shutdown.yaml";
    const auto write = [&path](const std::string& value) {
        std::ofstream out(path);
        out << "development:\n  server:\n    shutdownTimeoutMs: " << value << "\n";
    };
    write("2500");
    c = LoadConfig(path, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->shutdown_timeout, std::chrono::milliseconds(2500));
    c = LoadConfig(path, Env({{"TOME_SHUTDOWN_TIMEOUT_MS", "700"}}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->shutdown_timeout, std::chrono::milliseconds(700));

    for (const std::string value : {"50", "600001", "soon"}) {
        write(value);
        auto bad = LoadConfig(path, Env({}));
        ASSERT_FALSE(bad.ok()) << value;
        EXPECT_NE(bad.status().message().find(path + ":3:"), std::string::npos)
            << bad.status().message();
        EXPECT_NE(bad.status().message().find("shutdownTimeoutMs"), std::string::npos)
            << bad.status().message();
        auto bad_env = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_SHUTDOWN_TIMEOUT_MS", value}}));
        ASSERT_FALSE(bad_env.ok()) << value;
        EXPECT_NE(bad_env.status().message().find("TOME_SHUTDOWN_TIMEOUT_MS"), std::string::npos)
            << bad_env.status().message();
    }
}

TEST(Config, RemoteLinkOptionsAreReadFromTheConnectorBlockAndChecked) {
    const std::string path = ::testing::TempDir() + "/tome_remote_link.yaml";
    const auto write = [&path](const std::string& remote) {
        std::ofstream out(path);
        out << "development:\n  connector:\n    remote: " << remote << "\n";
    };
    write("{timeoutMs: 700, maxAttempts: 3, failureThreshold: 4, openMs: 2500}");
    auto c = LoadConfig(path, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->connector.remote.timeout, std::chrono::milliseconds(700));
    EXPECT_EQ(c->connector.remote.max_attempts, 3);
    EXPECT_EQ(c->connector.remote.failure_threshold, 4);
    EXPECT_EQ(c->connector.remote.open_duration, std::chrono::milliseconds(2500));
    c = LoadConfig(path, Env({{"TOME_REMOTE_TIMEOUT_MS", "90"},
                              {"TOME_REMOTE_FAILURE_THRESHOLD", "2"},
                              {"TOME_REMOTE_OPEN_MS", "100"}}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->connector.remote.timeout, std::chrono::milliseconds(90));
    EXPECT_EQ(c->connector.remote.failure_threshold, 2);
    EXPECT_EQ(c->connector.remote.open_duration, std::chrono::milliseconds(100));

    for (const auto& [remote, key] : std::map<std::string, std::string>{
             {"{maxAttempts: 0}", "maxAttempts"},
             {"{failureThreshold: 0}", "failureThreshold"},
             {"{initialBackoffMs: 900, maxBackoffMs: 100}", "maxBackoffMs"},
             {"{retries: 2}", "retries"}}) {
        write(remote);
        auto bad = LoadConfig(path, Env({}));
        ASSERT_FALSE(bad.ok()) << key;
        EXPECT_NE(bad.status().message().find(path + ":"), std::string::npos)
            << bad.status().message();
        EXPECT_NE(bad.status().message().find(key), std::string::npos) << bad.status().message();
    }
    auto bad_env = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_REMOTE_FAILURE_THRESHOLD", "0"}}));
    ASSERT_FALSE(bad_env.ok());
    EXPECT_NE(bad_env.status().message().find("TOME_REMOTE_FAILURE_THRESHOLD"), std::string::npos);
}

// Header values stay as written in the config; tome::Telemetry expands them at start.
TEST(Config, TelemetryHeadersAreExpandedAtStartNotAtLoad) {
    const std::string path = ::testing::TempDir() + "/tome_headers.yaml";
    {
        std::ofstream out(path);
        out << "development:\n  telemetry:\n    headers:\n      Authorization: \"Bearer ${API_KEY}\"\n";
    }
    auto c = LoadConfig(path, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->telemetry.headers.at("Authorization"), "Bearer ${API_KEY}");
    c->logging.console = false;
    auto missing = Application::Create(std::move(*c), Env({}));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.status().message().find("'Authorization'"), std::string::npos)
        << missing.status().message();
    EXPECT_NE(missing.status().message().find("API_KEY is not set"), std::string::npos);
}

TEST(Config, SamplingBlockPerEnvironment) {
    for (const auto& [env, normal] :
         std::map<std::string, double>{{"development", 1.0}, {"staging", 0.5},
                                       {"production", 0.1}}) {
        auto c = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_ENV", env}}));
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        ASSERT_TRUE(c->telemetry.tail_sampling.has_value()) << env;
        const auto& t = *c->telemetry.tail_sampling;
        EXPECT_DOUBLE_EQ(t.normal_sampling_rate, normal) << env;
        EXPECT_DOUBLE_EQ(t.error_sampling_rate, 1.0) << env;
        EXPECT_DOUBLE_EQ(t.high_value_sampling_rate, 1.0) << env;
        EXPECT_EQ(t.latency_threshold, std::chrono::milliseconds(2000)) << env;
        ASSERT_EQ(t.custom_rules.size(), 1u) << env;
        EXPECT_EQ(t.custom_rules[0].text, "business.order_value > 1000");
        EXPECT_FALSE(t.custom_rules[0].rate.has_value()) << "the rule takes highValueSamplingRate";
        // The block's samplingRate is the normal rate: the one number per environment.
        EXPECT_DOUBLE_EQ(c->telemetry.sampling_rate, normal) << env;
    }
}

TEST(Config, NormalSamplingRateWinsOverSamplingRate) {
    const std::string path = ::testing::TempDir() + "/tome_normal_rate.yaml";
    {
        std::ofstream out(path);
        out << "development:\n  telemetry:\n    samplingRate: 0.5\n"
               "    sampling: {normalSamplingRate: 0.25}\n";
    }
    auto c = LoadConfig(path, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_DOUBLE_EQ(c->telemetry.tail_sampling->normal_sampling_rate, 0.25);
}

TEST(Config, NoSamplingBlockMeansNoTailSampling) {
    const std::string path = ::testing::TempDir() + "/tome_no_sampling.yaml";
    {
        std::ofstream out(path);
        out << "development:\n  telemetry:\n    samplingRate: 0.5\n";
    }
    auto c = LoadConfig(path, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_FALSE(c->telemetry.tail_sampling.has_value());
}

// Each bad sampling block fails with "FILE:LINE:" of the offending node and names the key.
TEST(Config, BadSamplingValuesNameKeyAndLine) {
    struct Case {
        std::string body;  // lines after "    sampling:\n" (line 4 is the first)
        int line;
        std::string key;
    };
    const std::vector<Case> cases = {
        {"      normalSamplingRate: 1.5\n", 4, "normalSamplingRate"},
        {"      errorSamplingRate: 1.0\n      bogusRate: 0.3\n", 5, "bogusRate"},
        {"      latencyThresholdMs: -5\n", 4, "latencyThresholdMs"},
        {"      highValueSamplingRate: lots\n", 4, "highValueSamplingRate"},
        {"      customRules:\n        - {condition: \"a > 1\", rate: 1.0}\n"
         "        - {condition: \"a >\", rate: 1.0}\n",
         6, "customRules[1].condition"},
        {"      customRules:\n        - {condition: \"a > 1\", rate: 2}\n", 5,
         "customRules[0].rate"},
        {"      customRules:\n        - {condition: \"a > 1\", weight: 2}\n", 5,
         "customRules[0].weight"},
        {"      customRules: \"a > 1\"\n", 4, "customRules"},
    };
    const std::string path = ::testing::TempDir() + "/tome_bad_sampling.yaml";
    for (const auto& bad : cases) {
        {
            std::ofstream out(path);
            out << "development:\n  telemetry:\n    sampling:\n" << bad.body;
        }
        auto c = LoadConfig(path, Env({}));
        ASSERT_FALSE(c.ok()) << bad.body;
        const std::string msg = c.status().message();
        EXPECT_NE(msg.find(path + ":" + std::to_string(bad.line) + ":"), std::string::npos)
            << msg;
        EXPECT_NE(msg.find(bad.key), std::string::npos) << msg;
        EXPECT_NE(msg.find("development.telemetry.sampling"), std::string::npos) << msg;
    }
}

TEST(Config, MissingFileIsNotFound) {
    auto c = LoadConfig("/nonexistent/tome.yaml", Env({}));
    EXPECT_EQ(c.status().code(), Code::kNotFound);
}

TEST(Config, TheShippedAlertRulesAreLoadedAndAnEnvironmentOverridesThemByName) {
    auto c = LoadConfig(TOME_TEST_CONFIG, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().message();
    std::vector<std::string> names;
    for (const auto& r : c->console.alerting.rules) names.push_back(r.name);
    EXPECT_EQ(names, (std::vector<std::string>{"OrderProcessingSlow", "PaymentFailureRateHigh", "InventoryResponseDegraded",
                                               "TelemetryDropping", "ConnectionUnhealthy"}));
    const auto& slow = c->console.alerting.rules[0];
    EXPECT_EQ(slow.threshold, 0.5);
    EXPECT_EQ(slow.for_duration, std::chrono::minutes(1));
    ASSERT_TRUE(slow.traces);
    EXPECT_EQ(slow.traces->min_duration, std::chrono::milliseconds(500));
    ASSERT_TRUE(c->console.alerting.rules[2].baseline);
    EXPECT_EQ(c->console.alerting.rules[2].baseline->span, std::chrono::minutes(15));

    const std::string path = ::testing::TempDir() + "/tome_alert_override.yaml";
    {
        std::ofstream out(path);
        out << "alerts:\n"
               "  rules:\n"
               "    - name: Slow\n"
               "      expr: {metric: order.duration, unit: s, stat: p95}\n"
               "      threshold: 0.5\n"
               "      window: 1m\n"
               "    - name: Unused\n"
               "      expr: {service: tome, stat: errorRate}\n"
               "      threshold: 0.1\n"
               "production:\n"
               "  alerts:\n"
               "    alertmanager: http://am:9093/\n"
               "    rules:\n"
               "      - {name: Slow, threshold: 2, for: 30s}\n"
               "      - {name: Unused, enabled: false}\n";
    }
    auto p = LoadConfig(path, Env({{"TOME_ENV", "production"}, {"TOME_ALERT_WEBHOOKS", "http://a/1,http://b/2"}}));
    ASSERT_TRUE(p.ok()) << p.status().message();
    ASSERT_EQ(p->console.alerting.rules.size(), 1u) << "the disabled rule is gone";
    EXPECT_EQ(p->console.alerting.rules[0].threshold, 2);
    EXPECT_EQ(p->console.alerting.rules[0].for_duration, std::chrono::seconds(30));
    EXPECT_EQ(p->console.alerting.rules[0].window, std::chrono::minutes(1)) << "fields not overridden stay";
    EXPECT_EQ(p->console.alerting.notify.alertmanager, "http://am:9093");
    EXPECT_EQ(p->console.alerting.notify.webhooks, (std::vector<std::string>{"http://a/1", "http://b/2"}));
}

TEST(Config, BadAlertRulesAreRefusedWithFileLineAndReason) {
    const std::string path = ::testing::TempDir() + "/tome_bad_alerts.yaml";
    for (const auto& [rule, line, reason] : std::vector<std::tuple<std::string, int, std::string>>{
             {"    - name: Slow\n      expr: {metric: order.duration, stat: p96}\n", 4, "stat must be one of"},
             {"    - name: Slow\n      expr: {metric: order.duration, stat: p95}\n      window: soon\n", 5,
              "window must be a duration"},
             {"    - name: bad-name\n      expr: {metric: orders, stat: increase}\n", 3, "alert name 'bad-name'"},
             {"    - name: Ratio\n      expr: {numerator: {metric: a, stat: p95}, denominator: {metric: b, stat: increase}}\n",
              3, "ratio divides counts"},
             {"    - name: Both\n      expr: {metric: a, service: s, stat: last}\n", 4, "either metric"},
             {"    - name: Typo\n      expr: {metric: a, stat: last}\n      treshold: 1\n", 5, "unknown key 'alerts.rules[0].treshold'"}}) {
        {
            std::ofstream out(path);
            out << "alerts:\n  rules:\n" << rule;
        }
        auto c = LoadConfig(path, Env({}));
        ASSERT_FALSE(c.ok()) << rule;
        EXPECT_NE(c.status().message().find(path + ":" + std::to_string(line) + ":"), std::string::npos)
            << c.status().message();
        EXPECT_NE(c.status().message().find(reason), std::string::npos) << c.status().message();
    }
}

// Found by fuzz/fuzz_config: a mapping or a list used as a key (YAML allows it) made yaml-cpp
// throw TypedBadConversion from a string conversion, and the exception escaped LoadConfig.
TEST(Config, KeysThatAreNotScalarsAreRefusedWithFileAndLine) {
    const std::string path = ::testing::TempDir() + "/tome_complex_keys.yaml";
    for (const auto& [text, line] : std::vector<std::pair<std::string, int>>{
             {"network:\n  tomes:\n    - id: A\n      initial: s\n      context: {{a: 1}: 2}\n"
              "      states: {s: {}}\n",
              5},
             {"network:\n  connections:\n    - sourceTome: A\n      targetTome: B\n"
              "      config: {stateMapping: {[x]: y}}\n",
              5},
             {"? [a, b]\n: 1\n", 1},
             {"development:\n  telemetry:\n    sampling: {{x: 1}: 2}\n", 3}}) {
        {
            std::ofstream out(path);
            out << text;
        }
        Result<AppConfig> c = InvalidArgument("not loaded");
        ASSERT_NO_THROW(c = LoadConfig(path, Env({}))) << text;
        ASSERT_FALSE(c.ok()) << text;
        EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
        EXPECT_EQ(c.status().message().rfind(path + ":" + std::to_string(line) + ":", 0), 0u)
            << c.status().message();
    }
}

}  // namespace
}  // namespace tome::app

namespace tome::app {
namespace {

Result<AppConfig> LoadText(const std::string& name, const std::string& text,
                           std::map<std::string, std::string> env = {}) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return LoadConfig(path, Env(std::move(env)));
}

TEST(Config, EveryShippedEnvironmentKeepsItsStoreUnderTheWorkingDirectory) {
    for (const char* env : {"development", "staging", "production"}) {
        auto c = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_ENV", env}}));
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        EXPECT_TRUE(c->storage.enabled) << env;
        EXPECT_EQ(c->storage.store.path, std::string("data/") + env + "/tome.db");
        EXPECT_EQ(c->storage.state.interval, std::chrono::milliseconds(200));
    }
    auto c = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_DATA_DIR", "/var/lib/tome"}}));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->storage.store.path, "/var/lib/tome/tome.db");
    EXPECT_FALSE(LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_DATA_DIR", ""}})).ok());
}

TEST(Config, StorageBlockIsReadAndChecked) {
    auto c = LoadText("storage.yaml", "development:\n  storage: {path: x/t.db, stateFlushMs: 50, auditMaxRecords: 500}\n");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_TRUE(c->storage.enabled);
    EXPECT_EQ(c->storage.store.path, "x/t.db");
    EXPECT_EQ(c->storage.state.interval, std::chrono::milliseconds(50));
    EXPECT_EQ(c->storage.store.max_audit_records, 500u);
    c = LoadText("storage-off.yaml", "development:\n  storage: {enabled: false}\n");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_FALSE(c->storage.enabled);
    c = LoadText("no-storage.yaml", "development:\n  server: {port: 1}\n");
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE(c->storage.enabled);
    for (const std::string bad : {"{stateFlushMs: 5, path: a.db}", "{auditMaxRecords: 10, path: a.db}", "{}",
                                  "{path: a.db, colour: red}"}) {
        auto refused = LoadText("storage-bad.yaml", "development:\n  storage: " + bad + "\n");
        ASSERT_FALSE(refused.ok()) << bad;
        EXPECT_NE(refused.status().message().find("storage-bad.yaml:2:"), std::string::npos)
            << refused.status().message();
    }
}

TEST(Config, SecurityTokensAreReadWithTheirScopesAndExpandedFromTheEnvironment) {
    const std::string text =
        "development:\n"
        "  security:\n"
        "    tokens:\n"
        "      - {name: ops, token: \"${OPS}\", scopes: [admin, ingest]}\n"
        "      - {name: view, token: literal-token-0123456789, scopes: [read]}\n"
        "    remoteToken: \"${PEER}\"\n"
        "    outboundTls: {caFile: /etc/ca.pem, certFile: /etc/me.pem, keyFile: /etc/me.key}\n";
    auto c = LoadText("security.yaml", text, {{"OPS", "from-the-environment-0123"}, {"PEER", "peer-token-0123456789"}});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_EQ(c->security.tokens.size(), 2u);
    EXPECT_EQ(c->security.tokens[0].token.value, "from-the-environment-0123");
    EXPECT_EQ(c->security.tokens[0].scopes, static_cast<std::uint8_t>(static_cast<int>(api::Scope::kAdmin) |
                                                                     static_cast<int>(api::Scope::kIngest)));
    EXPECT_EQ(c->security.tokens[1].token.value, "literal-token-0123456789");
    EXPECT_EQ(c->security.remote_token.value, "peer-token-0123456789");
    EXPECT_EQ(c->security.outbound_tls.ca_file, "/etc/ca.pem");
    EXPECT_EQ(c->security.outbound_tls.key_file, "/etc/me.key");

    auto unset = LoadText("security.yaml", text, {{"PEER", "peer-token-0123456789"}});
    ASSERT_FALSE(unset.ok());
    EXPECT_NE(unset.status().message().find("security.yaml:4: security token 'ops': ${OPS} is not set"),
              std::string::npos)
        << unset.status().message();
    auto bad_scope = LoadText("scope.yaml", "development:\n  security:\n    tokens:\n"
                                            "      - {name: x, token: abcdefghijklmnopq, scopes: [sudo]}\n");
    ASSERT_FALSE(bad_scope.ok());
    EXPECT_NE(bad_scope.status().message().find("scope.yaml:4:"), std::string::npos);
    EXPECT_NE(bad_scope.status().message().find("unknown scope 'sudo'"), std::string::npos);
    auto half = LoadText("half.yaml", "development:\n  security:\n    outboundTls: {certFile: /a.pem}\n");
    ASSERT_FALSE(half.ok());
    EXPECT_NE(half.status().message().find("certFile and keyFile go together"), std::string::npos);
}

TEST(Config, ServerTlsIsReadAndNeedsACertificateAndAKey) {
    auto c = LoadText("tls.yaml", "development:\n  server:\n    tls: {certFile: s.pem, keyFile: s.key, clientCaFile: ca.pem}\n");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(c->server.tls.has_value());
    EXPECT_EQ(c->server.tls->cert_file, "s.pem");
    EXPECT_EQ(c->server.tls->client_ca_file, "ca.pem");
    EXPECT_FALSE(LoadText("plain.yaml", "development:\n  server: {port: 1}\n")->server.tls.has_value());
    auto missing = LoadText("tls-bad.yaml", "development:\n  server:\n    tls: {certFile: s.pem}\n");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.status().message().find("tls-bad.yaml:3: development.server.tls needs certFile and keyFile"),
              std::string::npos)
        << missing.status().message();
}

}  // namespace
}  // namespace tome::app
