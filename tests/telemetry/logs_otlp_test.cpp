#include <gtest/gtest.h>
#include <zlib.h>

#include <map>

#include <nlohmann/json.hpp>

#include "loopback_receiver.hpp"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::logs {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackReceiver;
namespace pb = opentelemetry::proto;

constexpr std::uint64_t kNow = 1'795'507'200'123'000'000;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// Emits records through a real provider into memory, so the encoder sees what the SDK makes.
std::vector<std::unique_ptr<LogRecord>> EmitSample() {
    auto exporter = std::make_unique<InMemoryLogExporter>();
    auto storage = exporter->storage();
    LoggerProviderOptions o;
    o.resource = std::make_shared<const trace::Resource>(std::vector<trace::Attribute>{
        {"service.name", std::string("tome")}, {"process.pid", std::int64_t{7}}});
    o.processors.push_back(std::make_unique<SimpleLogProcessor>(std::move(exporter)));
    o.now_unix_nano = [] { return kNow; };
    auto provider = MakeLoggerProvider(std::move(o));
    auto logger = provider->GetLogger("tome.connector", "1.0", "https://schema/1");
    trace::SpanContext sc;
    sc.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    sc.span_id = *SpanId::FromHex("00f067aa0ba902b7");
    sc.trace_flags = 1;
    {
        trace::Scope scope(trace::Context{}.WithSpanContext(sc));
        const std::vector<std::string> tags{"a", "b"};
        logger->Warn("disk almost full", {{"free.bytes", 1024}, {"tags", tags},
                                          {"api_key", "k-123"}, {"ratio", 0.25}});
    }
    LogRecord r;
    r.severity = static_cast<Severity>(18);
    r.severity_text = "E2";
    r.time_unix_nano = 5;
    r.event_name = "tome.event";
    r.dropped_attributes_count = 3;
    r.body = LogValue(LogValue::Map{{"k", LogValue(LogValue::Array{true, 1.5})},
                                    {"raw", LogValue(LogValue::Bytes{std::string("\x00\x01", 2)})}});
    provider->GetLogger("other")->Emit(std::move(r));
    std::vector<std::unique_ptr<LogRecord>> out;
    for (auto& rec : storage->Snapshot()) out.push_back(std::make_unique<LogRecord>(rec));
    return out;
}

TEST(OtlpLogEncoder, EveryFieldDecodesWithLibprotobuf) {
    const auto batch = EmitSample();
    ASSERT_EQ(batch.size(), 2u);
    std::string bytes;
    EncodeOtlpLogs(batch, bytes);
    pb::collector::logs::v1::ExportLogsServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(bytes));
    ASSERT_EQ(req.resource_logs_size(), 1);
    const auto& rl = req.resource_logs(0);
    ASSERT_EQ(rl.resource().attributes_size(), 2);
    EXPECT_EQ(rl.resource().attributes(0).key(), "service.name");
    EXPECT_EQ(rl.resource().attributes(0).value().string_value(), "tome");
    EXPECT_EQ(rl.resource().attributes(1).value().int_value(), 7);
    ASSERT_EQ(rl.scope_logs_size(), 2);

    const auto& s0 = rl.scope_logs(0);
    EXPECT_EQ(s0.scope().name(), "tome.connector");
    EXPECT_EQ(s0.scope().version(), "1.0");
    EXPECT_EQ(s0.schema_url(), "https://schema/1");
    ASSERT_EQ(s0.log_records_size(), 1);
    const auto& a = s0.log_records(0);
    EXPECT_EQ(a.time_unix_nano(), kNow);
    EXPECT_EQ(a.observed_time_unix_nano(), kNow);
    EXPECT_EQ(a.severity_number(), pb::logs::v1::SEVERITY_NUMBER_WARN);
    EXPECT_EQ(a.severity_text(), "WARN");
    EXPECT_EQ(a.body().string_value(), "disk almost full");
    EXPECT_EQ(a.trace_id(), std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e"
                                        "\x47\x36"));
    EXPECT_EQ(a.span_id(), std::string("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8));
    EXPECT_EQ(a.flags(), 1u);
    ASSERT_EQ(a.attributes_size(), 4);
    EXPECT_EQ(a.attributes(0).key(), "free.bytes");
    EXPECT_EQ(a.attributes(0).value().int_value(), 1024);
    ASSERT_EQ(a.attributes(1).value().array_value().values_size(), 2);
    EXPECT_EQ(a.attributes(1).value().array_value().values(1).string_value(), "b");
    EXPECT_EQ(a.attributes(2).key(), "api_key");
    EXPECT_EQ(a.attributes(2).value().string_value(), "[REDACTED]");
    EXPECT_EQ(a.attributes(3).value().double_value(), 0.25);
    EXPECT_EQ(a.dropped_attributes_count(), 0u);
    EXPECT_TRUE(a.event_name().empty());

    const auto& s1 = rl.scope_logs(1);
    EXPECT_EQ(s1.scope().name(), "other");
    ASSERT_EQ(s1.log_records_size(), 1);
    const auto& b = s1.log_records(0);
    EXPECT_EQ(b.time_unix_nano(), 5u);
    EXPECT_EQ(b.observed_time_unix_nano(), kNow);
    EXPECT_EQ(b.severity_number(), pb::logs::v1::SEVERITY_NUMBER_ERROR2);
    EXPECT_EQ(b.severity_text(), "E2");
    EXPECT_EQ(b.event_name(), "tome.event");
    EXPECT_EQ(b.dropped_attributes_count(), 3u);
    EXPECT_TRUE(b.trace_id().empty());  // no active span, none set
    EXPECT_TRUE(b.span_id().empty());
    EXPECT_EQ(b.flags(), 0u);
    const auto& kv = b.body().kvlist_value();
    ASSERT_EQ(kv.values_size(), 2);
    EXPECT_EQ(kv.values(0).key(), "k");
    EXPECT_TRUE(kv.values(0).value().array_value().values(0).bool_value());
    EXPECT_EQ(kv.values(0).value().array_value().values(1).double_value(), 1.5);
    EXPECT_EQ(kv.values(1).value().bytes_value(), std::string("\x00\x01", 2));
}

TEST(OtlpLogEncoder, StringsThatAreNotUtf8ArriveWithReplacementCharacters) {
    const std::string r = "\xEF\xBF\xBD";  // U+FFFD
    auto rec = std::make_unique<LogRecord>();
    rec->severity = Severity::kWarn;
    rec->severity_text = "WARN\xFF";
    rec->body = LogValue("tome '\xFF\xFE' does not exist");
    rec->attributes = {{"url.path", LogValue("/api/tomes/\xC3")},
                       {"k\xED\xA0\x80", LogValue("v")},
                       {"nested", LogValue(LogValue::Map{{"\xF0\x9F\x98", LogValue("x")}})},
                       {"bytes", LogValue(LogValue::Bytes{std::string("\xFF")})}};
    rec->event_name = "ev\xC0\xAF";
    rec->resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("svc\xFE")}});
    rec->scope = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"scope\xFF", "", ""});
    std::vector<std::unique_ptr<LogRecord>> batch;
    batch.push_back(std::move(rec));
    std::string bytes;
    EncodeOtlpLogs(batch, bytes);
    pb::collector::logs::v1::ExportLogsServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(bytes));  // libprotobuf refuses proto3 strings not UTF-8
    const auto& rl = req.resource_logs(0);
    EXPECT_EQ(rl.resource().attributes(0).value().string_value(), "svc" + r);
    EXPECT_EQ(rl.scope_logs(0).scope().name(), "scope" + r);
    const auto& lr = rl.scope_logs(0).log_records(0);
    EXPECT_EQ(lr.severity_text(), "WARN" + r);
    EXPECT_EQ(lr.body().string_value(), "tome '" + r + r + "' does not exist");
    EXPECT_EQ(lr.attributes(0).value().string_value(), "/api/tomes/" + r);
    EXPECT_EQ(lr.attributes(1).key(), "k" + r + r + r);
    EXPECT_EQ(lr.attributes(2).value().kvlist_value().values(0).key(), r);
    EXPECT_EQ(lr.attributes(3).value().bytes_value(), "\xFF");  // bytes stay bytes
    EXPECT_EQ(lr.event_name(), "ev" + r + r);

    std::string json;
    EncodeOtlpLogsJson(batch, json);
    const auto j = nlohmann::json::parse(json);  // throws on invalid UTF-8
    EXPECT_EQ(j["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["body"]["stringValue"],
              "tome '" + r + r + "' does not exist");
}

TEST(OtlpLogEncoder, LongMessagesGetMultiByteLengths) {
    std::vector<std::unique_ptr<LogRecord>> batch;
    batch.push_back(std::make_unique<LogRecord>());
    batch[0]->body = LogValue(std::string(70000, 'x'));
    std::string bytes;
    EncodeOtlpLogs(batch, bytes);
    pb::collector::logs::v1::ExportLogsServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(bytes));
    EXPECT_EQ(req.resource_logs(0).scope_logs(0).log_records(0).body().string_value().size(),
              70000u);
}

TEST(OtlpHttpLogExporterOptions, LogsVariablesWinOverGenericOnes) {
    auto d = ReadOtlpHttpLogExporterOptions(FakeEnv({}));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().endpoint, "http://localhost:4318/v1/logs");
    auto g = ReadOtlpHttpLogExporterOptions(FakeEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/"},
                                                     {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                                                     {"OTEL_EXPORTER_OTLP_HEADERS", "a=1"}}));
    ASSERT_TRUE(g.ok()) << g.message();
    EXPECT_EQ(g.value().endpoint, "http://c:4318/v1/logs");
    EXPECT_EQ(g.value().timeout, 2500ms);
    auto s = ReadOtlpHttpLogExporterOptions(
        FakeEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                 {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "https://logs.example/custom"},
                 {"OTEL_EXPORTER_OTLP_HEADERS", "a=1"},
                 {"OTEL_EXPORTER_OTLP_LOGS_HEADERS", "api-key=s%20t"},
                 {"OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "gzip"}}));
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(s.value().endpoint, "https://logs.example/custom");
    ASSERT_EQ(s.value().headers.size(), 1u);
    EXPECT_EQ(s.value().headers[0], std::make_pair(std::string("api-key"), std::string("s t")));
    EXPECT_TRUE(s.value().gzip);
}

TEST(OtlpHttpLogExporterOptions, ErrorsNameTheVariable) {
    auto t = ReadOtlpHttpLogExporterOptions(FakeEnv({{"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "x"}}));
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.message().find("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT"), std::string::npos);
    auto p = ReadOtlpHttpLogExporterOptions(FakeEnv({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}));
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.message().find("OTEL_EXPORTER_OTLP_PROTOCOL"), std::string::npos);
    auto e = ReadOtlpHttpLogExporterOptions(FakeEnv({{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "c:1"}}));
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.message().find("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"), std::string::npos);
}

OtlpHttpLogExporterOptions To(const LoopbackReceiver& rx) {
    OtlpHttpLogExporterOptions o;
    o.endpoint = rx.url("/v1/logs");
    o.headers = {{"x-api-key", "abc"}};
    o.initial_backoff = 1ms;
    o.max_backoff = 2ms;
    return o;
}

TEST(OtlpHttpLogExporter, PostsProtobufToV1Logs) {
    LoopbackReceiver rx;
    OtlpHttpLogExporter e(To(rx));
    const auto batch = EmitSample();
    EXPECT_EQ(e.Export(batch, LogExporter::Clock::now() + 10s), ExportResult::kSuccess);
    auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].target, "/v1/logs");
    EXPECT_EQ(reqs[0].content_type, "application/x-protobuf");
    EXPECT_EQ(reqs[0].custom_header, "abc");
    pb::collector::logs::v1::ExportLogsServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(reqs[0].body));
    EXPECT_EQ(req.resource_logs(0).scope_logs_size(), 2);
    EXPECT_EQ(e.stats().exported, 2u);
}

TEST(OtlpHttpLogExporter, GzipsTheBodyWhenAsked) {
    LoopbackReceiver rx;
    OtlpHttpLogExporterOptions o = To(rx);
    o.gzip = true;
    OtlpHttpLogExporter e(o);
    const auto batch = EmitSample();
    EXPECT_EQ(e.Export(batch, LogExporter::Clock::now() + 10s), ExportResult::kSuccess);
    auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].content_encoding, "gzip");
    std::string plain(64 * 1024, '\0');
    z_stream zs{};
    ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(reqs[0].body.data());
    zs.avail_in = static_cast<uInt>(reqs[0].body.size());
    zs.next_out = reinterpret_cast<Bytef*>(plain.data());
    zs.avail_out = static_cast<uInt>(plain.size());
    ASSERT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
    plain.resize(zs.total_out);
    inflateEnd(&zs);
    std::string expected;
    EncodeOtlpLogs(batch, expected);
    EXPECT_EQ(plain, expected);
}

TEST(OtlpHttpLogExporter, RetriesTransientStatusesAndHonoursRetryAfter) {
    // The backoff alone (1 h) would overrun the deadline: only Retry-After: 0 allows the retry.
    LoopbackReceiver rx({{503, "", "0"}, {429, "", "0"}});
    OtlpHttpLogExporterOptions o = To(rx);
    o.initial_backoff = 1h;
    o.max_backoff = 1h;
    OtlpHttpLogExporter e(o);
    const auto batch = EmitSample();
    EXPECT_EQ(e.Export(batch, LogExporter::Clock::now() + 10s), ExportResult::kSuccess);
    EXPECT_EQ(rx.requests().size(), 3u);
    EXPECT_EQ(e.stats().retries, 2u);
}

TEST(OtlpHttpLogExporter, DoesNotRetryClientErrorsAndRefusesAfterShutdown) {
    LoopbackReceiver rx({{400, "", ""}});
    OtlpHttpLogExporter e(To(rx));
    const auto batch = EmitSample();
    EXPECT_EQ(e.Export(batch, LogExporter::Clock::now() + 10s),
              ExportResult::kFailureNonRetryable);
    EXPECT_EQ(rx.requests().size(), 1u);
    EXPECT_TRUE(e.Shutdown(1s));
    EXPECT_TRUE(e.Shutdown(1s));
    EXPECT_EQ(e.Export(batch, LogExporter::Clock::now() + 10s),
              ExportResult::kFailureNonRetryable);
    EXPECT_EQ(rx.requests().size(), 1u);
}

TEST(OtlpHttpLogExporter, ShutdownAbortsAHangingExport) {
    LoopbackReceiver rx({{0, "", ""}});  // never answers
    OtlpHttpLogExporter e(To(rx));
    const auto batch = EmitSample();
    std::thread stopper([&] {
        ASSERT_TRUE(rx.WaitForRequests(1, 10s));
        e.Shutdown(0ms);
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_NE(e.Export(batch, LogExporter::Clock::now() + 60s), ExportResult::kSuccess);
    stopper.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

TEST(OtlpHttpLogExporter, CountsRecordsTheReceiverRejected) {
    pb::collector::logs::v1::ExportLogsServiceResponse resp;
    resp.mutable_partial_success()->set_rejected_log_records(1);
    resp.mutable_partial_success()->set_error_message("too old");
    LoopbackReceiver rx({{200, resp.SerializeAsString(), ""}});
    OtlpHttpLogExporter e(To(rx));
    const auto batch = EmitSample();
    EXPECT_EQ(e.Export(batch, LogExporter::Clock::now() + 10s), ExportResult::kSuccess);
    EXPECT_EQ(e.stats().rejected, 1u);
    EXPECT_EQ(e.stats().exported, 1u);
}

}  // namespace
}  // namespace tome::telemetry::logs
