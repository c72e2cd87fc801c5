#include <gtest/gtest.h>

#include <map>

#include "loopback_receiver.hpp"
#include "tome/telemetry/export/env_config.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;

EnvLookup Env(std::map<std::string, std::string, std::less<>> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

TEST(TelemetryEnvConfig, DefaultsFollowTheSpec) {
    auto c = ReadTracesEnvConfig(Env({}));
    ASSERT_TRUE(c.ok()) << c.message();
    EXPECT_FALSE(c.value().sdk_disabled);
    EXPECT_EQ(c.value().sampler, "parentbased_always_on");
    EXPECT_EQ(c.value().batch.max_queue_size, 2048u);
    EXPECT_EQ(c.value().batch.max_export_batch_size, 512u);
    EXPECT_EQ(c.value().batch.scheduled_delay, 5000ms);
    EXPECT_EQ(c.value().batch.export_timeout, 30000ms);
    EXPECT_EQ(c.value().otlp.endpoint, "http://localhost:4318/v1/traces");
    EXPECT_EQ(c.value().otlp.timeout, 10000ms);
    EXPECT_EQ(c.value().limits.attribute_count, 128u);
    ASSERT_EQ(c.value().exporters.size(), 1u);
    EXPECT_EQ(c.value().exporters[0], TracesExporterKind::kOtlp);
}

TEST(TelemetryEnvConfig, ReadsEveryVariableAndSignalSpecificWins) {
    auto c = ReadTracesEnvConfig(Env({
        {"OTEL_SDK_DISABLED", "FALSE"},
        {"OTEL_TRACES_SAMPLER", "ParentBased_TraceIdRatio"},
        {"OTEL_TRACES_SAMPLER_ARG", "0.25"},
        {"OTEL_BSP_SCHEDULE_DELAY", "100"},
        {"OTEL_BSP_EXPORT_TIMEOUT", "200"},
        {"OTEL_BSP_MAX_QUEUE_SIZE", "10"},
        {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "5"},
        {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "7"},
        {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "9"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/mycollector"},
        {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
        {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"},
        {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
        {"OTEL_EXPORTER_OTLP_TIMEOUT", "1000"},
        {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0"},
        {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b,tenant=t1"},
        {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"},
        {"OTEL_TRACES_EXPORTER", "console,otlp"},
    }));
    ASSERT_TRUE(c.ok()) << c.message();
    const auto& v = c.value();
    EXPECT_EQ(v.sampler, "parentbased_traceidratio");
    EXPECT_DOUBLE_EQ(v.sampler_ratio, 0.25);
    EXPECT_EQ(v.batch.scheduled_delay, 100ms);
    EXPECT_EQ(v.batch.export_timeout, 200ms);
    EXPECT_EQ(v.batch.max_queue_size, 10u);
    EXPECT_EQ(v.batch.max_export_batch_size, 5u);
    EXPECT_EQ(v.limits.attribute_count, 7u);
    EXPECT_EQ(v.limits.attribute_value_length, 9u);
    EXPECT_EQ(v.otlp.endpoint, "http://c:4318/mycollector/v1/traces");
    EXPECT_EQ(v.otlp.protocol, OtlpProtocol::kHttpProtobuf);
    EXPECT_EQ(v.otlp.compression, OtlpCompression::kGzip);
    EXPECT_EQ(v.otlp.timeout, 0ms);
    ASSERT_EQ(v.otlp.headers.size(), 2u);
    EXPECT_EQ(v.otlp.headers[0], (std::pair<std::string, std::string>{"api-key", "a b"}));
    EXPECT_EQ(v.otlp.certificate_file, "/etc/ca.pem");
    EXPECT_EQ(v.exporters, (std::vector<TracesExporterKind>{TracesExporterKind::kConsole,
                                                             TracesExporterKind::kOtlp}));
    auto sampler = MakeSamplerFromConfig(v);
    ASSERT_TRUE(sampler.ok());
    EXPECT_NE(sampler.value()->Description().find("TraceIdRatioBased{0.250000}"),
              std::string::npos);
}

TEST(TelemetryEnvConfig, EndpointRules) {
    auto specific = ReadTracesEnvConfig(Env({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318"},
                                             {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://other"}}));
    ASSERT_TRUE(specific.ok());
    EXPECT_EQ(specific.value().otlp.endpoint, "http://c:4318/");  // as is; empty path -> "/"
    auto generic = ReadTracesEnvConfig(Env({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c:4318/"}}));
    ASSERT_TRUE(generic.ok());
    EXPECT_EQ(generic.value().otlp.endpoint, "https://c:4318/v1/traces");
}

TEST(TelemetryEnvConfig, BadValuesNameTheVariable) {
    const std::pair<const char*, const char*> cases[] = {
        {"OTEL_SDK_DISABLED", "yes"},
        {"OTEL_TRACES_SAMPLER", "jaeger_remote"},
        {"OTEL_BSP_SCHEDULE_DELAY", "-5"},
        {"OTEL_BSP_MAX_QUEUE_SIZE", "many"},
        {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "thrift"},
        {"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"},
        {"OTEL_EXPORTER_OTLP_TIMEOUT", "1s"},
        {"OTEL_EXPORTER_OTLP_HEADERS", "novalue"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"},
        {"OTEL_TRACES_EXPORTER", "zipkin"},
        {"OTEL_SPAN_EVENT_COUNT_LIMIT", "x"},
    };
    for (const auto& [var, value] : cases) {
        auto c = ReadTracesEnvConfig(Env({{var, value}}));
        ASSERT_FALSE(c.ok()) << var;
        EXPECT_NE(c.message().find(var), std::string::npos) << c.message();
    }
    auto ratio = ReadTracesEnvConfig(
        Env({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1.5"}}));
    ASSERT_FALSE(ratio.ok());
    EXPECT_NE(ratio.message().find("OTEL_TRACES_SAMPLER_ARG"), std::string::npos);
    auto batch = ReadTracesEnvConfig(
        Env({{"OTEL_BSP_MAX_QUEUE_SIZE", "10"}, {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "20"}}));
    ASSERT_FALSE(batch.ok());
    EXPECT_NE(batch.message().find("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"), std::string::npos);
    // The ratio argument is ignored when no ratio sampler is chosen.
    EXPECT_TRUE(ReadTracesEnvConfig(Env({{"OTEL_TRACES_SAMPLER_ARG", "bogus"}})).ok());
}

TEST(TelemetryEnvConfig, PersistentQueueVariables) {
    auto c = ReadTracesEnvConfig(Env({{"TOME_OTLP_PERSISTENT_QUEUE_DIR", " /var/lib/tome/q "},
                                      {"TOME_OTLP_PERSISTENT_QUEUE_MAX_BYTES", "1048576"}}));
    ASSERT_TRUE(c.ok()) << c.message();
    ASSERT_TRUE(c.value().otlp.persistent_queue.has_value());
    EXPECT_EQ(c.value().otlp.persistent_queue->dir, "/var/lib/tome/q");
    EXPECT_EQ(c.value().otlp.persistent_queue->max_bytes, 1048576u);
    EXPECT_FALSE(ReadTracesEnvConfig(Env({})).value().otlp.persistent_queue.has_value());

    auto small = ReadTracesEnvConfig(Env({{"TOME_OTLP_PERSISTENT_QUEUE_DIR", "/q"},
                                          {"TOME_OTLP_PERSISTENT_QUEUE_MAX_BYTES", "100"}}));
    ASSERT_FALSE(small.ok());
    EXPECT_NE(small.message().find("TOME_OTLP_PERSISTENT_QUEUE_MAX_BYTES"), std::string::npos);
    if (OtlpGrpcAvailable()) {
        auto grpc = ReadTracesEnvConfig(Env({{"TOME_OTLP_PERSISTENT_QUEUE_DIR", "/q"},
                                             {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}));
        ASSERT_FALSE(grpc.ok());
        EXPECT_NE(grpc.message().find("not grpc"), std::string::npos) << grpc.message();
    }
    // A directory that cannot be made is an error at start, naming the variable.
    auto sdk = BuildTracesSdkFromEnv(
        Env({{"TOME_OTLP_PERSISTENT_QUEUE_DIR", "/proc/tome-cannot-be-here"},
             {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"}}));
    ASSERT_FALSE(sdk.ok());
    EXPECT_NE(sdk.message().find("TOME_OTLP_PERSISTENT_QUEUE_DIR"), std::string::npos)
        << sdk.message();
}

TEST(TelemetryEnvConfig, DisabledSdkIsNoopButPropagatorsWork) {
    auto sdk = BuildTracesSdkFromEnv(Env({{"OTEL_SDK_DISABLED", "true"}}));
    ASSERT_TRUE(sdk.ok()) << sdk.message();
    EXPECT_TRUE(sdk.value().provider->is_noop());
    EXPECT_EQ(sdk.value().propagator->Fields().size(), 3u);
}

TEST(TelemetryEnvConfig, BuildsAWorkingOtlpPipeline) {
    testing::LoopbackReceiver rx;
    SelfStats stats;
    auto sdk = BuildTracesSdkFromEnv(
        Env({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", rx.url()},
             {"OTEL_SERVICE_NAME", "env-svc"},
             {"OTEL_TRACES_SAMPLER", "always_on"},
             {"OTEL_PROPAGATORS", "tracecontext,xray"}}),
        {}, &stats);
    ASSERT_TRUE(sdk.ok()) << sdk.message();
    EXPECT_EQ(sdk.value().warnings.size(), 1u);
    auto& provider = *sdk.value().provider;
    EXPECT_EQ(std::get<std::string>(*provider.resource().Find("service.name")), "env-svc");
    provider.GetTracer("t").StartSpan("hello").End();
    EXPECT_TRUE(provider.ForceFlush(10s));
    EXPECT_EQ(rx.requests().size(), 1u);
    EXPECT_EQ(stats.Snapshot().spans_exported, 1u);
}

}  // namespace
}  // namespace tome::telemetry::exporter
