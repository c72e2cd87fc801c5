// RobotCopy::SendMessage through the real libcurl client against an in-test loopback server.
#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "loopback_http_server.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/testing/fake_clock.hpp"

namespace tome::robotcopy {
namespace {

using testing::ClosedLoopbackPort;
using testing::LoopbackHttpServer;
using testing::RecordedRequest;
using tome::testing::FakeClock;

RobotCopyOptions OptionsFor(const std::string& url,
                            std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
    RobotCopyOptions options;
    options.backends = {{"node", url}, {"kotlin", ""}};
    options.backend_timeout = timeout;
    options.backend_retry.initial_backoff = std::chrono::milliseconds(1);
    options.backend_retry.max_backoff = std::chrono::milliseconds(2);
    return options;
}

TEST(RobotCopySendMessage, PostsJsonWithTraceHeadersAndTracksAnswer) {
    LoopbackHttpServer server([](const RecordedRequest&) {
        return LoopbackHttpServer::Respond(testing::http::status::ok,
                                           R"({"accepted":true,"n":3})");
    });
    FakeClock clock;
    FeatureToggles toggles;
    RobotCopy rc(OptionsFor(server.url()), toggles, clock);

    const TraceContext ctx{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
    auto result = rc.SendMessage("order.create", {{"orderId", "o-1"}}, ctx);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(*result, (Json{{"accepted", true}, {"n", 3}}));

    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    const RecordedRequest& req = requests[0];
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/api/order.create");
    EXPECT_EQ(req.Header("content-type"), "application/json");
    EXPECT_EQ(req.Header("x-trace-id"), ctx.trace_id);

    const Json body = Json::parse(req.body);
    EXPECT_EQ(body["action"], "order.create");
    EXPECT_EQ(body["data"], (Json{{"orderId", "o-1"}}));
    EXPECT_EQ(body["traceId"], ctx.trace_id);
    const std::string span = body["spanId"];
    EXPECT_EQ(req.Header("x-span-id"), span);
    EXPECT_EQ(req.Header("traceparent"), "00-" + ctx.trace_id + "-" + span + "-01");

    auto tracked = rc.history().MessagesOf(ctx.trace_id);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].action, "sendMessage:order.create");
    EXPECT_EQ(tracked[0].status, "ok");
    EXPECT_EQ(tracked[0].span_id, span);
    EXPECT_EQ(tracked[0].parent_span_id, ctx.span_id);
    EXPECT_EQ(tracked[0].data["responseStatus"], 200);
    EXPECT_EQ(tracked[0].data["url"], server.url() + "/api/order.create");
}

TEST(RobotCopySendMessage, ServiceUnavailableIsUnavailableAndTrackedAsError) {
    LoopbackHttpServer server([](const RecordedRequest&) {
        return LoopbackHttpServer::Respond(testing::http::status::service_unavailable,
                                           "backend down", "text/plain");
    });
    FakeClock clock;
    FeatureToggles toggles;
    RobotCopy rc(OptionsFor(server.url()), toggles, clock);

    const std::string trace = RobotCopy::NewTraceId();
    auto result = rc.SendMessage("ping", Json::object(), {trace, ""});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), Code::kUnavailable);
    EXPECT_NE(result.status().message().find("503"), std::string::npos);

    auto tracked = rc.history().MessagesOf(trace);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].status, "error");
    EXPECT_NE(tracked[0].error.find("503"), std::string::npos);
    EXPECT_EQ(tracked[0].data["responseStatus"], 503);
    // 503 is retried up to max_attempts; one call, one tracked message.
    const auto attempts = static_cast<std::size_t>(BackendRetryOptions{}.max_attempts);
    EXPECT_EQ(server.requests().size(), attempts);
    EXPECT_EQ(tracked[0].data["retries"], attempts - 1);
}

TEST(RobotCopySendMessage, SilentServerIsDeadlineExceededAndTrackedAsTimeout) {
    LoopbackHttpServer server(nullptr);  // reads the request, never answers
    FakeClock clock;
    FeatureToggles toggles;
    RobotCopy rc(OptionsFor(server.url(), std::chrono::milliseconds{200}), toggles, clock);

    const std::string trace = RobotCopy::NewTraceId();
    auto result = rc.SendMessage("slow", Json::object(), {trace, ""});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), Code::kDeadlineExceeded) << result.status().ToString();

    auto tracked = rc.history().MessagesOf(trace);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].status, "timeout");
    EXPECT_FALSE(tracked[0].error.empty());
    EXPECT_EQ(server.requests().size(), 1u);  // a timeout is not retried
}

TEST(RobotCopySendMessage, ConnectionRefusedIsUnavailableNamingTheUrl) {
    const std::string url = "http://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
    FakeClock clock;
    FeatureToggles toggles;
    RobotCopy rc(OptionsFor(url), toggles, clock);

    const std::string trace = RobotCopy::NewTraceId();
    auto result = rc.SendMessage("ping", Json::object(), {trace, ""});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), Code::kUnavailable) << result.status().ToString();
    EXPECT_NE(result.status().message().find(url + "/api/ping"), std::string::npos);

    auto tracked = rc.history().MessagesOf(trace);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].status, "error");
}

TEST(RobotCopySendMessage, KotlinToggleSwitchesTheTargetServer) {
    LoopbackHttpServer node([](const RecordedRequest&) {
        return LoopbackHttpServer::Respond(testing::http::status::ok, R"({"from":"node"})");
    });
    LoopbackHttpServer kotlin([](const RecordedRequest&) {
        return LoopbackHttpServer::Respond(testing::http::status::ok, R"({"from":"kotlin"})");
    });
    FakeClock clock;
    FeatureToggles toggles;
    RobotCopyOptions options;
    options.backends = {{"node", node.url()}, {"kotlin", kotlin.url()}};
    RobotCopy rc(options, toggles, clock);

    EXPECT_EQ((*rc.SendMessage("who", Json::object()))["from"], "node");
    ASSERT_TRUE(toggles.Set(std::string(toggles::kKotlinBackend), true).ok());
    EXPECT_EQ((*rc.SendMessage("who", Json::object()))["from"], "kotlin");
    EXPECT_EQ(node.requests().size(), 1u);
    EXPECT_EQ(kotlin.requests().size(), 1u);
}

}  // namespace
}  // namespace tome::robotcopy
