// EncodeOtlpLogsJson: an exact golden request for hand-built records (hex ids, 64-bit integers
// as strings, severityNumber as an integer, bytes as base64, nested AnyValues), and the JSON
// parsed by libprotobuf equals the protobuf encoding of the same batch.
#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "otlp_json_test_util.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"

namespace tome::telemetry::logs {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using telemetry::testing::ParseOtlpJson;
using telemetry::testing::ProtoDiff;

std::vector<std::unique_ptr<LogRecord>> HandBuilt() {
    auto resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("svc")},
                                      {"flags", std::vector<bool>{true, false}}},
        "https://schema/r");
    auto scope = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"tome.logs", "2.0", "https://schema/s"});
    auto other = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"other", "", ""});

    std::vector<std::unique_ptr<LogRecord>> out;
    auto full = std::make_unique<LogRecord>();
    full->time_unix_nano = 1'795'507'200'123'000'001;
    full->observed_time_unix_nano = 1'795'507'200'123'000'002;
    full->severity = static_cast<Severity>(18);
    full->severity_text = "E2";
    full->body = LogValue(LogValue::Map{
        {"list", LogValue(LogValue::Array{true, 1.5, LogValue(), "s"})},
        {"raw", LogValue(LogValue::Bytes{std::string("\x00\x01\xff", 3)})}});
    full->attributes = {{"user.id", std::int64_t{9'007'199'254'740'993}},
                        {"line", "a\"b\n"}};
    full->dropped_attributes_count = 2;
    full->event_name = "tome.event";
    full->trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    full->span_id = *SpanId::FromHex("00f067aa0ba902b7");
    full->trace_flags = 1;
    full->resource = resource;
    full->scope = scope;
    out.push_back(std::move(full));

    auto bare = std::make_unique<LogRecord>();  // severity only: text falls back to the name
    bare->severity = Severity::kInfo;
    bare->body = "hello";
    bare->resource = resource;
    bare->scope = other;
    out.push_back(std::move(bare));
    return out;
}

TEST(OtlpLogJsonEncoder, MatchesTheGoldenRequest) {
    const std::string expected =
        R"({"resourceLogs":[{"resource":{"attributes":[)"
        R"({"key":"service.name","value":{"stringValue":"svc"}},)"
        R"({"key":"flags","value":{"arrayValue":{"values":[{"boolValue":true},{"boolValue":false}]}}}]},)"
        R"("scopeLogs":[{"scope":{"name":"tome.logs","version":"2.0"},"logRecords":[{)"
        R"("timeUnixNano":"1795507200123000001","severityNumber":18,"severityText":"E2",)"
        R"("body":{"kvlistValue":{"values":[)"
        R"({"key":"list","value":{"arrayValue":{"values":[{"boolValue":true},{"doubleValue":1.5},{},)"
        R"({"stringValue":"s"}]}}},)"
        R"({"key":"raw","value":{"bytesValue":"AAH/"}}]}},)"
        R"("attributes":[{"key":"user.id","value":{"intValue":"9007199254740993"}},)"
        R"({"key":"line","value":{"stringValue":"a\"b\n"}}],"droppedAttributesCount":2,)"
        R"("flags":1,"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",)"
        R"("observedTimeUnixNano":"1795507200123000002","eventName":"tome.event"}],)"
        R"("schemaUrl":"https://schema/s"},)"
        R"({"scope":{"name":"other"},"logRecords":[{"severityNumber":9,"severityText":"INFO",)"
        R"("body":{"stringValue":"hello"},"attributes":[]}]}],"schemaUrl":"https://schema/r"}]})";
    std::string json;
    EncodeOtlpLogsJson(HandBuilt(), json);
    EXPECT_EQ(json, expected);
}

TEST(OtlpLogJsonEncoder, ParsesToTheProtobufRequest) {
    const auto batch = HandBuilt();
    std::string bytes, json;
    EncodeOtlpLogs(batch, bytes);
    EncodeOtlpLogsJson(batch, json);
    ExportLogsServiceRequest from_proto, from_json;
    ASSERT_TRUE(from_proto.ParseFromString(bytes));
    ASSERT_EQ(ParseOtlpJson(json, from_json), "") << json;
    EXPECT_EQ(ProtoDiff(from_proto, from_json), "");
    const auto& r = from_json.resource_logs(0).scope_logs(0).log_records(0);
    EXPECT_EQ(r.body().kvlist_value().values(1).value().bytes_value(),
              std::string("\x00\x01\xff", 3));
    EXPECT_EQ(r.attributes(0).value().int_value(), 9'007'199'254'740'993);
    EXPECT_EQ(r.trace_id().size(), 16u);
}

TEST(OtlpLogJsonEncoder, RecordsWithoutResourceOrScopeAndBase64Padding) {
    std::vector<std::unique_ptr<LogRecord>> batch;
    for (const std::string raw : {"a", "ab", "abc", ""}) {
        auto r = std::make_unique<LogRecord>();
        r->body = LogValue(LogValue::Bytes{raw});
        batch.push_back(std::move(r));
    }
    std::string json;
    EncodeOtlpLogsJson(batch, json);
    EXPECT_EQ(json,
              R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)"
              R"({"body":{"bytesValue":"YQ=="},"attributes":[]},)"
              R"({"body":{"bytesValue":"YWI="},"attributes":[]},)"
              R"({"body":{"bytesValue":"YWJj"},"attributes":[]},)"
              R"({"body":{"bytesValue":""},"attributes":[]}]}]}]})");
    std::string bytes;
    EncodeOtlpLogs(batch, bytes);
    ExportLogsServiceRequest from_proto, from_json;
    ASSERT_TRUE(from_proto.ParseFromString(bytes));
    ASSERT_EQ(ParseOtlpJson(json, from_json), "");
    EXPECT_EQ(ProtoDiff(from_proto, from_json), "");
    std::string none;
    EncodeOtlpLogsJson({}, none);
    EXPECT_EQ(none, R"({"resourceLogs":[]})");
}

}  // namespace
}  // namespace tome::telemetry::logs
