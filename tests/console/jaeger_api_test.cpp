// Contract tests of the Jaeger-compatible routes against the JSON shapes of Jaeger's query API
// (the `structuredResponse` envelope and the span model of jaeger's model/json), which Grafana's
// Jaeger data source and the Jaeger UI read.
#include "console_test_fixture.hpp"

namespace tome::console::testing {
namespace {

using nlohmann::json;

class JaegerApi : public ConsoleFixture {
protected:
    void SetUp() override {
        ConsoleFixture::SetUp();
        const std::uint64_t t0 = NowNs() - 2'000'000'000;
        TraceRequest request;
        auto* root = AddSpan(request, "frontend", "GET /checkout", 1, 1, 0, t0, 50'000'000);
        SetString(root->add_attributes(), "business.customer_tier", "premium");
        root->mutable_status()->set_code(pb_trace::Status::STATUS_CODE_ERROR);
        root->mutable_status()->set_message("payment declined");
        auto* ev = root->add_events();
        ev->set_name("retry");
        ev->set_time_unix_nano(t0 + 1000);
        SetString(ev->add_attributes(), "attempt", "2");
        auto* client = AddSpan(request, "frontend", "POST /pay", 1, 2, 1, t0 + 1'000'000, 30'000'000,
                               pb_trace::Span::SPAN_KIND_CLIENT);
        auto* link = client->add_links();
        link->set_trace_id(TraceIdBytes(7));
        link->set_span_id(SpanIdBytes(7));
        AddSpan(request, "payments", "POST /pay", 1, 3, 2, t0 + 2'000'000, 20'000'000);
        AddSpan(request, "frontend", "GET /health", 2, 4, 0, t0, 1'000'000);
        ASSERT_EQ(PostTraces(request).status, 200);
    }

    static void ExpectEnvelope(const json& body) {
        ASSERT_TRUE(body.contains("data"));
        ASSERT_TRUE(body["total"].is_number_integer());
        ASSERT_TRUE(body["limit"].is_number_integer());
        ASSERT_TRUE(body["offset"].is_number_integer());
        ASSERT_TRUE(body.contains("errors"));
    }
};

TEST_F(JaegerApi, ServicesAndOperationsAreListsOfNames) {
    const json services = GetJson("/jaeger/api/services");
    ExpectEnvelope(services);
    EXPECT_EQ(services["data"], json::array({"frontend", "payments"}));
    EXPECT_EQ(services["total"], 2);
    const json ops = GetJson("/jaeger/api/services/frontend/operations");
    ExpectEnvelope(ops);
    EXPECT_EQ(ops["data"], json::array({"GET /checkout", "GET /health", "POST /pay"}));
    const json typed = GetJson("/jaeger/api/operations?service=frontend&spanKind=client");
    EXPECT_EQ(typed["data"], json::array({json{{"name", "POST /pay"}, {"spanKind", "client"}}}));
    EXPECT_EQ(GetJson("/jaeger/api/operations", 400)["errors"][0]["code"], 400);
}

TEST_F(JaegerApi, ATraceHasJaegersSpanModel) {
    const json body = GetJson("/jaeger/api/traces/" + HexOf(TraceIdBytes(1)));
    ExpectEnvelope(body);
    ASSERT_EQ(body["data"].size(), 1u);
    const json& trace = body["data"][0];
    EXPECT_EQ(trace["traceID"], HexOf(TraceIdBytes(1)));
    ASSERT_EQ(trace["spans"].size(), 3u);
    ASSERT_TRUE(trace["processes"].is_object());
    std::map<std::string, json> by_name;
    for (const json& s : trace["spans"]) {
        for (const char* field : {"traceID", "spanID", "operationName", "processID"}) {
            ASSERT_TRUE(s[field].is_string()) << field;
        }
        ASSERT_TRUE(s["startTime"].is_number_integer());
        ASSERT_TRUE(s["duration"].is_number_integer());
        ASSERT_TRUE(s["references"].is_array());
        ASSERT_TRUE(s["tags"].is_array());
        ASSERT_TRUE(s["logs"].is_array());
        for (const json& tag : s["tags"]) {
            ASSERT_TRUE(tag["key"].is_string());
            const std::string type = tag["type"];
            EXPECT_TRUE(type == "string" || type == "bool" || type == "int64" || type == "float64" || type == "binary");
        }
        ASSERT_TRUE(trace["processes"].contains(s["processID"].get<std::string>()));
        by_name[s["operationName"].get<std::string>() + "@" +
                trace["processes"][s["processID"].get<std::string>()]["serviceName"].get<std::string>()] = s;
    }
    const json& root = by_name.at("GET /checkout@frontend");
    EXPECT_TRUE(root["references"].empty());
    EXPECT_EQ(root["duration"], 50000);
    bool error_tag = false;
    for (const json& tag : root["tags"]) error_tag = error_tag || (tag["key"] == "error" && tag["value"] == true);
    EXPECT_TRUE(error_tag);
    ASSERT_EQ(root["logs"].size(), 1u);
    EXPECT_TRUE(root["logs"][0]["timestamp"].is_number_integer());
    EXPECT_EQ(root["logs"][0]["fields"][0], (json{{"key", "event"}, {"type", "string"}, {"value", "retry"}}));
    const json& client = by_name.at("POST /pay@frontend");
    ASSERT_EQ(client["references"].size(), 2u);
    EXPECT_EQ(client["references"][0]["refType"], "CHILD_OF");
    EXPECT_EQ(client["references"][0]["spanID"], root["spanID"]);
    EXPECT_EQ(client["references"][1]["refType"], "FOLLOWS_FROM");
    const json& server = by_name.at("POST /pay@payments");
    EXPECT_EQ(server["references"][0]["spanID"], client["spanID"]);
}

TEST_F(JaegerApi, SearchFiltersByServiceOperationTagsAndDuration) {
    const std::string end = std::to_string(NowNs() / 1000 + 1'000'000);
    const std::string start = std::to_string(NowNs() / 1000 - 3'600'000'000LL);
    auto search = [&](const std::string& query) {
        return GetJson("/jaeger/api/traces?start=" + start + "&end=" + end + "&limit=20&" + query);
    };
    EXPECT_EQ(search("service=frontend")["data"].size(), 2u);
    EXPECT_EQ(search("service=frontend&operation=GET%20/health")["data"].size(), 1u);
    const json premium = search("service=frontend&tags=%7B%22business.customer_tier%22%3A%22premium%22%7D");
    ASSERT_EQ(premium["data"].size(), 1u);
    EXPECT_EQ(premium["data"][0]["traceID"], HexOf(TraceIdBytes(1)));
    EXPECT_EQ(search("service=frontend&minDuration=10ms")["data"].size(), 1u);
    EXPECT_EQ(search("service=frontend&maxDuration=5ms")["data"].size(), 1u);
    EXPECT_EQ(search("service=frontend&tags=%7B%22error%22%3A%22true%22%7D")["data"].size(), 1u);
    const json bad = GetJson("/jaeger/api/traces?service=frontend&minDuration=12parsecs", 400);
    EXPECT_NE(bad["errors"][0]["msg"].get<std::string>().find("minDuration"), std::string::npos);
    EXPECT_EQ(GetJson("/jaeger/api/traces?service=frontend&tags=notjson", 400)["errors"][0]["code"], 400);
}

TEST_F(JaegerApi, UnknownTraceIs404InTheEnvelope) {
    const json body = GetJson("/jaeger/api/traces/00000000000000000000000000abcdef", 404);
    ExpectEnvelope(body);
    EXPECT_TRUE(body["data"].is_null());
    ASSERT_EQ(body["errors"].size(), 1u);
    EXPECT_EQ(body["errors"][0]["code"], 404);
    EXPECT_EQ(GetJson("/jaeger/api/traces/not-hex", 400)["errors"][0]["code"], 400);
}

TEST_F(JaegerApi, DependenciesAreParentChildCallCounts) {
    const json deps = GetJson("/jaeger/api/dependencies?endTs=" + std::to_string(NowNs() / 1'000'000 + 1000) +
                              "&lookback=3600000");
    ExpectEnvelope(deps);
    ASSERT_EQ(deps["data"].size(), 1u);
    EXPECT_EQ(deps["data"][0], (json{{"parent", "frontend"}, {"child", "payments"}, {"callCount", 1}}));
}

}  // namespace
}  // namespace tome::console::testing
