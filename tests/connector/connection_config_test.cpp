#include <gtest/gtest.h>

#include "tome/connector/connection.hpp"

namespace tome::connector {
namespace {

TEST(ConnectionConfig, ParsesEveryField) {
    const Json json = Json::parse(R"({
        "eventMapping": {"PAY": "CHARGE"},
        "stateMapping": {"order.amount": "mirror.amount", "state": "peer.state"},
        "bidirectional": false,
        "filters": {"events": ["PAY", "PING"], "statePaths": ["order.amount"]},
        "transform": {"rename": {"a": "b.c"}, "drop": ["secret"], "set": {"via": "hub"}},
        "enableTracing": false,
        "customTraceId": "4bf92f3577b34da6a3ce929d0e0e4736"
    })");
    auto config = ParseConnectionConfig(json);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    EXPECT_EQ(config->event_mapping.at("PAY"), "CHARGE");
    EXPECT_EQ(config->state_mapping.at("state"), "peer.state");
    EXPECT_FALSE(config->bidirectional);
    EXPECT_EQ(config->filters.events, (std::vector<std::string>{"PAY", "PING"}));
    EXPECT_EQ(config->filters.state_paths, (std::vector<std::string>{"order.amount"}));
    ASSERT_TRUE(config->transform.has_value());
    EXPECT_EQ(config->transform->rename.at("a"), "b.c");
    EXPECT_EQ(config->transform->drop, (std::vector<std::string>{"secret"}));
    EXPECT_EQ(config->transform->set, Json({{"via", "hub"}}));
    EXPECT_FALSE(config->enable_tracing);
    EXPECT_EQ(config->custom_trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(ConnectionConfig, EmptyObjectGivesDefaults) {
    auto config = ParseConnectionConfig(Json::object());
    ASSERT_TRUE(config.ok());
    EXPECT_TRUE(config->bidirectional);
    EXPECT_TRUE(config->enable_tracing);
    EXPECT_TRUE(config->event_mapping.empty());
    EXPECT_FALSE(config->transform.has_value());
}

TEST(ConnectionConfig, RoundTripsThroughJson) {
    const Json json = Json::parse(R"({
        "eventMapping": {"PAY": "CHARGE"}, "stateMapping": {"state": "peer"},
        "bidirectional": false, "filters": {"events": ["PAY"], "statePaths": []},
        "transform": {"rename": {}, "drop": ["x"], "set": {}}, "enableTracing": true,
        "customTraceId": "4bf92f3577b34da6a3ce929d0e0e4736"})");
    auto config = ParseConnectionConfig(json);
    ASSERT_TRUE(config.ok());
    EXPECT_EQ(ToJson(*config), json);
    auto again = ParseConnectionConfig(ToJson(*config));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(ToJson(*again), json);
}

TEST(ConnectionConfig, EmptyMappingsSerializeAsObjects) {
    const Json json = ToJson(ConnectionConfig{});
    EXPECT_TRUE(json["eventMapping"].is_object());
    EXPECT_TRUE(json["stateMapping"].is_object());
    EXPECT_FALSE(json.contains("transform"));
    EXPECT_FALSE(json.contains("transformFn"));
}

TEST(ConnectionConfig, ShowsTransformFnAndRejectsItWhenParsed) {
    ConnectionConfig config;
    config.transform_fn = [](const TomeEvent& e) { return std::optional<TomeEvent>(e); };
    const Json json = ToJson(config);
    EXPECT_EQ(json["transformFn"], true);
    auto parsed = ParseConnectionConfig(json);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().message(), "config.transformFn: only available to C++ callers");
}

struct BadConfig {
    const char* name;
    const char* json;
    const char* message;
};

void PrintTo(const BadConfig& c, std::ostream* os) { *os << c.name; }

class ConnectionConfigErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConnectionConfigErrors, NameTheFieldPath) {
    auto parsed = ParseConnectionConfig(Json::parse(GetParam().json));
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    ConnectionConfig, ConnectionConfigErrors,
    ::testing::Values(
        BadConfig{"NotAnObject", R"([])", "config: must be an object"},
        BadConfig{"UnknownTopLevelKey", R"({"eventMaping": {}})",
                  "config.eventMaping: unknown field"},
        BadConfig{"EventMappingValueNotString", R"({"eventMapping": {"PAY": 1}})",
                  "config.eventMapping.PAY: must be a string"},
        BadConfig{"EventMappingNotObject", R"({"eventMapping": []})",
                  "config.eventMapping: must be an object"},
        BadConfig{"StateMappingBadKey", R"({"stateMapping": {"a..b": "c"}})",
                  "config.stateMapping.a..b: key is not a valid dot path"},
        BadConfig{"StateMappingBadValue", R"({"stateMapping": {"a": "c."}})",
                  "config.stateMapping.a: 'c.' is not a valid dot path"},
        BadConfig{"BidirectionalNotBool", R"({"bidirectional": "yes"})",
                  "config.bidirectional: must be a boolean"},
        BadConfig{"FilterEventNotString", R"({"filters": {"events": ["A", 2]}})",
                  "config.filters.events[1]: must be a string"},
        BadConfig{"FiltersUnknownKey", R"({"filters": {"paths": []}})",
                  "config.filters.paths: unknown field"},
        BadConfig{"FiltersNotObject", R"({"filters": []})", "config.filters: must be an object"},
        BadConfig{"TransformDropEmpty", R"({"transform": {"drop": [""]}})",
                  "config.transform.drop[0]: must not be empty"},
        BadConfig{"TransformSetNotObject", R"({"transform": {"set": 3}})",
                  "config.transform.set: must be an object"},
        BadConfig{"TransformUnknownKey", R"({"transform": {"move": {}}})",
                  "config.transform.move: unknown field"},
        BadConfig{"EnableTracingNotBool", R"({"enableTracing": 1})",
                  "config.enableTracing: must be a boolean"},
        BadConfig{"TraceIdNotString", R"({"customTraceId": 5})",
                  "config.customTraceId: must be a string"},
        BadConfig{"TraceIdAllZero", R"({"customTraceId": "00000000000000000000000000000000"})",
                  "config.customTraceId: must be 32 lowercase hex characters, not all zero"},
        BadConfig{"TraceIdUppercase", R"({"customTraceId": "4BF92F3577B34DA6A3CE929D0E0E4736"})",
                  "config.customTraceId: must be 32 lowercase hex characters, not all zero"}),
    [](const ::testing::TestParamInfo<BadConfig>& param) { return std::string(param.param.name); });

TEST(ConnectionConfig, ValidateRejectsBadCppConfig) {
    ConnectionConfig config;
    config.state_mapping["ok"] = "bad..path";
    EXPECT_EQ(ValidateConnectionConfig(config).code(), Code::kInvalidArgument);
    config.state_mapping.clear();
    config.custom_trace_id = "abc";
    EXPECT_EQ(ValidateConnectionConfig(config).code(), Code::kInvalidArgument);
    config.custom_trace_id.clear();
    EXPECT_TRUE(ValidateConnectionConfig(config).ok());
}

TEST(DeclarativeTransform, RenamesThenDropsThenSets) {
    DeclarativeTransform t;
    t.rename["amount"] = "payment.amount";
    t.drop = {"secret", "payment.amount"};  // drop runs after rename: the moved value goes too
    t.set = {{"source", "gateway"}, {"meta.v", 2}};
    Json payload = {{"amount", 5}, {"secret", "x"}, {"keep", true}};
    ApplyTransform(t, payload);
    EXPECT_EQ(payload, Json::parse(R"({"keep": true, "payment": {}, "source": "gateway",
                                       "meta": {"v": 2}})"));
}

TEST(ConnectionInfo, SerializesTheWireShape) {
    ConnectionInfo info;
    info.id = "conn-1-a-b";
    info.source = "a";
    info.target = "b";
    info.config.bidirectional = false;
    info.created_at = Clock::TimePoint{std::chrono::seconds{1'800'000'000}};
    info.last_activity = info.created_at + std::chrono::milliseconds{1500};
    info.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    info.health = Health::kDegraded;
    info.events_forwarded = 3;
    const Json json = ToJson(info);
    EXPECT_EQ(json["sourceTome"], "a");
    EXPECT_EQ(json["targetTome"], "b");
    EXPECT_EQ(json["direction"], "one-way");
    EXPECT_EQ(json["bidirectional"], false);
    EXPECT_EQ(json["health"], "degraded");
    EXPECT_EQ(json["createdAt"], FormatRfc3339(info.created_at));
    EXPECT_EQ(json["lastActivity"], FormatRfc3339(info.last_activity));
    EXPECT_EQ(json["eventsForwarded"], 3);
    EXPECT_EQ(json["config"]["bidirectional"], false);
}

TEST(Health, HasStableNames) {
    EXPECT_EQ(HealthName(Health::kHealthy), "healthy");
    EXPECT_EQ(HealthName(Health::kDegraded), "degraded");
    EXPECT_EQ(HealthName(Health::kUnhealthy), "unhealthy");
}

}  // namespace
}  // namespace tome::connector
