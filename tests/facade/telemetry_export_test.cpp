// tome::Telemetry against a loopback OTLP/HTTP receiver: spans, events, logs and instruments
// arrive correlated; header values reach the receiver; Stats() matches what it received;
// Shutdown flushes every signal, and returns within its deadline when nothing listens.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "otlp_capture.hpp"
#include "tome/facade/telemetry.hpp"

namespace tome::facade {
namespace {

using telemetry::logs::Severity;
using telemetry::testing::LoopbackReceiver;
using testing::Attributes;
using testing::Decode;
using testing::Hex;

EnvLookup Env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view k) -> std::optional<std::string> {
        auto it = vars.find(std::string(k));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

TelemetryConfig ToReceiver(unsigned short port, telemetry::SelfStats& stats) {
    TelemetryConfig c;
    c.service_name = "facade-test";
    c.endpoint = "http://127.0.0.1:" + std::to_string(port);
    c.log_console = false;
    c.log_level = "debug";
    c.self_stats = &stats;
    return c;
}

TEST(TelemetryExport, SpansEventsAndLogsArriveCorrelated) {
    LoopbackReceiver rx;
    telemetry::SelfStats stats;
    TelemetryConfig c = ToReceiver(rx.port(), stats);
    c.headers["x-api-key"] = "key-${API_KEY}";
    auto t = Telemetry::Create(c, Env({{"API_KEY", "s3cret"}}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    Telemetry& tel = **t;

    std::string trace_id, span_id;
    {
        auto span = tel.StartSpan("order.workflow", {{"business.order_id", "o-1"}},
                                  {.kind = telemetry::trace::SpanKind::kServer});
        trace_id = span.GetContext().trace_id.ToHex();
        span_id = span.GetContext().span_id.ToHex();
        SpanScope scope(span);
        EXPECT_TRUE(tel.AddEvent("payment.authorized", {{"amount", 42.5}}));
        namespace trace = telemetry::trace;
        const trace::Scope baggage(trace::Context::Current().WithBaggage(
            trace::Baggage().Set("business.customer_id", "c-9").Set("other", "x")));
        tel.Log(Severity::kInfo, "order placed", {{"order.id", "o-1"}});
        tel.Log(Severity::kTrace, "below the level: not emitted");
        auto child = tel.StartSpan("payment");
        child.End();
        span.End();
    }
    tel.Log(Severity::kWarn, "outside any span");
    ASSERT_TRUE(tel.Shutdown(std::chrono::seconds(10)));

    const auto got = Decode(rx);
    ASSERT_EQ(got.spans.size(), 2u);
    const auto& root = got.spans[0].name() == "order.workflow" ? got.spans[0] : got.spans[1];
    const auto& child = got.spans[0].name() == "payment" ? got.spans[0] : got.spans[1];
    EXPECT_EQ(Hex(root.trace_id()), trace_id);
    EXPECT_EQ(Hex(root.span_id()), span_id);
    EXPECT_EQ(Hex(child.parent_span_id()), span_id);
    EXPECT_EQ(Attributes(root.attributes()).at("business.order_id"), "o-1");
    ASSERT_EQ(root.events_size(), 1);
    EXPECT_EQ(root.events(0).name(), "payment.authorized");

    ASSERT_EQ(got.logs.size(), 2u);
    for (const auto& log : got.logs) {
        if (log.body().string_value() == "order placed") {
            EXPECT_EQ(Hex(log.trace_id()), trace_id);
            EXPECT_EQ(Hex(log.span_id()), span_id);
            const auto attributes = Attributes(log.attributes());
            EXPECT_EQ(attributes.at("order.id"), "o-1");
            // The business.* baggage entries, and no other baggage.
            EXPECT_EQ(attributes.at("business.customer_id"), "c-9");
            EXPECT_EQ(attributes.count("other"), 0u);
        } else {
            EXPECT_EQ(log.body().string_value(), "outside any span");
            EXPECT_TRUE(log.trace_id().empty());
        }
    }
    // The expanded header went to the receiver with every export.
    ASSERT_FALSE(got.api_keys.empty());
    for (const auto& key : got.api_keys) EXPECT_EQ(key, "key-s3cret");

    // Real counts: what the receiver holds.
    const TelemetryStats s = tel.Stats();
    EXPECT_EQ(s.spans_ended, 2u);
    EXPECT_EQ(s.spans_exported, got.spans.size());
    EXPECT_EQ(s.spans_dropped, 0u);
    EXPECT_EQ(s.logs_emitted, 2u);
    EXPECT_EQ(s.logs_exported, got.logs.size());
    EXPECT_EQ(s.logs_dropped, 0u);
}

TEST(TelemetryExport, CounterHistogramAndGaugeArriveAndAreCounted) {
    LoopbackReceiver rx;
    telemetry::SelfStats stats;
    auto t = Telemetry::Create(ToReceiver(rx.port(), stats), Env({}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    Telemetry& tel = **t;
    auto orders = tel.CreateCounter<std::uint64_t>("orders.placed", "Orders placed", "{order}");
    auto latency = tel.CreateHistogram<double>("order.latency", "Order latency", "ms", {10, 100});
    auto queue = tel.CreateGauge<std::int64_t>("queue.depth", "Queue depth", "{item}");
    ASSERT_TRUE(orders.ok() && latency.ok() && queue.ok());
    orders->Add(2, {{"tier", "gold"}});
    orders->Add(3, {{"tier", "gold"}});
    latency->Record(5);
    latency->Record(50);
    latency->Record(500);
    queue->Record(7);
    EXPECT_EQ(tel.Stats().metric_measurements, 6u);
    ASSERT_TRUE(tel.Shutdown(std::chrono::seconds(10)));

    const auto got = Decode(rx);
    const auto* counter = got.Metric("orders.placed");
    ASSERT_NE(counter, nullptr);
    ASSERT_EQ(counter->sum().data_points_size(), 1);
    EXPECT_EQ(counter->sum().data_points(0).as_int(), 5);
    EXPECT_EQ(Attributes(counter->sum().data_points(0).attributes()).at("tier"), "gold");
    const auto* histogram = got.Metric("order.latency");
    ASSERT_NE(histogram, nullptr);
    ASSERT_EQ(histogram->histogram().data_points_size(), 1);
    EXPECT_EQ(histogram->histogram().data_points(0).count(), 3u);
    EXPECT_EQ(histogram->histogram().data_points(0).bucket_counts_size(), 3);
    const auto* gauge = got.Metric("queue.depth");
    ASSERT_NE(gauge, nullptr);
    ASSERT_EQ(gauge->gauge().data_points_size(), 1);
    EXPECT_EQ(gauge->gauge().data_points(0).as_int(), 7);
    // The SDK's own counts travel too.
    EXPECT_NE(got.Metric("otel.sdk.span.started"), nullptr);
    EXPECT_NE(got.Metric("otel.sdk.log.dropped"), nullptr);
}

TEST(TelemetryExport, TailSampledOutSpansAreCountedApartFromDrops) {
    LoopbackReceiver rx;
    telemetry::SelfStats stats;
    TelemetryConfig c = ToReceiver(rx.port(), stats);
    telemetry::trace::TailSamplingOptions tail;
    tail.normal_sampling_rate = 0.0;  // keep error traces only
    tail.error_sampling_rate = 1.0;
    c.tail_sampling = tail;
    auto t = Telemetry::Create(c, Env({}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    Telemetry& tel = **t;
    {
        auto ok = tel.StartSpan("order.ok");
        SpanScope scope(ok);
        tel.StartSpan("step").End();
        ok.End();
    }
    {
        auto failed = tel.StartSpan("order.failed");
        failed.SetStatus(telemetry::trace::StatusCode::kError, "declined");
        failed.End();
    }
    ASSERT_TRUE(tel.Shutdown(std::chrono::seconds(10)));
    const auto got = Decode(rx);
    ASSERT_EQ(got.spans.size(), 1u);
    EXPECT_EQ(got.spans[0].name(), "order.failed");
    const TelemetryStats s = tel.Stats();
    EXPECT_EQ(s.spans_ended, 3u);
    EXPECT_EQ(s.spans_exported, 1u);
    EXPECT_EQ(s.spans_sampled_out, 2u);  // the kept-out trace, both spans
    EXPECT_EQ(s.spans_dropped, 0u);
}

TEST(TelemetryExport, DisabledSignalsAreNotExported) {
    LoopbackReceiver rx;
    telemetry::SelfStats stats;
    TelemetryConfig c = ToReceiver(rx.port(), stats);
    c.enable_metrics = false;
    c.enable_logs = false;
    auto t = Telemetry::Create(c, Env({}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    (*t)->StartSpan("only.traces").End();
    (*t)->Log(Severity::kError, "kept local");
    auto counter = (*t)->CreateCounter<std::uint64_t>("not.pushed");
    ASSERT_TRUE(counter.ok());
    counter->Add(1);
    ASSERT_TRUE((*t)->Shutdown(std::chrono::seconds(10)));
    for (const auto& r : rx.requests()) EXPECT_EQ(r.target, "/v1/traces");
    EXPECT_EQ(Decode(rx).spans.size(), 1u);
}

// A port that was just bound and released: connections are refused.
unsigned short ClosedPort() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const unsigned short port = a.local_endpoint().port();
    a.close();
    return port;
}

TEST(TelemetryExport, ShutdownReturnsWithinTheDeadlineWhenNothingListens) {
    telemetry::SelfStats stats;
    TelemetryConfig c = ToReceiver(ClosedPort(), stats);
    auto t = Telemetry::Create(c, Env({}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    for (int i = 0; i < 20; ++i) (*t)->StartSpan("lost").End();
    (*t)->Log(Severity::kError, "lost too");
    auto counter = (*t)->CreateCounter<std::uint64_t>("lost.count");
    ASSERT_TRUE(counter.ok());
    counter->Add(1);
    const auto deadline = std::chrono::milliseconds(1500);
    const auto start = std::chrono::steady_clock::now();
    (void)(*t)->Shutdown(deadline);
    const auto took = std::chrono::steady_clock::now() - start;
    // The deadline plus scheduling slack; a retrying exporter must not run past it.
    EXPECT_LT(took, deadline + std::chrono::milliseconds(1000));
    const TelemetryStats s = (*t)->Stats();
    EXPECT_EQ(s.spans_exported, 0u);
    EXPECT_EQ(s.spans_dropped, 20u);
    EXPECT_EQ(s.logs_emitted, 1u);
    // The record may still sit in an export attempt the deadline cut short (counted as dropped
    // only when that attempt ends), so only "not exported" is certain here.
    EXPECT_EQ(s.logs_exported, 0u);
    // A second call returns at once with the same answer.
    const auto again = std::chrono::steady_clock::now();
    (void)(*t)->Shutdown(deadline);
    EXPECT_LT(std::chrono::steady_clock::now() - again, std::chrono::milliseconds(100));
}

// The identity the outage soak checks, here without timing: every span and record is exported,
// dropped (by reason) or queued, before, during and after an export that cannot succeed.
TEST(TelemetryExport, EverySpanAndRecordIsExportedDroppedOrQueuedWhileTheCollectorIsDown) {
    telemetry::SelfStats stats;
    TelemetryConfig c = ToReceiver(ClosedPort(), stats);
    c.scheduled_delay = std::chrono::milliseconds(10);
    c.max_export_batch_size = 8;
    c.max_queue_size = 16;
    auto t = Telemetry::Create(c, Env({}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    auto identity_holds = [&](const char* when) {
        const TelemetryStats s = (*t)->Stats();
        EXPECT_EQ(s.spans_ended, s.spans_exported + s.spans_dropped + s.spans_sampled_out +
                                     s.spans_queued)
            << when << ": " << s.ToJson().dump();
        EXPECT_EQ(s.logs_emitted, s.logs_exported + s.logs_dropped + s.logs_queued)
            << when << ": " << s.ToJson().dump();
        return s;
    };
    for (int i = 0; i < 100; ++i) {
        (*t)->StartSpan("during.outage").End();
        (*t)->Log(Severity::kWarn, "during outage");
    }
    const TelemetryStats during = identity_holds("during the outage");
    EXPECT_GT(during.spans_dropped_queue_full, 0u) << "100 spans into a queue of 16";
    EXPECT_GT(during.spans_queued, 0u);
    (void)(*t)->Shutdown(std::chrono::milliseconds(500));
    const TelemetryStats after = identity_holds("after shutdown");
    EXPECT_EQ(after.spans_queued, 0u);
    EXPECT_EQ(after.spans_exported, 0u);
    EXPECT_EQ(after.spans_dropped, 100u);
    EXPECT_EQ(after.spans_dropped, after.spans_dropped_queue_full +
                                       after.spans_dropped_export_failed +
                                       after.spans_dropped_shutdown);
}

// The persistent queue across a restart: spans written while nothing listens stay on disk at
// shutdown (counted as kept, not dropped), and the next Telemetry on the same directory sends
// them to the collector that is now there.
TEST(TelemetryExport, PersistentQueueKeepsSpansAcrossARestart) {
    const std::string dir = ::testing::TempDir() + "/tome-facade-pq-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    {
        telemetry::SelfStats stats;
        TelemetryConfig c = ToReceiver(ClosedPort(), stats);
        c.enable_logs = false;
        c.enable_metrics = false;
        c.scheduled_delay = std::chrono::milliseconds(10);
        c.persistent_queue = TelemetryConfig::PersistentQueue{dir, 1 << 20};
        auto t = Telemetry::Create(c, Env({}));
        ASSERT_TRUE(t.ok()) << t.status().ToString();
        for (int i = 0; i < 12; ++i) (*t)->StartSpan("kept." + std::to_string(i)).End();
        EXPECT_FALSE((*t)->tracer_provider()->ForceFlush(std::chrono::seconds(5)))
            << "nothing listens: the batch is on disk, not delivered";
        const TelemetryStats s = (*t)->Stats();
        EXPECT_TRUE(s.persistent_queue);
        EXPECT_EQ(s.persistent_queue_spans, 12u) << s.ToJson().dump();
        EXPECT_EQ(s.spans_queued, 12u);
        (void)(*t)->Shutdown(std::chrono::milliseconds(500));
        EXPECT_EQ((*t)->Stats().spans_dropped, 0u) << "kept on disk is not dropped";
    }
    LoopbackReceiver rx;
    telemetry::SelfStats stats;
    TelemetryConfig c = ToReceiver(rx.port(), stats);
    c.enable_logs = false;
    c.enable_metrics = false;
    c.persistent_queue = TelemetryConfig::PersistentQueue{dir, 1 << 20};
    auto t = Telemetry::Create(c, Env({}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ASSERT_TRUE(rx.WaitForRequests(1, std::chrono::seconds(10)));
    ASSERT_TRUE((*t)->Shutdown(std::chrono::seconds(5)));
    const auto got = Decode(rx);
    ASSERT_EQ(got.spans.size(), 12u);
    for (int i = 0; i < 12; ++i) EXPECT_EQ(got.spans[i].name(), "kept." + std::to_string(i));
    const TelemetryStats s = (*t)->Stats();
    EXPECT_EQ(s.spans_recovered, 12u);
    EXPECT_EQ(s.spans_exported, 12u);
    EXPECT_EQ(s.spans_queued, 0u);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tome::facade
