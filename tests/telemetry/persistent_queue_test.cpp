// PersistentExportQueue: batches written durably, sent oldest first, kept through receiver
// failures and restarts, bounded with the oldest dropped and counted, and the SelfStats
// accounting (queued, exported, dropped) that the outage tests rely on. The queue's sends go to
// a scripted function here; OtlpHttpExporterPersistentQueue drives the real exporter and
// transport against a loopback receiver.
#include "tome/telemetry/export/persistent_queue.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loopback_receiver.hpp"
#include "test_util.hpp"
#include "tome/telemetry/export/otlp_http_exporter.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::exporter {
namespace {

namespace fs = std::filesystem;
using Clock = PersistentExportQueue::Clock;
using Counter = SelfStats::Counter;
using namespace std::chrono_literals;

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "tome-pq-XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    std::vector<std::string> Batches() const {  // batch file names, sorted
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(path_)) {
            const std::string n = e.path().filename().string();
            if (n != "lock") out.push_back(n);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

private:
    fs::path path_;
};

// A receiver the test scripts: it answers `next` to every send and records what arrived.
class ScriptedSend {
public:
    PersistentExportQueue::SendFn Fn() {
        return [this](std::string_view body, std::string_view content_type, Clock::time_point deadline) {
            std::unique_lock lock(mu_);
            ++attempts_;
            cv_.notify_all();
            if (hang_) {  // a black hole: until the deadline or the abort
                cv_.wait_until(lock, deadline, [&] { return aborted_; });
                return OtlpSendResult{OtlpSendStatus::kFailureNonRetryable};
            }
            OtlpSendResult r;
            r.status = next_;
            if (next_ == OtlpSendStatus::kSuccess) {
                bodies_.emplace_back(body);
                content_types_.emplace_back(content_type);
            }
            return r;
        };
    }
    std::function<void()> Abort() {
        return [this] {
            std::lock_guard lock(mu_);
            aborted_ = true;
            cv_.notify_all();
        };
    }
    void Answer(OtlpSendStatus s) {
        std::lock_guard lock(mu_);
        next_ = s;
    }
    void Hang() {
        std::lock_guard lock(mu_);
        hang_ = true;
    }
    bool WaitForAttempts(int n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, 5s, [&] { return attempts_ >= n; });
    }
    std::vector<std::string> bodies() const {
        std::lock_guard lock(mu_);
        return bodies_;
    }
    std::vector<std::string> content_types() const {
        std::lock_guard lock(mu_);
        return content_types_;
    }

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    OtlpSendStatus next_ = OtlpSendStatus::kSuccess;
    bool hang_ = false;
    bool aborted_ = false;
    int attempts_ = 0;
    std::vector<std::string> bodies_;
    std::vector<std::string> content_types_;
};

PersistentQueueOptions Options(const fs::path& dir) {
    PersistentQueueOptions o;
    o.dir = dir;
    o.max_bytes = 1 << 20;
    o.initial_retry_delay = 5ms;
    o.max_retry_delay = 20ms;
    o.send_timeout = 2s;
    return o;
}

std::unique_ptr<PersistentExportQueue> OpenQueue(const PersistentQueueOptions& o,
                                                 ScriptedSend& send, SelfStats& stats) {
    auto q = PersistentExportQueue::Open(o, send.Fn(), send.Abort(), &stats);
    if (!q.ok()) ADD_FAILURE() << q.message();
    return q.ok() ? std::move(q).value() : nullptr;
}

// What a batch processor does before handing a batch over: it counts the spans as queued.
bool Enqueue(PersistentExportQueue& q, SelfStats& stats, const std::string& body,
             std::uint64_t items, bool json = false) {
    stats.Add(Counter::kSpansQueued, items);
    return q.Enqueue(body, items, json);
}

TEST(PersistentQueue, DeliversInOrderAndDeletesEachBatchOnceAnswered) {
    TempDir dir;
    SelfStats stats;
    ScriptedSend send;
    auto q = OpenQueue(Options(dir.path()), send, stats);
    ASSERT_TRUE(Enqueue(*q, stats, "first", 2));
    ASSERT_TRUE(Enqueue(*q, stats, "second", 3, /*json=*/true));
    ASSERT_TRUE(Enqueue(*q, stats, "third", 4));
    ASSERT_TRUE(q->Flush(Clock::now() + 5s));
    EXPECT_EQ(send.bodies(), (std::vector<std::string>{"first", "second", "third"}));
    EXPECT_EQ(send.content_types(),
              (std::vector<std::string>{"application/x-protobuf", "application/json",
                                        "application/x-protobuf"}));
    EXPECT_TRUE(dir.Batches().empty());
    const auto s = stats.Snapshot();
    EXPECT_EQ(s.spans_exported, 9u);
    EXPECT_EQ(s.spans_queued, 0u);
    EXPECT_EQ(s.persistent_queue_batches, 0u);
    EXPECT_EQ(s.persistent_queue_bytes, 0u);
    EXPECT_EQ(q->stats().delivered_items, 9u);
}

TEST(PersistentQueue, KeepsBatchesOnDiskWhileTheReceiverIsDownAndResumesInOrder) {
    TempDir dir;
    SelfStats stats;
    ScriptedSend send;
    send.Answer(OtlpSendStatus::kFailureRetryable);
    auto q = OpenQueue(Options(dir.path()), send, stats);
    ASSERT_TRUE(Enqueue(*q, stats, "a", 1));
    ASSERT_TRUE(Enqueue(*q, stats, "b", 1));
    ASSERT_TRUE(send.WaitForAttempts(3));  // retried, not given up
    EXPECT_FALSE(q->Flush(Clock::now() + 1s)) << "a flush returns once the receiver failed";
    EXPECT_EQ(dir.Batches().size(), 2u);
    auto s = stats.Snapshot();
    EXPECT_EQ(s.spans_queued, 2u);
    EXPECT_EQ(s.persistent_queue_spans, 2u);
    EXPECT_EQ(s.persistent_queue_batches, 2u);
    EXPECT_EQ(s.persistent_queue_bytes, 2u);
    EXPECT_EQ(s.dropped_total(), 0u);

    send.Answer(OtlpSendStatus::kSuccess);
    ASSERT_TRUE(Enqueue(*q, stats, "c", 1));
    ASSERT_TRUE(q->Flush(Clock::now() + 5s));
    EXPECT_EQ(send.bodies(), (std::vector<std::string>{"a", "b", "c"}));
    s = stats.Snapshot();
    EXPECT_EQ(s.spans_exported, 3u);
    EXPECT_EQ(s.spans_queued, 0u);
}

TEST(PersistentQueue, ABatchLeftAtShutdownIsSentAfterTheNextOpenAndCountedAsRecovered) {
    TempDir dir;
    ScriptedSend down;
    down.Answer(OtlpSendStatus::kFailureRetryable);
    {
        SelfStats stats;
        auto q = OpenQueue(Options(dir.path()), down, stats);
        ASSERT_TRUE(Enqueue(*q, stats, "one", 5));
        ASSERT_TRUE(Enqueue(*q, stats, "two", 6));
        q->Shutdown(Clock::now() + 50ms);
        EXPECT_EQ(stats.Snapshot().spans_queued, 11u) << "left on disk, not dropped";
        EXPECT_EQ(stats.Snapshot().dropped_total(), 0u);
    }
    ASSERT_EQ(dir.Batches().size(), 2u);

    SelfStats stats;
    ScriptedSend up;
    auto q = OpenQueue(Options(dir.path()), up, stats);
    ASSERT_TRUE(Enqueue(*q, stats, "three", 1));  // after the recovered ones
    ASSERT_TRUE(q->Flush(Clock::now() + 5s));
    EXPECT_EQ(up.bodies(), (std::vector<std::string>{"one", "two", "three"}));
    const auto s = stats.Snapshot();
    EXPECT_EQ(s.persistent_queue_recovered, 11u);
    EXPECT_EQ(s.spans_exported, 12u);
    EXPECT_EQ(s.spans_queued, 0u);
    EXPECT_EQ(q->stats().recovered_items, 11u);
}

TEST(PersistentQueue, AHalfWrittenFileFromACrashIsNeitherSentNorCounted) {
    TempDir dir;
    {
        std::ofstream(dir.path() / "00000000000000000001-3.pb.tmp") << "torn";
        std::ofstream(dir.path() / "00000000000000000002-4.pb") << "whole";
        std::ofstream(dir.path() / "notes.txt") << "not ours";
    }
    SelfStats stats;
    ScriptedSend send;
    auto q = OpenQueue(Options(dir.path()), send, stats);
    ASSERT_TRUE(q->Flush(Clock::now() + 5s));
    EXPECT_EQ(send.bodies(), (std::vector<std::string>{"whole"}));
    EXPECT_EQ(stats.Snapshot().persistent_queue_recovered, 4u);
    EXPECT_EQ(dir.Batches(), (std::vector<std::string>{"notes.txt"}));
}

TEST(PersistentQueue, WhenFullTheOldestBatchesAreDroppedAndCounted) {
    TempDir dir;
    SelfStats stats;
    ScriptedSend send;
    send.Answer(OtlpSendStatus::kFailureRetryable);
    PersistentQueueOptions o = Options(dir.path());
    o.max_bytes = kMinPersistentQueueBytes;  // 64 KiB: two 30 KiB batches fit, three do not
    auto q = OpenQueue(o, send, stats);
    const std::string body(30 * 1024, 'x');
    ASSERT_TRUE(Enqueue(*q, stats, body, 10));
    ASSERT_TRUE(send.WaitForAttempts(1));  // the first batch is now the one being retried
    ASSERT_TRUE(Enqueue(*q, stats, body, 20));
    ASSERT_TRUE(Enqueue(*q, stats, body, 30));
    // The batch in flight is never evicted under the sender: the next oldest goes.
    auto s = stats.Snapshot();
    EXPECT_EQ(s.dropped_persistent_queue_full + s.persistent_queue_spans, 60u);
    EXPECT_GE(s.dropped_persistent_queue_full, 10u);
    EXPECT_LE(s.persistent_queue_bytes, o.max_bytes + body.size());
    EXPECT_EQ(s.spans_queued, s.persistent_queue_spans);
    EXPECT_EQ(q->stats().dropped_full, s.dropped_persistent_queue_full);
    EXPECT_FALSE(q->Enqueue(std::string(o.max_bytes + 1, 'y'), 1, false))
        << "a batch larger than the whole queue is refused, not written";
}

TEST(PersistentQueue, ABatchTheReceiverRefusesForGoodIsDroppedAndCounted) {
    TempDir dir;
    SelfStats stats;
    ScriptedSend send;
    send.Answer(OtlpSendStatus::kFailureNonRetryable);
    auto q = OpenQueue(Options(dir.path()), send, stats);
    ASSERT_TRUE(Enqueue(*q, stats, "bad", 7));
    ASSERT_TRUE(q->Flush(Clock::now() + 5s));
    const auto s = stats.Snapshot();
    EXPECT_EQ(s.dropped_export_failed, 7u);
    EXPECT_EQ(s.export_failures, 1u);
    EXPECT_EQ(s.spans_queued, 0u);
    EXPECT_TRUE(dir.Batches().empty());
}

TEST(PersistentQueue, ShutdownWithABlackHoledReceiverReturnsByItsDeadlineAndKeepsTheBatch) {
    TempDir dir;
    SelfStats stats;
    ScriptedSend send;
    send.Hang();
    PersistentQueueOptions o = Options(dir.path());
    o.send_timeout = 60s;
    auto q = OpenQueue(o, send, stats);
    ASSERT_TRUE(Enqueue(*q, stats, "held", 3));
    ASSERT_TRUE(send.WaitForAttempts(1));
    const auto start = Clock::now();
    q->Shutdown(start + 200ms);
    EXPECT_LT(Clock::now() - start, 5s) << "the abort ends the send in flight";
    EXPECT_EQ(dir.Batches().size(), 1u) << "an aborted send keeps its batch for the next start";
    EXPECT_EQ(stats.Snapshot().spans_queued, 3u);
    EXPECT_EQ(stats.Snapshot().dropped_total(), 0u);
}

// Process CPU time (user + system) so far.
std::chrono::microseconds CpuTime() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto us = [](const timeval& t) { return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec); };
    return std::chrono::duration_cast<std::chrono::microseconds>(us(u.ru_utime) + us(u.ru_stime));
}

// The drain thread sleeps while there is nothing to send and while it backs off: over a
// 400 ms window (the measurement, not a synchronisation) the process uses a sliver of a core
// (0.5 ms idle here; the polling loop this replaced used 75 ms).
TEST(PersistentQueue, AnIdleOrBackingOffQueueDoesNotSpin) {
    TempDir dir;
    SelfStats stats;
    ScriptedSend send;
    auto q = OpenQueue(Options(dir.path()), send, stats);
    auto window = [] {
        const auto before = CpuTime();
        std::this_thread::sleep_for(400ms);
        return CpuTime() - before;
    };
    EXPECT_LT(window(), 20ms) << "idle (a drain loop that polled took 75 ms here)";
    send.Answer(OtlpSendStatus::kFailureRetryable);
    ASSERT_TRUE(Enqueue(*q, stats, "waits", 1));
    ASSERT_TRUE(send.WaitForAttempts(2));
    EXPECT_LT(window(), 40ms) << "backing off (one cheap attempt at most 20 ms apart here)";
}

TEST(PersistentQueue, OneProcessPerDirectory) {
    TempDir dir;
    SelfStats stats;
    ScriptedSend send;
    auto first = OpenQueue(Options(dir.path()), send, stats);
    auto second = PersistentExportQueue::Open(Options(dir.path()), send.Fn(), send.Abort(), &stats);
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.message().find("in use by another process"), std::string::npos)
        << second.message();
    first.reset();
    EXPECT_TRUE(PersistentExportQueue::Open(Options(dir.path()), send.Fn(), send.Abort(), &stats).ok())
        << "the lock goes with the queue";
}

TEST(PersistentQueue, BadOptionsAreErrorsThatSayWhatIsWrong) {
    SelfStats stats;
    ScriptedSend send;
    PersistentQueueOptions o;
    auto none = PersistentExportQueue::Open(o, send.Fn(), send.Abort(), &stats);
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.message().find("no directory"), std::string::npos);
    TempDir dir;
    o = Options(dir.path());
    o.max_bytes = 1000;
    auto small = PersistentExportQueue::Open(o, send.Fn(), send.Abort(), &stats);
    ASSERT_FALSE(small.ok());
    EXPECT_NE(small.message().find("maxBytes must be between"), std::string::npos);
}

// The real exporter, transport and batch processor against a loopback receiver that answers
// 503 three times: every span arrives once, in order, and the accounting adds up throughout.
TEST(OtlpHttpExporterPersistentQueue, SpansSurviveReceiverErrorsAndTheAccountingHolds) {
    TempDir dir;
    SelfStats stats;
    testing::LoopbackReceiver receiver({{503, "", ""}, {503, "", ""}, {503, "", ""}});
    OtlpHttpExporterOptions eo;
    eo.endpoint = receiver.url();
    eo.protocol = OtlpProtocol::kHttpJson;
    eo.timeout = 2s;
    eo.stats = &stats;
    eo.persistent_queue = Options(dir.path());
    trace::BatchSpanProcessorOptions bo;
    bo.max_export_batch_size = 10;
    bo.scheduled_delay = 10ms;
    bo.stats = &stats;
    auto processor = std::make_unique<trace::BatchSpanProcessor>(
        std::make_unique<OtlpHttpExporter>(eo), bo);
    trace::TracerProviderOptions po;
    po.stats = &stats;
    po.processors.push_back(std::move(processor));
    auto provider = std::make_shared<trace::TracerProvider>(std::move(po));
    trace::Tracer tracer = provider->GetTracer("test");
    for (int i = 0; i < 35; ++i) tracer.StartSpan("op" + std::to_string(i)).End();
    // A flush returns false while the receiver fails (the batches wait on disk); it succeeds
    // once the receiver answers again.
    const auto until = Clock::now() + 10s;
    bool flushed = false;
    while (!flushed && Clock::now() < until) flushed = provider->ForceFlush(10s);
    ASSERT_TRUE(flushed);
    auto s = stats.Snapshot();
    EXPECT_EQ(s.spans_exported, 35u);
    EXPECT_EQ(s.spans_queued, 0u);
    EXPECT_EQ(s.spans_exported + s.dropped_total() + s.spans_queued, s.spans_ended);
    // 3 refused requests + one per batch of at most 10 spans.
    const auto requests = receiver.requests();
    EXPECT_GE(requests.size(), 3u + 4u);
    std::string all;
    for (std::size_t i = 3; i < requests.size(); ++i) all += requests[i].body;
    for (int i = 0; i < 35; ++i) {
        const std::string name = "\"op" + std::to_string(i) + "\"";
        EXPECT_EQ(all.find(name), all.rfind(name)) << name << " arrived more than once";
        EXPECT_NE(all.find(name), std::string::npos) << name << " never arrived";
    }
    EXPECT_TRUE(provider->Shutdown(5s));
    EXPECT_TRUE(dir.Batches().empty());
}

}  // namespace
}  // namespace tome::telemetry::exporter
