#include "demo_http_step_sender.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "demo_test_support.hpp"
#include "demo_workload.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"

namespace tome::app {
namespace {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;
using telemetry::exporter::InMemorySpanExporter;
using telemetry::exporter::InMemorySpanStore;
using testing::MakeDemoApplication;
using testing::StringAttr;

std::int64_t IntAttr(const trace::SpanData& span, std::string_view key) {
    const auto* v = trace::FindAttribute(span.attributes, key);
    if (v == nullptr || !std::holds_alternative<std::int64_t>(*v)) return -1;
    return std::get<std::int64_t>(*v);
}

// Writes the W3C headers and remembers the last context it was asked to inject. Like every
// propagator it may be used from any thread: the demo's workers inject concurrently.
class RecordingPropagator final : public trace::TextMapPropagator {
public:
    struct Injected {
        std::string trace_id;
        std::string span_id;
    };

    void Inject(const trace::Context& context,
                trace::TextMapCarrier& carrier) const noexcept override {
        Injected injected{context.span_context.trace_id.ToHex(),
                          context.span_context.span_id.ToHex()};
        {
            std::lock_guard lock(mu_);
            last_ = std::move(injected);
        }
        w3c_->Inject(context, carrier);
    }
    trace::Context Extract(const trace::TextMapCarrier& carrier,
                           const trace::Context& base) const noexcept override {
        return w3c_->Extract(carrier, base);
    }
    std::vector<std::string> Fields() const override { return w3c_->Fields(); }

    Injected last() const {
        std::lock_guard lock(mu_);
        return last_;
    }

private:
    mutable std::mutex mu_;
    mutable Injected last_;  // guarded by mu_
    std::unique_ptr<trace::TextMapPropagator> w3c_ = trace::MakeTraceContextPropagator();
};

// The demo Application serving on a loopback ephemeral port, and an in-memory trace pipeline
// for the client side.
class DemoHttpStepSenderTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto app = MakeDemoApplication(0);
        ASSERT_TRUE(app.ok()) << app.status().ToString();
        app_ = std::move(*app);
        ASSERT_TRUE(app_->Start().ok());
        trace::TracerProviderOptions o;
        o.processors.push_back(std::make_unique<trace::SimpleSpanProcessor>(
            std::make_unique<InMemorySpanExporter>(store_)));
        tracers_ = std::make_shared<trace::TracerProvider>(std::move(o));
        tracer_ = tracers_->GetTracer("test");
    }

    void TearDown() override {
        if (app_) app_->Shutdown(std::chrono::seconds(5));
    }

    HttpStepSenderOptions Options() {
        return {.host = "127.0.0.1", .port = app_->port(), .propagator = &propagator_};
    }

    // Sends one event inside a CLIENT span; returns the status and the ended span's data.
    std::pair<Status, trace::SpanData> SendOne(DemoStepSender& sender, const std::string& tome,
                                               const std::string& event) {
        trace::StartSpanOptions opts;
        opts.kind = sender.StepSpanKind();
        trace::Span span = tracer_.StartSpan("step", opts);
        Status status;
        {
            trace::Scope scope(span.ToContext());
            status = sender.Send(tome, TomeEvent{event, Json{{"orderId", "ORD-1"}, {"total", 5}}},
                                 span);
        }
        span.End();
        EXPECT_TRUE(tracers_->ForceFlush(std::chrono::seconds(5)));
        auto spans = store_->Spans();
        EXPECT_FALSE(spans.empty());
        return {status, spans.empty() ? trace::SpanData{} : spans.back()};
    }

    std::unique_ptr<Application> app_;
    RecordingPropagator propagator_;
    std::shared_ptr<InMemorySpanStore> store_ = std::make_shared<InMemorySpanStore>();
    std::shared_ptr<trace::TracerProvider> tracers_;
    trace::Tracer tracer_;
};

TEST_F(DemoHttpStepSenderTest, DeliversThroughTheApiAndRecordsTheClientSpan) {
    auto sender = HttpStepSenders(Options())();
    EXPECT_EQ(sender->StepSpanKind(), trace::SpanKind::kClient);
    auto [status, span] = SendOne(*sender, "OrderService", "ORDER_PLACED");
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(StringAttr(span, "http.request.method"), "POST");
    EXPECT_EQ(StringAttr(span, "url.full"), "http://127.0.0.1:" + std::to_string(app_->port()) +
                                                "/api/tomes/OrderService/events");
    EXPECT_EQ(StringAttr(span, "server.address"), "127.0.0.1");
    EXPECT_EQ(IntAttr(span, "server.port"), app_->port());
    EXPECT_EQ(IntAttr(span, "http.response.status_code"), 200);
    EXPECT_GE(IntAttr(span, "tome.deliveries"), 1);
    EXPECT_EQ(StringAttr(span, "error.type"), "");
    // The context injected was the step span's own.
    EXPECT_EQ(propagator_.last().trace_id, span.context.trace_id.ToHex());
    EXPECT_EQ(propagator_.last().span_id, span.context.span_id.ToHex());
    // The event reached the tome.
    auto tome = app_->tomes().Find("OrderService");
    ASSERT_NE(tome, nullptr);
    EXPECT_EQ(tome->Snapshot().state, "placed");
}

TEST_F(DemoHttpStepSenderTest, ReportsTheApiErrorCode) {
    auto sender = HttpStepSenders(Options())();
    auto [status, span] = SendOne(*sender, "NoSuchService", "ORDER_PLACED");
    EXPECT_EQ(status.code(), Code::kNotFound) << status.ToString();
    EXPECT_NE(status.message().find("404"), std::string::npos) << status.message();
    EXPECT_EQ(IntAttr(span, "http.response.status_code"), 404);
    EXPECT_EQ(StringAttr(span, "error.type"), "404");
}

TEST_F(DemoHttpStepSenderTest, ReportsAnUnreachableServer) {
    const HttpStepSenderOptions options = Options();
    ASSERT_TRUE(app_->Shutdown(std::chrono::seconds(10)).requests_finished);  // nothing listens on the port now
    auto sender = HttpStepSenders(options)();
    auto [status, span] = SendOne(*sender, "OrderService", "ORDER_PLACED");
    EXPECT_EQ(status.code(), Code::kUnavailable) << status.ToString();
    EXPECT_EQ(StringAttr(span, "error.type"), "unavailable");
    EXPECT_EQ(IntAttr(span, "http.response.status_code"), -1);
}

TEST_F(DemoHttpStepSenderTest, WorkloadRunsEveryStepAsAClientCall) {
    DemoOptions o;
    o.orders = 20;
    o.rate = 0;
    o.payment_failure_rate = 0.25;
    o.step_min = o.step_max = std::chrono::milliseconds(0);
    o.seed = 7;
    o.workers = 2;
    auto meters = std::make_shared<metrics::MeterProvider>(metrics::MeterProviderOptions{});
    DemoWorkload workload(HttpStepSenders(Options()), o, {tracers_, meters});
    workload.Start();
    ASSERT_TRUE(workload.WaitUntilDone(std::chrono::seconds(60)));
    workload.Shutdown();
    const DemoStats stats = workload.stats();
    EXPECT_EQ(stats.finished(), 20u);
    EXPECT_EQ(stats.errors, 0u);
    EXPECT_GT(stats.payment_failed, 0u);
    ASSERT_TRUE(tracers_->ForceFlush(std::chrono::seconds(5)));

    std::size_t steps = 0;
    for (const auto& s : store_->Spans()) {
        if (s.name == demo::kRootSpan) {
            EXPECT_EQ(s.kind, trace::SpanKind::kInternal);
            continue;
        }
        ++steps;
        SCOPED_TRACE(s.name);
        EXPECT_EQ(s.kind, trace::SpanKind::kClient);
        EXPECT_EQ(IntAttr(s, "http.response.status_code"), 200);
        EXPECT_EQ(StringAttr(s, "url.full").rfind("http://127.0.0.1:", 0), 0u);
    }
    EXPECT_EQ(steps, 2 * stats.payment_failed + 4 * stats.completed);
}

TEST(DemoLoopback, WildcardsBecomeLoopback) {
    EXPECT_EQ(LoopbackFor("0.0.0.0"), "127.0.0.1");
    EXPECT_EQ(LoopbackFor(""), "127.0.0.1");
    EXPECT_EQ(LoopbackFor("::"), "::1");
    EXPECT_EQ(LoopbackFor("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(LoopbackFor("::1"), "::1");
}

}  // namespace
}  // namespace tome::app
