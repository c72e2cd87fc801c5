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

TEST(Config, MissingFileIsNotFound) {
    auto c = LoadConfig("/nonexistent/tome.yaml", Env({}));
    EXPECT_EQ(c.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace tome::app
