// RobotCopy without the network: ids, backend selection, tracking, and SendMessage against a
// scripted BackendClient (the libcurl path is covered in send_message_test.cpp).
#include "tome/robotcopy/robot_copy.hpp"

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tome/testing/fake_clock.hpp"

namespace tome::robotcopy {
namespace {

using tome::testing::FakeClock;

bool IsLowerHex(const std::string& s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

class ScriptedBackend final : public BackendClient {
public:
    explicit ScriptedBackend(std::vector<Result<BackendResponse>>* script,
                             std::vector<BackendRequest>* seen)
        : script_(script), seen_(seen) {}
    Result<BackendResponse> Post(const BackendRequest& request) override {
        seen_->push_back(request);
        Result<BackendResponse> next = script_->front();
        script_->erase(script_->begin());
        return next;
    }

private:
    std::vector<Result<BackendResponse>>* script_;
    std::vector<BackendRequest>* seen_;
};

// One attempt per call: each scripted answer is one SendMessage's outcome (retries have their
// own tests in telemetry_test.cpp).
RobotCopyOptions SingleAttempt() {
    RobotCopyOptions options;
    options.backend_retry.max_attempts = 1;
    return options;
}

struct Fixture {
    FakeClock clock;
    FeatureToggles toggles;
    std::vector<Result<BackendResponse>> script;
    std::vector<BackendRequest> seen;
    RobotCopy robot_copy{SingleAttempt(), toggles, clock,
                         std::make_unique<ScriptedBackend>(&script, &seen)};
};

BackendResponse Answer(long status, std::string body) {
    BackendResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

TEST(RobotCopyIds, AreLowercaseHexNonZeroAndDistinct) {
    std::set<std::string> traces;
    std::set<std::string> spans;
    for (int i = 0; i < 10000; ++i) {
        std::string trace = RobotCopy::NewTraceId();
        std::string span = RobotCopy::NewSpanId();
        ASSERT_EQ(trace.size(), 32u);
        ASSERT_EQ(span.size(), 16u);
        ASSERT_TRUE(IsLowerHex(trace)) << trace;
        ASSERT_TRUE(IsLowerHex(span)) << span;
        ASSERT_NE(trace, std::string(32, '0'));
        ASSERT_NE(span, std::string(16, '0'));
        traces.insert(std::move(trace));
        spans.insert(std::move(span));
    }
    EXPECT_EQ(traces.size(), 10000u);
    EXPECT_EQ(spans.size(), 10000u);
}

TEST(RobotCopy, SelectedBackendFollowsTheKotlinToggle) {
    Fixture f;
    EXPECT_EQ(f.robot_copy.SelectedBackend(), "node");
    EXPECT_EQ(*f.robot_copy.BackendUrl(), "http://localhost:3001");
    ASSERT_TRUE(f.toggles.Set(std::string(toggles::kKotlinBackend), true).ok());
    EXPECT_EQ(f.robot_copy.SelectedBackend(), "kotlin");
    EXPECT_EQ(*f.robot_copy.BackendUrl(), "http://localhost:8080");
    ASSERT_TRUE(f.toggles.Set(std::string(toggles::kKotlinBackend), false).ok());
    EXPECT_EQ(f.robot_copy.SelectedBackend(), "node");
}

TEST(RobotCopy, BackendUrlFailsWhenSelectedBackendHasNoUrl) {
    FakeClock clock;
    FeatureToggles toggles({{std::string(toggles::kKotlinBackend), true}});
    RobotCopyOptions options;
    options.backends = {{"node", "http://localhost:3001"}};
    std::vector<Result<BackendResponse>> script;
    std::vector<BackendRequest> seen;
    RobotCopy rc(options, toggles, clock, std::make_unique<ScriptedBackend>(&script, &seen));

    EXPECT_EQ(rc.BackendUrl().status().code(), Code::kFailedPrecondition);
    TraceContext ctx{RobotCopy::NewTraceId(), ""};
    auto result = rc.SendMessage("ping", Json::object(), ctx);
    EXPECT_EQ(result.status().code(), Code::kFailedPrecondition);
    EXPECT_TRUE(seen.empty());
    auto tracked = rc.history().MessagesOf(ctx.trace_id);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].status, "error");
}

TEST(RobotCopy, TrackMessageFillsMissingIds) {
    Fixture f;
    TrackedMessage m;
    m.action = "connection.create";
    f.robot_copy.TrackMessage(m);
    ASSERT_EQ(f.robot_copy.history().size(), 1u);
    EXPECT_EQ(f.robot_copy.history().trace_count(), 1u);

    const std::string trace = RobotCopy::NewTraceId();
    m.trace_id = trace;
    m.span_id = "00f067aa0ba902b7";
    f.robot_copy.TrackMessage(m);
    auto messages = f.robot_copy.history().MessagesOf(trace);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].span_id, "00f067aa0ba902b7");
}

TEST(RobotCopy, SendMessageBuildsRequestAndParsesJson) {
    Fixture f;
    f.script.push_back(Answer(200, R"({"ok":true})"));
    const TraceContext ctx{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
    auto result = f.robot_copy.SendMessage("order.create", {{"id", 7}}, ctx);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(*result, (Json{{"ok", true}}));

    ASSERT_EQ(f.seen.size(), 1u);
    const BackendRequest& req = f.seen[0];
    EXPECT_EQ(req.url, "http://localhost:3001/api/order.create");
    EXPECT_EQ(req.timeout, std::chrono::milliseconds{5000});
    const Json body = Json::parse(req.body);
    EXPECT_EQ(body["action"], "order.create");
    EXPECT_EQ(body["data"], (Json{{"id", 7}}));
    EXPECT_EQ(body["traceId"], ctx.trace_id);

    auto tracked = f.robot_copy.history().MessagesOf(ctx.trace_id);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].action, "sendMessage:order.create");
    EXPECT_EQ(tracked[0].parent_span_id, ctx.span_id);
    EXPECT_EQ(tracked[0].span_id, body["spanId"]);
    EXPECT_NE(tracked[0].span_id, ctx.span_id);
    EXPECT_EQ(tracked[0].status, "ok");
    EXPECT_EQ(tracked[0].data["responseStatus"], 200);
    EXPECT_EQ(tracked[0].data["backend"], "node");
}

TEST(RobotCopy, SendMessageWrapsNonJsonBodyAsRaw) {
    Fixture f;
    f.script.push_back(Answer(200, "plain text"));
    auto result = f.robot_copy.SendMessage("ping", Json::object());
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(*result, (Json{{"raw", "plain text"}}));
    EXPECT_EQ(f.robot_copy.history().trace_count(), 1u);  // a new trace was started
}

TEST(RobotCopy, SendMessageMapsHttpStatuses) {
    Fixture f;
    f.script.push_back(Answer(404, "no route"));
    f.script.push_back(Answer(429, ""));
    f.script.push_back(Answer(500, ""));
    f.script.push_back(Status(Code::kUnavailable, "connection refused"));

    const std::string trace = RobotCopy::NewTraceId();
    auto not_found = f.robot_copy.SendMessage("a", {}, {trace, ""});
    EXPECT_EQ(not_found.status().code(), Code::kFailedPrecondition);
    EXPECT_NE(not_found.status().message().find("404"), std::string::npos);
    EXPECT_NE(not_found.status().message().find("no route"), std::string::npos);
    EXPECT_EQ(f.robot_copy.SendMessage("a", {}, {trace, ""}).status().code(), Code::kUnavailable);
    EXPECT_EQ(f.robot_copy.SendMessage("a", {}, {trace, ""}).status().code(), Code::kUnavailable);
    EXPECT_EQ(f.robot_copy.SendMessage("a", {}, {trace, ""}).status().code(), Code::kUnavailable);

    auto tracked = f.robot_copy.history().MessagesOf(trace);
    ASSERT_EQ(tracked.size(), 4u);
    for (const auto& m : tracked) EXPECT_EQ(m.status, "error");
    EXPECT_EQ(tracked[0].data["responseStatus"], 404);
    EXPECT_EQ(tracked[3].error, "connection refused");
}

TEST(RobotCopy, SendMessageRejectsBadActionAndIdsWithoutCalling) {
    Fixture f;
    EXPECT_EQ(f.robot_copy.SendMessage("", {}).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(f.robot_copy.SendMessage("a b?c", {}).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(f.robot_copy.SendMessage("a", {}, {"XYZ", ""}).status().code(),
              Code::kInvalidArgument);
    EXPECT_EQ(f.robot_copy.SendMessage("a", {}, {std::string(32, '0'), ""}).status().code(),
              Code::kInvalidArgument);
    EXPECT_EQ(f.robot_copy.SendMessage("a", {}, {RobotCopy::NewTraceId(), "nothex"})
                  .status()
                  .code(),
              Code::kInvalidArgument);
    EXPECT_TRUE(f.seen.empty());
    EXPECT_EQ(f.robot_copy.history().size(), 0u);
}

}  // namespace
}  // namespace tome::robotcopy
