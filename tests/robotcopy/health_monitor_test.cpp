#include "tome/robotcopy/health_monitor.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "tome/testing/fake_clock.hpp"

namespace tome::robotcopy {
namespace {

using tome::testing::FakeClock;

// A backend that must never be called by these tests.
class NoBackend final : public BackendClient {
public:
    Result<BackendResponse> Post(const BackendRequest&) override {
        ADD_FAILURE() << "unexpected backend call";
        return Status(Code::kUnavailable, "no backend");
    }
};

struct Fixture {
    FakeClock clock;
    FeatureToggles toggles;
    RobotCopy robot_copy{RobotCopyOptions{}, toggles, clock, std::make_unique<NoBackend>()};
};

TEST(HealthMonitor, LastReportIsEmptyBeforeFirstCheck) {
    Fixture f;
    HealthMonitor monitor([] { return Json{{"status", "healthy"}}; }, f.robot_copy);
    const Json last = monitor.LastReport();
    EXPECT_TRUE(last["report"].is_null());
    EXPECT_TRUE(last["checkedAt"].is_null());
    EXPECT_EQ(last["checksRun"], 0);
    EXPECT_EQ(last["checksSkipped"], 0);
}

TEST(HealthMonitor, RunOnceStoresReportAndTracksMessage) {
    Fixture f;
    int calls = 0;
    HealthMonitor monitor(
        [&calls] {
            ++calls;
            return Json{{"status", "healthy"}, {"connections", calls}};
        },
        f.robot_copy);

    const Json report = monitor.RunOnce();
    EXPECT_EQ(report, (Json{{"status", "healthy"}, {"connections", 1}}));
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(monitor.checks_run(), 1u);

    const Json last = monitor.LastReport();
    EXPECT_EQ(last["report"], report);
    EXPECT_EQ(last["checkedAt"], FormatRfc3339(f.clock.Now()));
    EXPECT_EQ(last["checksRun"], 1);

    const std::string trace = last["traceId"];
    auto tracked = f.robot_copy.history().MessagesOf(trace);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].action, "health.check");
    EXPECT_EQ(tracked[0].status, "ok");
    EXPECT_EQ(tracked[0].data["report"], report);
    EXPECT_EQ(tracked[0].trace_id.size(), 32u);
}

TEST(HealthMonitor, ThrowingCheckBecomesErrorReport) {
    Fixture f;
    HealthMonitor monitor([]() -> Json { throw std::runtime_error("probe failed"); },
                          f.robot_copy);
    const Json report = monitor.RunOnce();
    EXPECT_EQ(report["status"], "error");
    EXPECT_EQ(report["error"], "probe failed");
    auto tracked = f.robot_copy.history().MessagesOf(monitor.LastReport()["traceId"]);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].status, "error");
    EXPECT_EQ(tracked[0].error, "probe failed");
}

TEST(HealthMonitor, TickRunsWhenToggleOnAndSkipsWhenOff) {
    Fixture f;
    int calls = 0;
    HealthMonitor monitor([&calls] { return Json{{"n", ++calls}}; }, f.robot_copy);

    EXPECT_TRUE(monitor.Tick());  // health monitoring is on by default
    EXPECT_EQ(calls, 1);

    ASSERT_TRUE(f.toggles.Set(std::string(toggles::kHealthMonitoring), false).ok());
    EXPECT_FALSE(monitor.Tick());
    EXPECT_FALSE(monitor.Tick());
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(monitor.checks_run(), 1u);
    EXPECT_EQ(monitor.checks_skipped(), 2u);
    EXPECT_EQ(f.robot_copy.history().size(), 1u);
    EXPECT_EQ(monitor.LastReport()["checksSkipped"], 2);
    EXPECT_EQ(monitor.LastReport()["report"], (Json{{"n", 1}}));
}

TEST(HealthMonitor, ShutdownWakesAndJoinsThreadWithLongInterval) {
    Fixture f;
    int calls = 0;
    HealthMonitor monitor([&calls] { return Json{{"n", ++calls}}; }, f.robot_copy,
                          {.interval = std::chrono::hours{1}});
    monitor.Start();
    monitor.Start();     // second start does nothing
    monitor.Shutdown();  // must return without waiting for the hour
    monitor.Shutdown();  // idempotent
    EXPECT_EQ(monitor.checks_run(), 0u);
    EXPECT_EQ(calls, 0);

    monitor.Start();  // after Shutdown: does nothing
    monitor.Shutdown();
}

TEST(HealthMonitor, DestructorShutsDownRunningThread) {
    Fixture f;
    {
        HealthMonitor monitor([] { return Json::object(); }, f.robot_copy,
                              {.interval = std::chrono::hours{1}});
        monitor.Start();
    }
    SUCCEED();
}

TEST(HealthMonitor, ShutdownWithoutStartIsFine) {
    Fixture f;
    HealthMonitor monitor([] { return Json::object(); }, f.robot_copy);
    monitor.Shutdown();
    EXPECT_EQ(monitor.RunOnce(), Json::object());  // RunOnce still works on the caller
}

}  // namespace
}  // namespace tome::robotcopy
