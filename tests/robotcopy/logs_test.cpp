// RobotCopy's structured logs: WARN "Backend call failed" in SendMessage's CLIENT span, and
// HealthMonitor's WARN "Health degraded" / INFO "Health recovered" on a status change only, in
// the health.check span. Scripted backend, in-memory exporters with simple processors; no sleeps.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tome/robotcopy/health_monitor.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"
#include "tome/testing/fake_clock.hpp"
#include "tome/testing/in_memory_telemetry.hpp"

namespace tome::robotcopy {
namespace {

namespace trace = telemetry::trace;
namespace logs = telemetry::logs;

class FixedBackend final : public BackendClient {
  public:
    explicit FixedBackend(Result<BackendResponse> answer) : answer_(std::move(answer)) {}
    Result<BackendResponse> Post(const BackendRequest&) override { return answer_; }

  private:
    Result<BackendResponse> answer_;
};

struct Fixture : tome::testing::InMemoryTelemetry {
    explicit Fixture(Result<BackendResponse> answer) {
        RobotCopyOptions rc;
        rc.backends = {{"node", "http://backend.test:3001"}};
        rc.service_name = "svc";
        rc.environment = "test";
        rc.tracer_provider = tracer;
        rc.logger_provider = logger;
        rc.backend_retry.initial_backoff = std::chrono::milliseconds(1);
        rc.backend_retry.max_backoff = std::chrono::milliseconds(2);
        robot_copy = std::make_unique<RobotCopy>(rc, toggles, clock,
                                                 std::make_unique<FixedBackend>(std::move(answer)));
    }

    FeatureToggles toggles;
    tome::testing::FakeClock clock;
    std::unique_ptr<RobotCopy> robot_copy;
};

std::string StrAttr(const logs::LogRecord& r, std::string_view key) {
    for (const auto& kv : r.attributes) {
        if (kv.key == key && kv.value.AsString() != nullptr) return *kv.value.AsString();
    }
    return "<missing>";
}

const logs::LogValue* Attr(const logs::LogRecord& r, std::string_view key) {
    for (const auto& kv : r.attributes) {
        if (kv.key == key) return &kv.value;
    }
    return nullptr;
}

TEST(RobotCopyLogs, BackendCallFailedInTheClientSpanWithBusinessBaggage) {
    Fixture f(BackendResponse{503, "down"});
    const trace::Baggage baggage =
        trace::Baggage().Set("business.order_id", "o-9").Set("other", "x");
    {
        trace::Scope scope(trace::Context::Current().WithBaggage(baggage));
        ASSERT_FALSE(f.robot_copy->SendMessage("charge", Json::object()).ok());
    }
    auto failed = f.Named("Backend call failed");
    ASSERT_EQ(failed.size(), 1u);
    const logs::LogRecord& r = failed.front();
    EXPECT_EQ(r.severity, logs::Severity::kWarn);
    EXPECT_EQ(StrAttr(r, "tome.backend"), "node");
    EXPECT_EQ(StrAttr(r, "tome.action"), "charge");
    EXPECT_EQ(StrAttr(r, "error.type"), "503");
    EXPECT_NE(StrAttr(r, "error.message").find("503"), std::string::npos);
    ASSERT_NE(Attr(r, "tome.retries"), nullptr);
    // 503 is retried: the failure logged is the last of max_attempts.
    EXPECT_EQ(*Attr(r, "tome.retries"),
              logs::LogValue(std::int64_t{BackendRetryOptions{}.max_attempts - 1}));
    EXPECT_EQ(StrAttr(r, "robotcopy.service"), "svc");
    EXPECT_EQ(StrAttr(r, "business.order_id"), "o-9");
    EXPECT_EQ(Attr(r, "other"), nullptr);
    const trace::SpanData span = f.OnlySpan("POST");
    EXPECT_EQ(r.span_id, span.context.span_id);
    EXPECT_EQ(r.trace_id, span.context.trace_id);
    // The span carries the same business attribute.
    ASSERT_NE(trace::FindAttribute(span.attributes, "business.order_id"), nullptr);
}

TEST(RobotCopyLogs, SuccessfulCallLogsNothing) {
    Fixture f(BackendResponse{200, "{}"});
    ASSERT_TRUE(f.robot_copy->SendMessage("charge", Json::object()).ok());
    EXPECT_TRUE(f.records->Snapshot().empty());
}

TEST(RobotCopyLogs, HealthDegradedAndRecoveredOnlyOnChangeInTheCheckSpan) {
    Fixture f(BackendResponse{200, "{}"});
    Json next = Json{{"total", 1}, {"healthy", 1}, {"degraded", 0}, {"unhealthy", 0}};
    HealthMonitor monitor([&next] { return next; }, *f.robot_copy);
    monitor.RunOnce();  // healthy, as before the first check: nothing to say
    EXPECT_TRUE(f.records->Snapshot().empty());

    next = Json{{"total", 1}, {"healthy", 0}, {"degraded", 0}, {"unhealthy", 1}};
    f.spans->Clear();
    monitor.RunOnce();
    monitor.RunOnce();  // still degraded: no second record
    auto degraded = f.Named("Health degraded");
    ASSERT_EQ(degraded.size(), 1u);
    EXPECT_EQ(degraded.front().severity, logs::Severity::kWarn);
    EXPECT_EQ(StrAttr(degraded.front(), "tome.health.status"), "degraded");
    EXPECT_EQ(StrAttr(degraded.front(), "tome.health.previous"), "healthy");
    EXPECT_EQ(*Attr(degraded.front(), "tome.connections.unhealthy"),
              logs::LogValue(std::int64_t{1}));
    bool in_a_check = false;
    for (const auto& s : f.spans->Spans()) {
        in_a_check |= s.name == "health.check" && s.context.span_id == degraded.front().span_id;
    }
    EXPECT_TRUE(in_a_check);

    next = Json{{"total", 1}, {"healthy", 1}, {"degraded", 0}, {"unhealthy", 0}};
    monitor.RunOnce();
    auto recovered = f.Named("Health recovered");
    ASSERT_EQ(recovered.size(), 1u);
    EXPECT_EQ(recovered.front().severity, logs::Severity::kInfo);
    EXPECT_EQ(StrAttr(recovered.front(), "tome.health.previous"), "degraded");
}

TEST(RobotCopyLogs, TheCheckRunsInsideTheHealthCheckSpan) {
    Fixture f(BackendResponse{200, "{}"});
    trace::SpanContext seen;
    HealthMonitor monitor(
        [&seen]() -> Json {
            seen = trace::Context::Current().span_context;
            throw std::runtime_error("probe failed");
        },
        *f.robot_copy);
    monitor.RunOnce();
    const trace::SpanData span = f.OnlySpan("health.check");
    EXPECT_EQ(seen.span_id, span.context.span_id);
    auto degraded = f.Named("Health degraded");
    ASSERT_EQ(degraded.size(), 1u);
    EXPECT_EQ(StrAttr(degraded.front(), "tome.health.status"), "error");
    EXPECT_EQ(degraded.front().span_id, span.context.span_id);
}

}  // namespace
}  // namespace tome::robotcopy
