#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "tome/telemetry/logs/batch_log_processor.hpp"

namespace tome::telemetry::logs {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<LogRecord> Rec(int i) {
    auto r = std::make_unique<LogRecord>();
    r->severity = Severity::kInfo;
    r->body = LogValue("r" + std::to_string(i));
    return r;
}

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// An exporter whose Export blocks until Release() (or Shutdown), counting calls and records.
class GatedExporter final : public LogExporter {
public:
    struct State {
        std::mutex mu;
        std::condition_variable cv;
        bool open = false;
        bool shut = false;
        int calls = 0;
        int entered = 0;
        std::size_t records = 0;
        std::size_t largest_batch = 0;
        ExportResult result = ExportResult::kSuccess;
        void Release() {
            std::lock_guard lock(mu);
            open = true;
            cv.notify_all();
        }
        bool WaitEntered(int n) {
            std::unique_lock lock(mu);
            return cv.wait_for(lock, 10s, [&] { return entered >= n; });
        }
    };
    explicit GatedExporter(std::shared_ptr<State> s) : s_(std::move(s)) {}
    ExportResult Export(std::span<const std::unique_ptr<LogRecord>> batch,
                        Clock::time_point) noexcept override {
        std::unique_lock lock(s_->mu);
        ++s_->entered;
        s_->cv.notify_all();
        s_->cv.wait(lock, [&] { return s_->open || s_->shut; });
        ++s_->calls;
        s_->records += batch.size();
        s_->largest_batch = std::max(s_->largest_batch, batch.size());
        return s_->shut ? ExportResult::kFailureNonRetryable : s_->result;
    }
    bool Shutdown(std::chrono::milliseconds) noexcept override {
        std::lock_guard lock(s_->mu);
        s_->shut = true;
        s_->cv.notify_all();
        return true;
    }

private:
    std::shared_ptr<State> s_;
};

BatchLogProcessorOptions Small(std::size_t queue, std::size_t batch) {
    BatchLogProcessorOptions o;
    o.max_queue_size = queue;
    o.max_export_batch_size = batch;
    o.scheduled_delay = 1h;  // only full batches, flushes and shutdown trigger exports
    o.export_timeout = 10s;
    return o;
}

TEST(BatchLogProcessorOptions, DefaultsFollowTheSpec) {
    BatchLogProcessorOptions o;
    EXPECT_EQ(o.max_queue_size, 2048u);
    EXPECT_EQ(o.max_export_batch_size, 512u);
    EXPECT_EQ(o.scheduled_delay, 1000ms);
    EXPECT_EQ(o.export_timeout, 30000ms);
    auto r = ReadBatchLogProcessorOptions(FakeEnv({}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().max_queue_size, 2048u);
}

TEST(BatchLogProcessorOptions, ReadsTheBlrpVariables) {
    auto r = ReadBatchLogProcessorOptions(FakeEnv({{"OTEL_BLRP_MAX_QUEUE_SIZE", "100"},
                                                   {"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", " 10 "},
                                                   {"OTEL_BLRP_SCHEDULE_DELAY", "250"},
                                                   {"OTEL_BLRP_EXPORT_TIMEOUT", "5000"},
                                                   {"OTEL_BSP_SCHEDULE_DELAY", "7"}}));
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(r.value().max_queue_size, 100u);
    EXPECT_EQ(r.value().max_export_batch_size, 10u);
    EXPECT_EQ(r.value().scheduled_delay, 250ms);
    EXPECT_EQ(r.value().export_timeout, 5000ms);
}

TEST(BatchLogProcessorOptions, ErrorsNameTheVariable) {
    auto bad = ReadBatchLogProcessorOptions(FakeEnv({{"OTEL_BLRP_SCHEDULE_DELAY", "1s"}}));
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.message().find("OTEL_BLRP_SCHEDULE_DELAY"), std::string::npos);
    auto zero = ReadBatchLogProcessorOptions(FakeEnv({{"OTEL_BLRP_MAX_QUEUE_SIZE", "0"}}));
    ASSERT_FALSE(zero.ok());
    EXPECT_NE(zero.message().find("OTEL_BLRP_MAX_QUEUE_SIZE"), std::string::npos);
    auto neg = ReadBatchLogProcessorOptions(FakeEnv({{"OTEL_BLRP_EXPORT_TIMEOUT", "-1"}}));
    ASSERT_FALSE(neg.ok());
    EXPECT_NE(neg.message().find("OTEL_BLRP_EXPORT_TIMEOUT"), std::string::npos);
}

TEST(BatchLogProcessor, ForceFlushExportsEverythingQueued) {
    auto exporter = std::make_unique<InMemoryLogExporter>();
    auto storage = exporter->storage();
    BatchLogProcessor p(std::move(exporter), Small(100, 4));
    for (int i = 0; i < 10; ++i) p.OnEmit(Rec(i));
    ASSERT_TRUE(p.ForceFlush(10s));
    auto recs = storage->Snapshot();
    ASSERT_EQ(recs.size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(*recs[i].body.AsString(), "r" + std::to_string(i));
    EXPECT_EQ(p.stats().exported, 10u);
    EXPECT_EQ(p.QueueSizeForTesting(), 0u);
}

TEST(BatchLogProcessor, FullQueueDropsTheNewRecordWithoutBlocking) {
    auto state = std::make_shared<GatedExporter::State>();
    BatchLogProcessor p(std::make_unique<GatedExporter>(state), Small(4, 2));
    p.OnEmit(Rec(0));
    p.OnEmit(Rec(1));                 // a full batch: the worker takes it and blocks in Export
    ASSERT_TRUE(state->WaitEntered(1));
    for (int i = 2; i < 6; ++i) p.OnEmit(Rec(i));  // fills the queue (4)
    EXPECT_EQ(p.QueueSizeForTesting(), 4u);
    p.OnEmit(Rec(6));  // returns at once although the exporter is stuck
    p.OnEmit(Rec(7));
    EXPECT_EQ(p.stats().dropped_queue_full, 2u);
    state->Release();
    ASSERT_TRUE(p.ForceFlush(10s));
    EXPECT_EQ(state->records, 6u);
    EXPECT_LE(state->largest_batch, 2u);
    EXPECT_EQ(p.stats().exported, 6u);
}

TEST(BatchLogProcessor, CountsFailedExports) {
    auto state = std::make_shared<GatedExporter::State>();
    state->result = ExportResult::kFailureRetryable;
    state->open = true;
    BatchLogProcessor p(std::make_unique<GatedExporter>(state), Small(10, 10));
    p.OnEmit(Rec(0));
    EXPECT_FALSE(p.ForceFlush(10s));
    EXPECT_EQ(p.stats().dropped_export_failed, 1u);
}

TEST(BatchLogProcessor, ShutdownDrainsIsIdempotentAndDropsLaterRecords) {
    auto exporter = std::make_unique<InMemoryLogExporter>();
    auto storage = exporter->storage();
    BatchLogProcessor p(std::move(exporter), Small(100, 50));
    for (int i = 0; i < 3; ++i) p.OnEmit(Rec(i));
    EXPECT_TRUE(p.Shutdown(10s));
    EXPECT_EQ(storage->Snapshot().size(), 3u);
    EXPECT_TRUE(p.Shutdown(10s));
    p.OnEmit(Rec(9));
    EXPECT_EQ(p.stats().dropped_shutdown, 1u);
    EXPECT_TRUE(p.ForceFlush(1s));  // nothing left to flush
}

TEST(BatchLogProcessor, ShutdownIsBoundedWhenTheExporterHangs) {
    auto state = std::make_shared<GatedExporter::State>();
    BatchLogProcessor p(std::make_unique<GatedExporter>(state), Small(10, 1));
    p.OnEmit(Rec(0));
    ASSERT_TRUE(state->WaitEntered(1));
    p.OnEmit(Rec(1));
    // The worker is stuck; Shutdown gives up at its deadline and aborts the exporter.
    EXPECT_FALSE(p.Shutdown(20ms));
    EXPECT_TRUE(state->shut);
}

TEST(BatchLogProcessor, ScheduledDelayExportsAPartialBatch) {
    auto state = std::make_shared<GatedExporter::State>();
    state->open = true;
    BatchLogProcessorOptions o = Small(10, 10);
    o.scheduled_delay = 1ms;
    BatchLogProcessor p(std::make_unique<GatedExporter>(state), o);
    p.OnEmit(Rec(0));
    // No flush: only the timer can trigger this export.
    EXPECT_TRUE(state->WaitEntered(1));
}

TEST(SimpleLogProcessor, ExportsInlineAndDropsAfterShutdown) {
    auto exporter = std::make_unique<InMemoryLogExporter>();
    auto storage = exporter->storage();
    SimpleLogProcessor p(std::move(exporter));
    p.OnEmit(Rec(0));
    EXPECT_EQ(storage->Snapshot().size(), 1u);
    EXPECT_TRUE(p.Shutdown(1s));
    EXPECT_TRUE(p.Shutdown(1s));
    p.OnEmit(Rec(1));
    EXPECT_EQ(storage->Snapshot().size(), 1u);
    EXPECT_EQ(p.dropped(), 1u);
}

TEST(BatchLogProcessor, ConcurrentEmittersLoseNothingBelowCapacity) {
    auto exporter = std::make_unique<InMemoryLogExporter>();
    auto storage = exporter->storage();
    BatchLogProcessor p(std::move(exporter), Small(4000, 64));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) p.OnEmit(Rec(i));
        });
    for (auto& t : threads) t.join();
    ASSERT_TRUE(p.ForceFlush(10s));
    EXPECT_EQ(storage->Snapshot().size(), 2000u);
    EXPECT_EQ(p.stats().dropped_queue_full, 0u);
}

}  // namespace
}  // namespace tome::telemetry::logs
