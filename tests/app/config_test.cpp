#include "config.hpp"

#include <gtest/gtest.h>

#include <fstream>

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

TEST(Config, TelemetryBlockBecomesOtelDefaults) {
    auto c = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_ENV", "production"}}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->otel_defaults.at("OTEL_TRACES_SAMPLER_ARG"), "0.1");
    EXPECT_EQ(c->otel_defaults.at("OTEL_TRACES_SAMPLER"), "parentbased_traceidratio");
    EXPECT_EQ(c->otel_defaults.at("OTEL_BSP_MAX_QUEUE_SIZE"), "8192");
    EXPECT_EQ(c->otel_defaults.at("OTEL_EXPORTER_OTLP_COMPRESSION"), "gzip");
}

TEST(Config, TelemetryHeadersExpandEnvironmentVariables) {
    const std::string path = ::testing::TempDir() + "/tome_headers.yaml";
    {
        std::ofstream out(path);
        out << "development:\n  telemetry:\n    headers:\n      Authorization: \"Bearer ${API_KEY}\"\n";
    }
    auto c = LoadConfig(path, Env({{"API_KEY", "s3cret"}}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->otel_defaults.at("OTEL_EXPORTER_OTLP_HEADERS"), "Authorization=Bearer s3cret");
    auto missing = LoadConfig(path, Env({}));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.status().message().find("API_KEY is not set"), std::string::npos);
    EXPECT_NE(missing.status().message().find(path + ":4:"), std::string::npos)
        << missing.status().message();
}

TEST(Config, SamplingBlockPerEnvironment) {
    for (const auto& [env, normal] :
         std::map<std::string, double>{{"development", 1.0}, {"staging", 0.5},
                                       {"production", 0.1}}) {
        auto c = LoadConfig(TOME_TEST_CONFIG, Env({{"TOME_ENV", env}}));
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        ASSERT_TRUE(c->tail_sampling.has_value()) << env;
        const auto& t = *c->tail_sampling;
        EXPECT_DOUBLE_EQ(t.normal_sampling_rate, normal) << env;
        EXPECT_DOUBLE_EQ(t.error_sampling_rate, 1.0) << env;
        EXPECT_DOUBLE_EQ(t.high_value_sampling_rate, 1.0) << env;
        EXPECT_EQ(t.latency_threshold, std::chrono::milliseconds(2000)) << env;
        ASSERT_EQ(t.custom_rules.size(), 1u) << env;
        EXPECT_EQ(t.custom_rules[0].text, "business.order_value > 1000");
        ASSERT_TRUE(t.custom_rules[0].rate.has_value());
        EXPECT_DOUBLE_EQ(*t.custom_rules[0].rate, 1.0);
    }
}

TEST(Config, NoSamplingBlockMeansNoTailSampling) {
    const std::string path = ::testing::TempDir() + "/tome_no_sampling.yaml";
    {
        std::ofstream out(path);
        out << "development:\n  telemetry:\n    samplingRate: 0.5\n";
    }
    auto c = LoadConfig(path, Env({}));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_FALSE(c->tail_sampling.has_value());
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

}  // namespace
}  // namespace tome::app
