// Logs export env config (ReadLogsEnvConfig / BuildLogsExportFromEnv) and the OTLP/HTTP log
// exporter on the shared transport: 503 twice then 200 delivers each record once.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "loopback_receiver.hpp"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "tome/telemetry/export/logs_env_config.hpp"
#include "tome/telemetry/export/otlp_grpc_transport.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackReceiver;
namespace pb = opentelemetry::proto;
using Clock = logs::LogExporter::Clock;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

std::vector<std::unique_ptr<logs::LogRecord>> Batch() {
    auto resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("tome")}});
    auto scope = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"tome.logs", "1", ""});
    std::vector<std::unique_ptr<logs::LogRecord>> out;
    for (int i = 1; i <= 3; ++i) {
        auto r = std::make_unique<logs::LogRecord>();
        r->body = "record-" + std::to_string(i);
        r->resource = resource;
        r->scope = scope;
        out.push_back(std::move(r));
    }
    return out;
}

std::multiset<std::string> Bodies(const std::string& body) {
    std::multiset<std::string> out;
    pb::collector::logs::v1::ExportLogsServiceRequest req;
    if (!req.ParseFromString(body)) return out;
    for (const auto& rl : req.resource_logs())
        for (const auto& sl : rl.scope_logs())
            for (const auto& r : sl.log_records()) out.insert(r.body().string_value());
    return out;
}

TEST(LogsEnvConfig, DefaultsAndOverrides) {
    auto d = ReadLogsEnvConfig(FakeEnv({}));
    ASSERT_TRUE(d.ok()) << d.message();
    EXPECT_EQ(d.value().exporters, std::vector<SignalExporterKind>{SignalExporterKind::kOtlp});
    EXPECT_EQ(d.value().otlp.http.endpoint, "http://localhost:4318/v1/logs");
    auto s = ReadLogsEnvConfig(FakeEnv({{"OTEL_LOGS_EXPORTER", "console, otlp,console"},
                                        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/"},
                                        {"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "0"},
                                        {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/ca.pem"}}));
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(s.value().exporters, (std::vector<SignalExporterKind>{SignalExporterKind::kConsole,
                                                                    SignalExporterKind::kOtlp}));
    EXPECT_EQ(s.value().otlp.http.endpoint, "http://c:4318/v1/logs");
    EXPECT_EQ(s.value().otlp.http.timeout, 0ms);
    EXPECT_EQ(s.value().otlp.http.certificate_file, "/ca.pem");
    auto g = ReadLogsEnvConfig(FakeEnv({{"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc"},
                                        {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "c:4317"},
                                        {"OTEL_EXPORTER_OTLP_LOGS_INSECURE", "true"}}));
    if (OtlpGrpcAvailable()) {
        ASSERT_TRUE(g.ok()) << g.message();
        EXPECT_EQ(g.value().otlp.grpc.endpoint, "c:4317");
        EXPECT_TRUE(g.value().otlp.grpc.insecure);
        EXPECT_EQ(g.value().otlp.grpc.method, kOtlpGrpcLogsExportMethod);
    } else {
        ASSERT_FALSE(g.ok());
        EXPECT_NE(g.message().find("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL"), std::string::npos);
    }
}

TEST(LogsEnvConfig, ErrorsNameTheVariable) {
    const std::pair<const char*, const char*> bad[] = {
        {"OTEL_LOGS_EXPORTER", "zipkin"},
        {"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/xml"},
        {"OTEL_EXPORTER_OTLP_PROTOCOL", "json"},
        {"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "10s"},
        {"OTEL_EXPORTER_OTLP_COMPRESSION", "br"},
        {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "localhost:4318"},
        {"OTEL_EXPORTER_OTLP_LOGS_INSECURE", "maybe"},
    };
    for (const auto& [var, value] : bad) {
        auto r = ReadLogsEnvConfig(FakeEnv({{var, value}}));
        ASSERT_FALSE(r.ok()) << var << "=" << value;
        EXPECT_NE(r.message().find(var), std::string::npos) << r.message();
    }
}

TEST(LogsEnvConfig, BuildsHttpExporterThatRetries503TwiceAndDeliversEachRecordOnce) {
    LoopbackReceiver rx({{503, "", "0"}, {503, "", "0"}});
    auto b = BuildLogsExportFromEnv(FakeEnv({{"OTEL_LOGS_EXPORTER", "otlp"},
                                             {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                                              rx.url("/v1/logs")},
                                             {"OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "none"}}));
    ASSERT_TRUE(b.ok()) << b.message();
    ASSERT_EQ(b.value().exporters.size(), 1u);
    auto* e = dynamic_cast<logs::OtlpHttpLogExporter*>(b.value().exporters[0].get());
    ASSERT_NE(e, nullptr);
    const auto batch = Batch();
    EXPECT_EQ(e->Export(batch, Clock::now() + 10s), logs::ExportResult::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(reqs[2].target, "/v1/logs");
    EXPECT_EQ(Bodies(reqs[2].body),
              (std::multiset<std::string>{"record-1", "record-2", "record-3"}));
    EXPECT_EQ(e->stats().retries, 2u);
    EXPECT_EQ(e->stats().exported, 3u);
    auto none = BuildLogsExportFromEnv(FakeEnv({{"OTEL_LOGS_EXPORTER", "none"}}));
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none.value().exporters.empty());
}

}  // namespace
}  // namespace tome::telemetry::exporter
