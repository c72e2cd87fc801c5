// The OTLP/HTTP receiver: encodings, compression, partial success and every error answer.
#include <google/protobuf/util/json_util.h>

#include "console_test_fixture.hpp"
#include "google/rpc/status.pb.h"

namespace tome::console::testing {
namespace {

using OtlpReceiver = ConsoleFixture;

TEST_F(OtlpReceiver, StoresProtobufSpansAndAnswersAnEmptyExportResponse) {
    TraceRequest request;
    AddSpan(request, "shop", "GET /cart", 1, 1, 0, NowNs(), 5'000'000);
    const api::HttpResponse r = PostTraces(request);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/x-protobuf");
    TraceResponse response;
    ASSERT_TRUE(response.ParseFromString(r.body));
    EXPECT_FALSE(response.has_partial_success());
    const auto trace = GetJson("/console/api/traces/" + HexOf(TraceIdBytes(1)))["data"];
    ASSERT_EQ(trace["spans"].size(), 1u);
    EXPECT_EQ(trace["spans"][0]["name"], "GET /cart");
    EXPECT_EQ(trace["spans"][0]["service"], "shop");
    EXPECT_EQ(trace["spans"][0]["durationUs"], 5000);
}

TEST_F(OtlpReceiver, ReadsOtlpJsonWithHexIdsAndAnswersInJson) {
    const std::string body = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"js"}}]},
        "scopeSpans":[{"scope":{"name":"s"},"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
        "name":"hello","kind":2,"startTimeUnixNano":")" + std::to_string(NowNs()) + R"(","endTimeUnixNano":")" +
                             std::to_string(NowNs() + 1000) + R"(","unknownField":1,
        "attributes":[{"key":"n","value":{"intValue":"7"}}]}]}]}]})";
    const api::HttpResponse r = Post("/v1/traces", body, "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    ASSERT_TRUE(console_->Flush(std::chrono::seconds(5)));
    const auto trace = GetJson("/console/api/traces/5b8efff798038103d269b633813fc60c")["data"];
    ASSERT_EQ(trace["spans"].size(), 1u);
    EXPECT_EQ(trace["spans"][0]["spanId"], "eee19b7ec3c1b174");
    EXPECT_EQ(trace["spans"][0]["attributes"]["n"], 7);
}

TEST_F(OtlpReceiver, AcceptsGzipAndRefusesBrokenGzip) {
    TraceRequest request;
    AddSpan(request, "shop", "zipped", 2, 2, 0, NowNs(), 1000);
    ASSERT_EQ(Post("/v1/traces", Gzip(request.SerializeAsString()), "application/x-protobuf", "gzip").status, 200);
    const api::HttpResponse bad = Post("/v1/traces", "not gzip at all", "application/x-protobuf", "gzip");
    EXPECT_EQ(bad.status, 400);
    google::rpc::Status status;
    ASSERT_TRUE(status.ParseFromString(bad.body));
    EXPECT_NE(status.message().find("gzip"), std::string::npos) << status.message();
    ASSERT_TRUE(console_->Flush(std::chrono::seconds(5)));
    EXPECT_EQ(GetJson("/console/api/traces/" + HexOf(TraceIdBytes(2)))["data"]["spanCount"], 1);
}

TEST_F(OtlpReceiver, RejectsBadItemsWithPartialSuccessAndKeepsTheGoodOnes) {
    TraceRequest request;
    AddSpan(request, "shop", "good", 3, 3, 0, NowNs(), 1000);
    AddSpan(request, "shop", "bad", 3, 4, 0, NowNs(), 1000)->set_trace_id("short");
    AddSpan(request, "shop", "zero", 3, 5, 0, NowNs(), 1000)->set_span_id(std::string(8, '\0'));
    const api::HttpResponse r = PostTraces(request);
    ASSERT_EQ(r.status, 200);
    TraceResponse response;
    ASSERT_TRUE(response.ParseFromString(r.body));
    ASSERT_TRUE(response.has_partial_success());
    EXPECT_EQ(response.partial_success().rejected_spans(), 2);
    EXPECT_NE(response.partial_success().error_message().find("trace_id must be 16 bytes"), std::string::npos)
        << response.partial_success().error_message();
    const auto trace = GetJson("/console/api/traces/" + HexOf(TraceIdBytes(3)))["data"];
    ASSERT_EQ(trace["spans"].size(), 1u);
    EXPECT_EQ(trace["spans"][0]["name"], "good");
}

TEST_F(OtlpReceiver, AnswersAMalformedBodyWith400AndAGoogleRpcStatus) {
    const api::HttpResponse r = Post("/v1/traces", Bytes({0x0a, 0xff, 0xff, 0xff}));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.content_type, "application/x-protobuf");
    google::rpc::Status status;
    ASSERT_TRUE(status.ParseFromString(r.body));
    EXPECT_EQ(status.code(), 3);
    EXPECT_NE(status.message().find("malformed protobuf"), std::string::npos);

    const api::HttpResponse j = Post("/v1/logs", "{\"resourceLogs\": [", "application/json");
    EXPECT_EQ(j.status, 400);
    EXPECT_EQ(j.content_type, "application/json");
    google::rpc::Status js;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(j.body, &js).ok()) << j.body;
    EXPECT_NE(js.message().find("malformed JSON at byte"), std::string::npos) << js.message();
}

// Found by fuzz/fuzz_otlp_json: a number too large for a double made nlohmann's parser throw
// out_of_range (not parse_error), which escaped DecodeOtlp and was answered 500.
TEST_F(OtlpReceiver, AnswersJsonWithANumberOutOfRangeWith400) {
    for (const char* body : {"[1e309]", R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":-1e400}]}]}]})"}) {
        const api::HttpResponse r = Post("/v1/traces", body, "application/json");
        EXPECT_EQ(r.status, 400) << body << ": " << r.body;
        google::rpc::Status status;
        ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &status).ok()) << r.body;
        EXPECT_EQ(status.code(), 3);
        EXPECT_NE(status.message().find("malformed JSON: number overflow parsing"), std::string::npos)
            << status.message();
    }
}

TEST_F(OtlpReceiver, AnswersWrongTypesMethodsAndSizes) {
    EXPECT_EQ(Post("/v1/traces", "x", "text/plain").status, 415);
    EXPECT_EQ(Post("/v1/traces", "x", "application/x-protobuf", "br").status, 415);
    api::HttpRequest get;
    get.method = "GET";
    get.path = get.target = "/v1/metrics";
    const api::HttpResponse m = console_->handler().Handle(get);
    EXPECT_EQ(m.status, 405);
    api::HttpRequest big;
    big.method = "POST";
    big.path = big.target = "/v1/logs";
    big.headers["content-type"] = "application/x-protobuf";
    big.body_too_large = true;
    EXPECT_EQ(console_->handler().Handle(big).status, 413);
}

TEST_F(OtlpReceiver, StoresLogsAndMetricsToo) {
    LogsRequest logs;
    auto* rl = logs.add_resource_logs();
    SetString(rl->mutable_resource()->add_attributes(), "service.name", "shop");
    auto* rec = rl->add_scope_logs()->add_log_records();
    rec->set_time_unix_nano(NowNs());
    rec->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_WARN);
    rec->mutable_body()->set_string_value("Stock running low for sku-42");
    rec->set_trace_id(TraceIdBytes(9));
    SetString(rec->add_attributes(), "business.order_id", "o-77");
    ASSERT_EQ(Post("/v1/logs", logs.SerializeAsString()).status, 200);

    MetricsRequest metrics;
    auto* rm = metrics.add_resource_metrics();
    SetString(rm->mutable_resource()->add_attributes(), "service.name", "shop");
    auto* m = rm->add_scope_metrics()->add_metrics();
    m->set_name("orders.placed");
    m->set_unit("{order}");
    m->mutable_sum()->set_is_monotonic(true);
    m->mutable_sum()->set_aggregation_temporality(opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
    const std::uint64_t now = NowNs();
    for (int i = 0; i < 3; ++i) {
        auto* p = m->mutable_sum()->add_data_points();
        p->set_start_time_unix_nano(now - 30'000'000'000ULL);
        p->set_time_unix_nano(now - 20'000'000'000ULL + static_cast<std::uint64_t>(i) * 10'000'000'000ULL);
        p->set_as_int(10 * (i + 1));
    }
    auto* summary = rm->mutable_scope_metrics(0)->add_metrics();
    summary->set_name("legacy.summary");
    summary->mutable_summary()->add_data_points();
    const api::HttpResponse r = Post("/v1/metrics", metrics.SerializeAsString());
    ASSERT_EQ(r.status, 200);
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse response;
    ASSERT_TRUE(response.ParseFromString(r.body));
    EXPECT_EQ(response.partial_success().rejected_data_points(), 1) << "summaries are refused, said so";
    ASSERT_TRUE(console_->Flush(std::chrono::seconds(5)));

    const auto found = GetJson("/console/api/logs?q=stock&severity=warn")["data"]["logs"];
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]["attributes"]["business.order_id"], "o-77");
    EXPECT_EQ(found[0]["traceId"], HexOf(TraceIdBytes(9)));
    const auto series = GetJson("/console/api/metrics/orders.placed?window=5m")["data"];
    ASSERT_EQ(series["series"].size(), 1u);
    const auto points = series["series"][0]["points"];
    ASSERT_EQ(points.size(), 3u);
    EXPECT_EQ(points[2]["value"], 30);
    EXPECT_NEAR(points[2]["rate"].get<double>(), 1.0, 1e-6) << "10 more in 10 s";
}

}  // namespace
}  // namespace tome::console::testing
