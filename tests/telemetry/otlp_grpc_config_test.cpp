// The gRPC-independent parts of OTLP/gRPC support (retry table, RetryInfo decoding, endpoint
// parsing, env configuration) and TOME_OTLP_FILE selection. Built with or without gRPC.
#include <gtest/gtest.h>

#include <map>

#include "grpc_status_util.hpp"
#include "tome/telemetry/export/env_config.hpp"
#include "tome/telemetry/export/otlp_grpc_exporter.hpp"

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

TEST(TelemetryOtlpGrpcRules, RetryableCodesFollowTheOtlpTable) {
    // OK..UNAUTHENTICATED in grpc::StatusCode order.
    const bool expected[17] = {false, true,  false, false, true,  false, false, false, false,
                               false, true,  true,  false, false, true,  true,  false};
    for (int code = 0; code <= 16; ++code)
        EXPECT_EQ(IsRetryableGrpcCode(code, false), expected[code]) << code;
    EXPECT_FALSE(IsRetryableGrpcCode(8, false));  // RESOURCE_EXHAUSTED without RetryInfo
    EXPECT_TRUE(IsRetryableGrpcCode(8, true));    // ... and with it
    EXPECT_FALSE(IsRetryableGrpcCode(3, true));   // RetryInfo never makes INVALID_ARGUMENT retry
}

TEST(TelemetryOtlpGrpcRules, DecodesRetryInfoFromStatusDetails) {
    EXPECT_EQ(DecodeGrpcRetryDelay(testing::StatusWithRetryInfo(8, 100ms)), 100ms);
    EXPECT_EQ(DecodeGrpcRetryDelay(testing::StatusWithRetryInfo(8, 2s + 5ns)), 2s + 5ns);
    EXPECT_EQ(DecodeGrpcRetryDelay(testing::StatusWithRetryInfo(8, 0ns)), 0ns);
    EXPECT_EQ(DecodeGrpcRetryDelay(testing::StatusWithRetryInfo(8, 10h)), 1h);  // clamped
    // No details, an unrelated detail, garbage.
    EXPECT_FALSE(DecodeGrpcRetryDelay(""));
    EXPECT_FALSE(DecodeGrpcRetryDelay(testing::RpcStatusBytes(14, "down", {})));
    EXPECT_FALSE(DecodeGrpcRetryDelay(
        testing::RpcStatusBytes(8, "x", {testing::AnyOf("google.rpc.DebugInfo", "")})));
    EXPECT_FALSE(DecodeGrpcRetryDelay("\x1a\x7f"));  // length past the end
}

TEST(TelemetryOtlpGrpcRules, ParsesEndpoints) {
    auto t = ParseGrpcEndpoint("http://localhost:4317", false);
    ASSERT_TRUE(t.ok()) << t.message();
    EXPECT_EQ(t.value().authority, "localhost:4317");
    EXPECT_FALSE(t.value().tls);
    t = ParseGrpcEndpoint("https://collector.example:443/", true);  // scheme wins over insecure
    ASSERT_TRUE(t.ok()) << t.message();
    EXPECT_EQ(t.value().authority, "collector.example:443");
    EXPECT_TRUE(t.value().tls);
    t = ParseGrpcEndpoint("https://c", false);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value().authority, "c:443");
    t = ParseGrpcEndpoint("c:4317", false);
    ASSERT_TRUE(t.ok());
    EXPECT_TRUE(t.value().tls);
    t = ParseGrpcEndpoint("c", true);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value().authority, "c:4317");
    EXPECT_FALSE(t.value().tls);
    t = ParseGrpcEndpoint("http://[::1]:9000", false);
    ASSERT_TRUE(t.ok()) << t.message();
    EXPECT_EQ(t.value().authority, "[::1]:9000");
    for (const char* bad : {"", "http://", "ftp://c:1", "http://c:4317/v1/traces", "http://c:0",
                            "http://c:99999", "http://c:x", "http://[::1", "http://a b:1"})
        EXPECT_FALSE(ParseGrpcEndpoint(bad, false).ok()) << bad;
}

TEST(TelemetryOtlpGrpcConfig, ProtocolGrpcUsesTheEndpointAsIs) {
    auto c = ReadTracesEnvConfig(Env({{"OTEL_EXPORTER_OTLP_PROTOCOL", "GRPC"}}));
    if (!OtlpGrpcAvailable()) {
        ASSERT_FALSE(c.ok());
        EXPECT_NE(c.message().find("OTEL_EXPORTER_OTLP_PROTOCOL"), std::string::npos);
        EXPECT_NE(c.message().find("no gRPC support"), std::string::npos) << c.message();
        GTEST_SKIP() << "built without gRPC";
    }
    ASSERT_TRUE(c.ok()) << c.message();
    EXPECT_EQ(c.value().otlp_transport, OtlpTransport::kGrpc);
    EXPECT_EQ(c.value().otlp_grpc.endpoint, "http://localhost:4317");
    EXPECT_FALSE(c.value().otlp_grpc.insecure);

    c = ReadTracesEnvConfig(Env({{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"},
                                 {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
                                 {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"},
                                 {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20t"},
                                 {"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip"},
                                 {"OTEL_EXPORTER_OTLP_TIMEOUT", "1234"},
                                 {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"}}));
    ASSERT_TRUE(c.ok()) << c.message();
    const auto& g = c.value().otlp_grpc;
    EXPECT_EQ(g.endpoint, "http://c:4317");  // no /v1/traces for grpc
    ASSERT_EQ(g.headers.size(), 1u);
    EXPECT_EQ(g.headers[0].first, "authorization");
    EXPECT_EQ(g.headers[0].second, "Bearer t");
    EXPECT_EQ(g.compression, OtlpCompression::kGzip);
    EXPECT_EQ(g.timeout, 1234ms);
    EXPECT_EQ(g.certificate_file, "/etc/ca.pem");

    c = ReadTracesEnvConfig(Env({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                                 {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:1"},
                                 {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "collector:4317"},
                                 {"OTEL_EXPORTER_OTLP_INSECURE", "false"},
                                 {"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "TRUE"}}));
    ASSERT_TRUE(c.ok()) << c.message();
    EXPECT_EQ(c.value().otlp_grpc.endpoint, "collector:4317");
    EXPECT_TRUE(c.value().otlp_grpc.insecure);

    auto sdk = BuildTracesSdkFromEnv(Env({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}));
    ASSERT_TRUE(sdk.ok()) << sdk.message();
    EXPECT_TRUE(sdk.value().provider->Shutdown(1s));
}

TEST(TelemetryOtlpGrpcConfig, BadGrpcValuesNameTheVariable) {
    const std::pair<const char*, const char*> cases[] = {
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317/v1/traces"},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://c"},
        {"OTEL_EXPORTER_OTLP_INSECURE", "yes"},
    };
    for (const auto& [var, value] : cases) {
        auto c = ReadTracesEnvConfig(Env({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {var, value}}));
        ASSERT_FALSE(c.ok()) << var;
        if (OtlpGrpcAvailable()) {
            EXPECT_NE(c.message().find(var), std::string::npos) << c.message();
        }
    }
    // Without the otlp exporter selected, grpc is accepted even in a build without gRPC.
    EXPECT_TRUE(ReadTracesEnvConfig(Env({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                                         {"OTEL_TRACES_EXPORTER", "console"}}))
                    .ok());
}

TEST(TelemetryOtlpGrpcConfig, FactoryReportsSetupErrors) {
    OtlpGrpcExporterOptions o;
    o.endpoint = "https://127.0.0.1:1";
    o.certificate_file = "/nonexistent/ca.pem";
    auto e = MakeOtlpGrpcExporter(o);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.message().find(OtlpGrpcAvailable() ? "/nonexistent/ca.pem" : "no gRPC"),
              std::string::npos)
        << e.message();
    o.certificate_file.clear();
    o.endpoint = "http://c:4317/path";
    EXPECT_FALSE(MakeOtlpGrpcExporter(o).ok());
    // A direct instance with a bad setup fails every export without retrying.
    OtlpGrpcExporter direct(o);
    EXPECT_FALSE(direct.setup_error().empty());
    std::vector<std::unique_ptr<trace::SpanData>> batch;
    batch.push_back(std::make_unique<trace::SpanData>());
    EXPECT_EQ(direct.Export(batch, std::chrono::steady_clock::now() + 1s),
              trace::ExportResult::kFailureNonRetryable);
    EXPECT_TRUE(direct.Shutdown(0ms));
}

TEST(TelemetryOtlpFileConfig, TomeOtlpFileSelectsTheFileExporter) {
    auto c = ReadTracesEnvConfig(Env({{"TOME_OTLP_FILE", " /tmp/spans.jsonl "}}));
    ASSERT_TRUE(c.ok()) << c.message();
    EXPECT_EQ(c.value().otlp_file.path, "/tmp/spans.jsonl");
    EXPECT_EQ(c.value().exporters,
              (std::vector<TracesExporterKind>{TracesExporterKind::kOtlpFile}));
    c = ReadTracesEnvConfig(
        Env({{"TOME_OTLP_FILE", "/tmp/spans.jsonl"}, {"OTEL_TRACES_EXPORTER", "console,otlp"}}));
    ASSERT_TRUE(c.ok()) << c.message();
    EXPECT_EQ(c.value().exporters,
              (std::vector<TracesExporterKind>{TracesExporterKind::kConsole,
                                               TracesExporterKind::kOtlp,
                                               TracesExporterKind::kOtlpFile}));
    c = ReadTracesEnvConfig(Env({{"TOME_OTLP_FILE", "/tmp/x"}, {"OTEL_TRACES_EXPORTER", "none"}}));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c.value().exporters,
              (std::vector<TracesExporterKind>{TracesExporterKind::kOtlpFile}));
    auto sdk = BuildTracesSdkFromEnv(Env({{"TOME_OTLP_FILE", "/nonexistent-dir/spans.jsonl"}}));
    ASSERT_FALSE(sdk.ok());
    EXPECT_NE(sdk.message().find("TOME_OTLP_FILE"), std::string::npos) << sdk.message();
}

}  // namespace
}  // namespace tome::telemetry::exporter
