#include "demo_workload.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "application.hpp"
#include "config.hpp"
#include "demo_test_support.hpp"
#include "demo_summary.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"

namespace tome::app {
namespace {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;
namespace logs = telemetry::logs;
using telemetry::exporter::InMemorySpanExporter;
using telemetry::exporter::InMemorySpanStore;

using testing::MakeDemoApplication;
using testing::StringAttr;

// The demo network, in-memory trace and log pipelines and a metric reader, all owned by the
// test.
class DemoWorkloadTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto app = MakeDemoApplication();
        ASSERT_TRUE(app.ok()) << app.status().ToString();
        app_ = std::move(*app);
        trace::TracerProviderOptions o;
        o.processors.push_back(std::make_unique<trace::SimpleSpanProcessor>(
            std::make_unique<InMemorySpanExporter>(store_)));
        tracers_ = std::make_shared<trace::TracerProvider>(std::move(o));
        meters_ = std::make_shared<metrics::MeterProvider>(metrics::MeterProviderOptions{});
        meters_->AddReader(reader_);
        auto exporter = std::make_unique<logs::InMemoryLogExporter>();
        log_records_ = exporter->storage();
        logs::LoggerProviderOptions lo;
        lo.processors.push_back(std::make_unique<logs::SimpleLogProcessor>(std::move(exporter)));
        loggers_ = logs::MakeLoggerProvider(std::move(lo));
    }

    DemoOptions Options(std::uint64_t orders, std::size_t workers = 4) {
        DemoOptions o;
        o.orders = orders;
        o.rate = 0;
        o.payment_failure_rate = 0.2;
        o.step_min = o.step_max = std::chrono::milliseconds(0);
        o.seed = 7;
        o.workers = workers;
        return o;
    }

    DemoStats Run(const DemoOptions& options) {
        DemoWorkload workload(app_->connector(), options, {tracers_, meters_, loggers_});
        workload.Start();
        EXPECT_TRUE(workload.WaitUntilDone());
        workload.Shutdown();
        EXPECT_TRUE(tracers_->ForceFlush(std::chrono::seconds(5)));
        return workload.stats();
    }

    std::unique_ptr<Application> app_;
    std::shared_ptr<InMemorySpanStore> store_ = std::make_shared<InMemorySpanStore>();
    std::shared_ptr<trace::TracerProvider> tracers_;
    std::shared_ptr<metrics::MeterProvider> meters_;
    std::shared_ptr<metrics::MetricReader> reader_ = std::make_shared<metrics::MetricReader>();
    std::shared_ptr<logs::LoggerProvider> loggers_;
    std::shared_ptr<logs::InMemoryLogExporter::Storage> log_records_;
};

// The string attribute `key` of a log record, or empty.
std::string LogAttr(const logs::LogRecord& record, std::string_view key) {
    for (const auto& kv : record.attributes)
        if (kv.key == key && std::holds_alternative<std::string>(kv.value.value))
            return std::get<std::string>(kv.value.value);
    return {};
}

TEST_F(DemoWorkloadTest, FiftyOrdersMakeOneWellFormedTraceEach) {
    const DemoStats stats = Run(Options(50));
    EXPECT_EQ(stats.started, 50u);
    EXPECT_EQ(stats.finished(), 50u);
    EXPECT_EQ(stats.errors, 0u);
    EXPECT_GT(stats.payment_failed, 0u);
    EXPECT_LT(stats.payment_failed, 25u);

    // Spans in export order: each step ends before the next starts, the root ends last.
    std::map<std::string, std::vector<trace::SpanData>> traces;
    // Only the workload's own spans (the connector may add its own below the steps).
    for (auto& s : store_->Spans()) {
        if (s.scope && s.scope->name != "tome.demo") continue;
        traces[s.context.trace_id.ToHex()].push_back(std::move(s));
    }
    ASSERT_EQ(traces.size(), 50u);

    const std::vector<std::string_view> completed_steps = {
        demo::kPlaceSpan, demo::kPaymentSpan, demo::kInventorySpan, demo::kNotificationSpan};
    const std::vector<std::string_view> failed_steps = {demo::kPlaceSpan, demo::kPaymentSpan};
    std::set<std::string> order_ids;
    std::uint64_t failed = 0;
    for (const auto& [trace_id, spans] : traces) {
        SCOPED_TRACE(trace_id);
        ASSERT_GE(spans.size(), 3u);
        const trace::SpanData& root = spans.back();
        EXPECT_EQ(root.name, demo::kRootSpan);
        EXPECT_FALSE(root.parent_span_id.IsValid());
        for (const char* key : {"business.order_id", "business.customer_id",
                                "business.customer_tier", "business.payment_method",
                                "business.workflow_id"}) {
            EXPECT_FALSE(StringAttr(root, key).empty()) << key;
        }
        const auto* value = trace::FindAttribute(root.attributes, "business.order_value");
        ASSERT_NE(value, nullptr);
        EXPECT_GT(std::get<double>(*value), 0.0);
        EXPECT_TRUE(std::set<std::string>({"standard", "gold", "premium"})
                        .count(StringAttr(root, "business.customer_tier")));
        order_ids.insert(StringAttr(root, "business.order_id"));

        std::vector<std::string_view> names;
        for (std::size_t i = 0; i + 1 < spans.size(); ++i) {
            names.push_back(spans[i].name);
            EXPECT_EQ(spans[i].parent_span_id, root.context.span_id) << spans[i].name;
            EXPECT_EQ(StringAttr(spans[i], "business.order_id"),
                      StringAttr(root, "business.order_id"));
        }
        const bool declined = root.status.code == trace::StatusCode::kError;
        if (declined) {
            ++failed;
            EXPECT_EQ(names, failed_steps);
            EXPECT_EQ(spans[1].status.code, trace::StatusCode::kError);
            EXPECT_EQ(spans[1].status.description.rfind("payment declined: ", 0), 0u);
            EXPECT_EQ(root.status.description, spans[1].status.description);
            EXPECT_EQ(StringAttr(spans[1], "tome.event"), "PAYMENT_FAILED");
        } else {
            EXPECT_EQ(names, completed_steps);
            EXPECT_EQ(root.status.code, trace::StatusCode::kOk);
            for (std::size_t i = 0; i + 1 < spans.size(); ++i)
                EXPECT_NE(spans[i].status.code, trace::StatusCode::kError) << spans[i].name;
        }
    }
    EXPECT_EQ(failed, stats.payment_failed);
    EXPECT_EQ(order_ids.size(), 50u);

    // One WARN record per declined order, emitted inside its payment.process span.
    std::map<std::string, std::pair<std::string, std::string>> payment_spans;  // trace -> ids
    for (const auto& [trace_id, spans] : traces)
        if (spans.back().status.code == trace::StatusCode::kError)
            payment_spans[trace_id] = {spans[1].context.span_id.ToHex(),
                                       StringAttr(spans.back(), "business.order_id")};
    std::vector<logs::LogRecord> records;  // the WARN ones
    std::vector<logs::LogRecord> done;     // one INFO per step that went through
    for (auto& r : log_records_->Snapshot()) {
        (r.severity == logs::Severity::kWarn ? records : done).push_back(std::move(r));
    }
    ASSERT_EQ(records.size(), stats.payment_failed);
    EXPECT_EQ(done.size(), stats.completed * 4 + stats.payment_failed) << "declined orders only placed";
    for (const auto& r : done) {
        EXPECT_EQ(r.severity, logs::Severity::kInfo);
        auto trace = traces.find(r.trace_id.ToHex());
        ASSERT_NE(trace, traces.end()) << "a step's record outside its order's trace";
        bool in_a_step = false;
        for (std::size_t i = 0; i + 1 < trace->second.size(); ++i) {
            in_a_step = in_a_step || trace->second[i].context.span_id == r.span_id;
        }
        EXPECT_TRUE(in_a_step) << "recorded inside the step's span";
        EXPECT_EQ(LogAttr(r, "business.order_id"), StringAttr(trace->second.back(), "business.order_id"));
    }
    for (const auto& r : records) {
        EXPECT_EQ(r.severity, logs::Severity::kWarn);
        auto it = payment_spans.find(r.trace_id.ToHex());
        ASSERT_NE(it, payment_spans.end()) << "log record outside a declined order's trace";
        EXPECT_EQ(r.span_id.ToHex(), it->second.first);
        EXPECT_EQ(LogAttr(r, "business.order_id"), it->second.second);
        EXPECT_FALSE(LogAttr(r, "business.workflow_id").empty());
        EXPECT_EQ(LogAttr(r, "error.message").rfind("payment declined: ", 0), 0u);
    }

    // The counter's total is the number of orders; the histogram saw each once, in seconds.
    const metrics::MetricsData data = reader_->Collect();
    const metrics::Metric* orders = data.Find(demo::kOrdersCounter);
    ASSERT_NE(orders, nullptr);
    double total = 0, payment_failed = 0;
    for (const auto& p : orders->number_points) {
        total += p.value();
        for (const auto& a : p.attributes)
            if (a.key == "outcome" && std::get<std::string>(a.value) == "payment_failed")
                payment_failed += p.value();
    }
    EXPECT_EQ(total, 50.0);
    EXPECT_EQ(payment_failed, static_cast<double>(stats.payment_failed));
    const metrics::Metric* duration = data.Find(demo::kDurationHistogram);
    ASSERT_NE(duration, nullptr);
    EXPECT_EQ(duration->unit, "s");
    std::uint64_t count = 0;
    for (const auto& p : duration->histogram_points) count += p.count;
    EXPECT_EQ(count, 50u);
}

TEST_F(DemoWorkloadTest, TheSeedFixesTheOrdersWhateverTheWorkerCount) {
    auto outcomes = [this](std::size_t workers) {
        store_->Clear();
        Run(Options(30, workers));
        std::map<std::string, std::pair<std::string, bool>> out;  // order id -> (tier, failed)
        for (const auto& s : store_->Spans())
            if (s.name == demo::kRootSpan)
                out[StringAttr(s, "business.order_id")] = {
                    StringAttr(s, "business.customer_tier"),
                    s.status.code == trace::StatusCode::kError};
        return out;
    };
    const auto one = outcomes(1);
    EXPECT_EQ(one.size(), 30u);
    EXPECT_EQ(one, outcomes(4));
}

TEST_F(DemoWorkloadTest, ShutdownStopsAnUnboundedWorkloadAndIsIdempotent) {
    DemoOptions o = Options(0, 2);
    o.step_min = o.step_max = std::chrono::hours(1);  // Pause must be interrupted
    DemoWorkload workload(app_->connector(), o, {tracers_, meters_});
    EXPECT_FALSE(workload.WaitUntilDone(std::chrono::milliseconds(0)));  // not started
    workload.Start();
    workload.Start();
    workload.Shutdown();
    EXPECT_TRUE(workload.WaitUntilDone());
    workload.Shutdown();
    const DemoStats stats = workload.stats();
    EXPECT_EQ(stats.started, stats.finished());  // every started order ended its trace
}

TEST(DemoStepRange, Parses) {
    auto r = ParseStepRange("5-50");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first.count(), 5);
    EXPECT_EQ(r->second.count(), 50);
    r = ParseStepRange("0");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->second.count(), 0);
    EXPECT_FALSE(ParseStepRange(""));
    EXPECT_FALSE(ParseStepRange("50-5"));
    EXPECT_FALSE(ParseStepRange("a-b"));
    EXPECT_FALSE(ParseStepRange("5-"));
}

TEST(DemoSummary, PercentilesAndLine) {
    std::vector<double> v;
    for (int i = 1; i <= 100; ++i) v.push_back(i / 1000.0);
    EXPECT_DOUBLE_EQ(Percentile(v, 0.5), 0.050);
    EXPECT_DOUBLE_EQ(Percentile(v, 0.99), 0.099);
    std::vector<double> empty;
    EXPECT_EQ(Percentile(empty, 0.5), 0.0);

    DemoSummary summary;
    DemoStats stats;
    stats.started = stats.completed = 9;
    stats.payment_failed = 1;
    facade::TelemetryStats spans;
    spans.spans_ended = 50;
    spans.spans_exported = 42;
    spans.spans_sampled_out = 8;
    const std::string line = summary.Interval(stats, v, spans);
    EXPECT_NE(line.find("orders/s"), std::string::npos) << line;
    EXPECT_NE(line.find("p50 50ms p95 95ms p99 99ms"), std::string::npos) << line;
    EXPECT_NE(line.find("error rate 10.0%"), std::string::npos) << line;
    EXPECT_NE(line.find("spans ended 50 exported 42 sampled out 8 dropped 0"), std::string::npos) << line;
    EXPECT_NE(summary.Final(stats, {}, spans).find("10 orders"), std::string::npos);
}

}  // namespace
}  // namespace tome::app
