// Concurrent use of MessageHistory and HealthMonitor; meant to run under TSAN as well.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tome/robotcopy/health_monitor.hpp"
#include "tome/robotcopy/message_history.hpp"
#include "tome/testing/fake_clock.hpp"

namespace tome::robotcopy {
namespace {

using tome::testing::FakeClock;

TEST(MessageHistoryStress, ConcurrentTrackAndReadKeepCountsConsistent) {
    FakeClock clock;
    MessageHistory history(clock, {.capacity = 500, .max_per_trace = 50});
    constexpr int kWriters = 4;
    constexpr int kPerWriter = 2000;
    std::atomic<bool> done{false};

    std::thread reader([&] {
        while (!done.load()) {
            EXPECT_LE(history.size(), 500u);
            auto trace = history.FullTrace("t0");
            if (trace.ok()) {
                EXPECT_LE((*trace)["messageCount"].get<int>(), 50);
            }
            (void)history.MessagesOf("t1");
        }
    });
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&history, w] {
            for (int i = 0; i < kPerWriter; ++i) {
                TrackedMessage m;
                m.trace_id = "t" + std::to_string((w * kPerWriter + i) % 16);
                m.span_id = "s";
                m.action = "event.forward";
                history.Track(std::move(m));
            }
        });
    }
    for (auto& t : writers) t.join();
    done = true;
    reader.join();

    EXPECT_EQ(history.size() + history.evicted(), std::uint64_t{kWriters * kPerWriter});
    EXPECT_LE(history.size(), 500u);
    EXPECT_LE(history.trace_count(), 16u);
}

class NoBackend final : public BackendClient {
public:
    Result<BackendResponse> Post(const BackendRequest&) override {
        return Status(Code::kUnavailable, "no backend");
    }
};

TEST(HealthMonitorStress, RunOnceAndLastReportFromManyThreads) {
    FakeClock clock;
    FeatureToggles toggles;
    RobotCopy rc(RobotCopyOptions{}, toggles, clock, std::make_unique<NoBackend>());
    std::atomic<int> calls{0};
    HealthMonitor monitor([&calls] { return Json{{"n", ++calls}}; }, rc,
                          {.interval = std::chrono::hours{1}});
    monitor.Start();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&monitor] {
            for (int i = 0; i < 200; ++i) {
                monitor.RunOnce();
                (void)monitor.LastReport();
            }
        });
    }
    for (auto& t : threads) t.join();
    monitor.Shutdown();
    EXPECT_EQ(monitor.checks_run(), 800u);
    EXPECT_EQ(rc.history().size(), 800u);
}

}  // namespace
}  // namespace tome::robotcopy
