// RobotCopy's spans and metrics (issue 5) through providers injected via RobotCopyOptions:
// SendMessage is a CLIENT span whose ids are the traceparent's and the history's; health.check
// is a span whose ids are the tracked message's. Scripted backend, in-memory exporters, no sleeps.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tome/robotcopy/health_monitor.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/trace/propagation.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"
#include "tome/testing/fake_clock.hpp"

namespace tome::robotcopy {
namespace {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;

constexpr char kTrace[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParent[] = "00f067aa0ba902b7";

/// Answers the POSTs with `answers` in order, repeating the last, and keeps the requests.
class ScriptedBackend final : public BackendClient {
  public:
    ScriptedBackend(std::vector<Result<BackendResponse>> answers, std::vector<BackendRequest>* seen)
        : answers_(std::move(answers)), seen_(seen) {}
    Result<BackendResponse> Post(const BackendRequest& request) override {
        seen_->push_back(request);
        return answers_.at(std::min(seen_->size(), answers_.size()) - 1);
    }

  private:
    std::vector<Result<BackendResponse>> answers_;
    std::vector<BackendRequest>* seen_;
};

struct Fixture {
    explicit Fixture(Result<BackendResponse> answer)
        : Fixture(std::vector<Result<BackendResponse>>{std::move(answer)}) {}
    explicit Fixture(std::vector<Result<BackendResponse>> answers) {
        trace::TracerProviderOptions options;
        options.processors.push_back(std::make_unique<trace::SimpleSpanProcessor>(
            std::make_unique<telemetry::exporter::InMemorySpanExporter>(store)));
        tracer = std::make_shared<trace::TracerProvider>(std::move(options));
        meters = std::make_shared<metrics::MeterProvider>(metrics::MeterProviderOptions{});
        meters->AddReader(reader);
        RobotCopyOptions rc;
        rc.backends = {{"node", "http://backend.test:3001"}};
        rc.service_name = "svc";
        rc.environment = "test";
        rc.tracer_provider = tracer;
        rc.meter_provider = meters;
        rc.backend_retry.initial_backoff = std::chrono::milliseconds(1);
        rc.backend_retry.max_backoff = std::chrono::milliseconds(2);
        robot_copy = std::make_unique<RobotCopy>(
            rc, toggles, clock, std::make_unique<ScriptedBackend>(std::move(answers), &requests));
    }
    std::string Header(const std::string& name) const {
        for (const auto& [k, v] : requests.at(0).headers) {
            if (k == name) return v;
        }
        return "<none>";
    }

    std::shared_ptr<telemetry::exporter::InMemorySpanStore> store =
        std::make_shared<telemetry::exporter::InMemorySpanStore>();
    std::shared_ptr<trace::TracerProvider> tracer;
    std::shared_ptr<metrics::MeterProvider> meters;
    std::shared_ptr<metrics::MetricReader> reader = std::make_shared<metrics::MetricReader>();
    tome::testing::FakeClock clock;
    FeatureToggles toggles;
    std::vector<BackendRequest> requests;
    std::unique_ptr<RobotCopy> robot_copy;
};

std::string Str(const std::vector<trace::Attribute>& attributes, std::string_view key) {
    const trace::AttributeValue* v = trace::FindAttribute(attributes, key);
    return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "<none>";
}
std::int64_t Int(const std::vector<trace::Attribute>& attributes, std::string_view key) {
    const trace::AttributeValue* v = trace::FindAttribute(attributes, key);
    return v && std::holds_alternative<std::int64_t>(*v) ? std::get<std::int64_t>(*v) : -1;
}

std::vector<trace::Event> EventsNamed(const trace::SpanData& span, std::string_view name) {
    std::vector<trace::Event> out;
    for (const auto& e : span.events) {
        if (e.name == name) out.push_back(e);
    }
    return out;
}

TEST(RobotCopyTelemetry, TheBackendToggleDecisionIsAFeatureFlagEvent) {
    Fixture f(BackendResponse{200, "{}", 1.0});
    ASSERT_TRUE(f.robot_copy->SendMessage("ping", Json::object()).ok());
    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    const auto flags = EventsNamed(spans[0], "feature_flag.evaluation");
    ASSERT_EQ(flags.size(), 1u);
    EXPECT_EQ(Str(flags[0].attributes, "feature_flag.key"), "enable-kotlin-backend");
    EXPECT_EQ(Str(flags[0].attributes, "feature_flag.provider.name"), "tome");
    const trace::AttributeValue* value =
        trace::FindAttribute(flags[0].attributes, "feature_flag.result.value");
    ASSERT_TRUE(value != nullptr && std::holds_alternative<bool>(*value));
    EXPECT_FALSE(std::get<bool>(*value));
}

TEST(RobotCopyTelemetry, SendMessageIsAClientSpanWhoseIdsTravelAndAreTracked) {
    Fixture f(BackendResponse{200, R"({"ok":true})", 1.0});
    auto result = f.robot_copy->SendMessage("order.create", Json::object(), {kTrace, kParent});
    ASSERT_TRUE(result.ok()) << result.status().ToString();

    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    const trace::SpanData& span = spans[0];
    EXPECT_EQ(span.kind, trace::SpanKind::kClient);
    EXPECT_EQ(span.context.trace_id.ToHex(), kTrace);
    EXPECT_EQ(span.parent_span_id.ToHex(), kParent);
    const std::string span_id = span.context.span_id.ToHex();
    EXPECT_NE(span_id, kParent);
    EXPECT_EQ(f.Header("traceparent"), "00-" + std::string(kTrace) + "-" + span_id + "-01");
    EXPECT_EQ(f.Header("x-span-id"), span_id);
    EXPECT_EQ(Json::parse(f.requests[0].body)["spanId"], span_id);

    const auto tracked = f.robot_copy->history().MessagesOf(kTrace);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].span_id, span_id);
    EXPECT_EQ(tracked[0].parent_span_id, kParent);

    EXPECT_EQ(Str(span.attributes, "http.request.method"), "POST");
    EXPECT_EQ(Str(span.attributes, "server.address"), "backend.test");
    EXPECT_EQ(Int(span.attributes, "server.port"), 3001);
    EXPECT_EQ(Int(span.attributes, "http.response.status_code"), 200);
    EXPECT_EQ(Str(span.attributes, "robotcopy.service"), "svc");
    EXPECT_EQ(Str(span.attributes, "robotcopy.environment"), "test");
    EXPECT_EQ(span.status.code, trace::StatusCode::kUnset);

    const metrics::MetricsData data = f.reader->Collect();
    const metrics::Metric* rt = data.Find("tome.response_time_ms");
    ASSERT_NE(rt, nullptr);
    EXPECT_EQ(rt->unit, "ms");
    ASSERT_EQ(rt->histogram_points.size(), 1u);
    EXPECT_EQ(Str(rt->histogram_points[0].attributes, "tome.operation"), "sendMessage");
    EXPECT_EQ(rt->histogram_points[0].count, 1u);
}

TEST(RobotCopyTelemetry, WithoutContextTheSpanIsAChildOfTheCurrentSpan) {
    Fixture f(BackendResponse{200, "{}", 1.0});
    trace::Span server = f.tracer->GetTracer("test").StartSpan("GET /x");
    {
        trace::Scope scope = trace::MakeScope(server);
        ASSERT_TRUE(f.robot_copy->SendMessage("ping", Json::object()).ok());
    }
    server.End();
    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0].parent_span_id, server.GetContext().span_id);
    EXPECT_EQ(f.Header("traceparent"), trace::FormatTraceParent(spans[0].context));
    EXPECT_EQ(f.robot_copy->history().MessagesOf(server.GetContext().trace_id.ToHex()).size(), 1u);
}

TEST(RobotCopyTelemetry, TheCallCarriesTheParentsTraceStateAndBaggage) {
    Fixture f(BackendResponse{200, "{}", 1.0});
    auto remote = trace::ParseTraceParent("00-" + std::string(kTrace) + "-" + kParent + "-01");
    ASSERT_TRUE(remote.has_value());
    remote->trace_state = *trace::TraceState::Parse("vendor=abc");
    const trace::Context incoming =
        trace::Context{}
            .WithSpanContext(*remote)
            .WithBaggage(trace::Baggage().Set("business.order_id", "o-7"));
    {
        trace::Scope scope(incoming);
        ASSERT_TRUE(f.robot_copy->SendMessage("ping", Json::object()).ok());
    }
    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(f.Header("traceparent"), trace::FormatTraceParent(spans[0].context));
    EXPECT_EQ(f.Header("tracestate"), "vendor=abc");
    EXPECT_EQ(f.Header("baggage"), "business.order_id=o-7");
}

TEST(RobotCopyTelemetry, FailedCallIsAnErrorSpan) {
    Fixture f(BackendResponse{503, "down", 1.0});
    EXPECT_FALSE(f.robot_copy->SendMessage("ping", Json::object(), {kTrace, kParent}).ok());
    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].status.code, trace::StatusCode::kError);
    EXPECT_EQ(Str(spans[0].attributes, "error.type"), "503");
    EXPECT_EQ(Int(spans[0].attributes, "http.response.status_code"), 503);
}

TEST(RobotCopyTelemetry, TimeoutIsAnEventAndAnErrorType) {
    Fixture f(DeadlineExceeded("took too long"));
    auto result = f.robot_copy->SendMessage("ping", Json::object(), {kTrace, kParent});
    EXPECT_EQ(result.status().code(), Code::kDeadlineExceeded);
    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(Str(spans[0].attributes, "error.type"), "timeout");
    EXPECT_EQ(EventsNamed(spans[0], "timeout").size(), 1u);
    EXPECT_EQ(f.robot_copy->history().MessagesOf(kTrace).at(0).status, "timeout");
}

TEST(RobotCopyTelemetry, RetryableFailuresAreSentAgainAndRecordedOnTheSpan) {
    Fixture f(std::vector<Result<BackendResponse>>{
        BackendResponse{503, "down", 1.0}, Unavailable("connection refused"),
        BackendResponse{200, "{}", 1.0}});
    ASSERT_TRUE(f.robot_copy->SendMessage("ping", Json::object(), {kTrace, kParent}).ok());
    ASSERT_EQ(f.requests.size(), 3u);
    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    const trace::SpanData& span = spans[0];
    EXPECT_EQ(span.status.code, trace::StatusCode::kUnset);
    EXPECT_EQ(Int(span.attributes, "tome.retries"), 2);
    EXPECT_EQ(Int(span.attributes, "http.request.resend_count"), 2);
    EXPECT_EQ(Int(span.attributes, "http.response.status_code"), 200);
    const auto retries = EventsNamed(span, "retry");
    ASSERT_EQ(retries.size(), 2u);
    EXPECT_EQ(Int(retries[0].attributes, "tome.attempt"), 2);
    EXPECT_EQ(Str(retries[0].attributes, "error.type"), "503");
    EXPECT_EQ(Int(retries[1].attributes, "tome.attempt"), 3);
    EXPECT_EQ(Str(retries[1].attributes, "error.type"), "unavailable");
    // Every attempt is the same call: the same span's context travels each time.
    for (const BackendRequest& r : f.requests) EXPECT_EQ(r.body, f.requests[0].body);
    const auto tracked = f.robot_copy->history().MessagesOf(kTrace);
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].status, "ok");
    EXPECT_EQ(tracked[0].data["retries"], 2);
}

TEST(RobotCopyTelemetry, RetriesStopAtMaxAttemptsAndTheLastFailureIsTheOutcome) {
    Fixture f(BackendResponse{429, "slow down", 1.0});
    auto result = f.robot_copy->SendMessage("ping", Json::object(), {kTrace, kParent});
    EXPECT_EQ(result.status().code(), Code::kUnavailable);
    EXPECT_EQ(f.requests.size(), static_cast<std::size_t>(BackendRetryOptions{}.max_attempts));
    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].status.code, trace::StatusCode::kError);
    EXPECT_EQ(Str(spans[0].attributes, "error.type"), "429");
    EXPECT_EQ(Int(spans[0].attributes, "tome.retries"), BackendRetryOptions{}.max_attempts - 1);
}

TEST(RobotCopyTelemetry, ClientErrorsAndTimeoutsAreNotRetried) {
    Fixture rejected(BackendResponse{400, "bad", 1.0});
    EXPECT_FALSE(rejected.robot_copy->SendMessage("ping", Json::object()).ok());
    EXPECT_EQ(rejected.requests.size(), 1u);
    Fixture slow(DeadlineExceeded("took too long"));
    EXPECT_FALSE(slow.robot_copy->SendMessage("ping", Json::object()).ok());
    EXPECT_EQ(slow.requests.size(), 1u);
    const auto spans = slow.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(Int(spans[0].attributes, "tome.retries"), 0);
    EXPECT_EQ(trace::FindAttribute(spans[0].attributes, "http.request.resend_count"), nullptr);
}

TEST(RobotCopyTelemetry, HealthCheckSpanIdsAreTheTrackedMessage) {
    Fixture f(BackendResponse{200, "{}", 1.0});
    HealthMonitor monitor([] { return Json{{"unhealthy", 2u}}; }, *f.robot_copy);
    monitor.RunOnce();
    const auto spans = f.store->Spans();
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].name, "health.check");
    EXPECT_FALSE(spans[0].parent_span_id.IsValid());
    const auto tracked = f.robot_copy->history().MessagesOf(spans[0].context.trace_id.ToHex());
    ASSERT_EQ(tracked.size(), 1u);
    EXPECT_EQ(tracked[0].span_id, spans[0].context.span_id.ToHex());
    EXPECT_EQ(Int(spans[0].attributes, "tome.connections.unhealthy"), 2);
}

}  // namespace
}  // namespace tome::robotcopy
