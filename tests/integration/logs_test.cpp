// Structured logs of the real binary: JSON lines on stdout that carry the trace id of the
// request that caused them, filtered by the configured level.
#include <gtest/gtest.h>

#include "api_test_util.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

using nlohmann::json;

TEST(StructuredLogs, CarryTheTraceIdOfTheRequestThatCausedThem) {
    TomeProcess tome;
    HttpClient client(tome.port());
    const std::string trace = "5bf92f3577b34da6a3ce929d0e0e4736";
    auto r = client.Request("PUT", "/api/toggles/enable-state-sync", R"({"enabled":false})",
                            {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}});
    ASSERT_EQ(r.status, 200);
    const std::string span = r.Json()["spanId"];
    auto m = tome.WaitForOutput(std::regex(R"(\{"level":"info","message":"Feature toggle changed".*\n)"));
    json line = json::parse(m.str());
    EXPECT_EQ(line["attributes"]["trace.id"], trace);
    EXPECT_EQ(line["attributes"]["span.id"], span);
    EXPECT_EQ(line["attributes"]["feature_flag.key"], "enable-state-sync");
    EXPECT_EQ(line["attributes"]["service.name"], "tome");
    EXPECT_EQ(tome.Stop(), std::optional<int>(0));
}

TEST(StructuredLogs, StayBelowTheConfiguredLevel) {
    TomeProcess tome({}, {{"TOME_LOG_LEVEL", "warn"}});
    HttpClient client(tome.port());
    ASSERT_EQ(client.Request("PUT", "/api/toggles/enable-state-sync", R"({"enabled":false})").status,
              200);
    ASSERT_EQ(tome.Stop(), std::optional<int>(0));
    EXPECT_EQ(tome.output().find("Feature toggle changed"), std::string::npos) << tome.output();
    EXPECT_EQ(tome.output().find("\"level\":\"info\""), std::string::npos) << tome.output();
}

}  // namespace
}  // namespace tome::testing
