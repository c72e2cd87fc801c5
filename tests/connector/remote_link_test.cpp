// Remote links that break cleanly: the circuit breaker's state machine on a fake clock, and the
// connector's use of it with a scripted sender: which failures are retried, when the breaker
// opens, that an open breaker drops "circuit_open" without calling the sender, the half-open
// probe, and where the state shows (topology, connection health, tome.remote.circuit_state,
// span events, logs). Simple processors: spans and records are there when the call returns.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>

#include "span_attributes.hpp"
#include "test_network.hpp"
#include "tome/connector/remote.hpp"
#include "tome/connector/remote_link.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/testing/in_memory_telemetry.hpp"

namespace tome::connector {
namespace {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;
using testing::Dropped;
using testing::Int;
using testing::Str;
using testing::TestNetwork;
using namespace std::chrono_literals;

// ---- CircuitBreaker ------------------------------------------------------------------------

TEST(CircuitBreaker, OpensAfterTheThresholdOfConsecutiveFailures) {
    CircuitBreaker breaker(3, 1000ms);
    const Clock::TimePoint t0{};
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(breaker.Admit(t0).admission, CircuitBreaker::Admission::kAllowed);
        EXPECT_FALSE(breaker.RecordFailure(t0).changed());
    }
    // A success in between starts the count again.
    EXPECT_FALSE(breaker.RecordSuccess().changed());
    EXPECT_EQ(breaker.consecutive_failures(), 0);
    for (int i = 0; i < 2; ++i) EXPECT_FALSE(breaker.RecordFailure(t0).changed());
    const auto opened = breaker.RecordFailure(t0);
    EXPECT_EQ(opened.from, CircuitState::kClosed);
    EXPECT_EQ(opened.to, CircuitState::kOpen);
    EXPECT_EQ(breaker.state(), CircuitState::kOpen);
    EXPECT_EQ(breaker.Admit(t0 + 999ms).admission, CircuitBreaker::Admission::kRejected);
    EXPECT_EQ(breaker.rejected(), 1u);
}

TEST(CircuitBreaker, LetsOneProbeThroughAfterTheOpenDurationAndItsOutcomeDecides) {
    CircuitBreaker breaker(1, 1000ms);
    const Clock::TimePoint t0{};
    (void)breaker.RecordFailure(t0);
    ASSERT_EQ(breaker.state(), CircuitState::kOpen);

    auto probe = breaker.Admit(t0 + 1000ms);
    EXPECT_EQ(probe.admission, CircuitBreaker::Admission::kProbe);
    EXPECT_EQ(probe.transition.to, CircuitState::kHalfOpen);
    // Only one probe at a time.
    EXPECT_EQ(breaker.Admit(t0 + 1001ms).admission, CircuitBreaker::Admission::kRejected);
    // The probe fails: open again, for a whole new open duration from now.
    EXPECT_EQ(breaker.RecordFailure(t0 + 1500ms).to, CircuitState::kOpen);
    EXPECT_EQ(breaker.Admit(t0 + 2400ms).admission, CircuitBreaker::Admission::kRejected);
    probe = breaker.Admit(t0 + 2500ms);
    ASSERT_EQ(probe.admission, CircuitBreaker::Admission::kProbe);
    // The probe succeeds: closed, everything goes through.
    const auto closed = breaker.RecordSuccess();
    EXPECT_EQ(closed.from, CircuitState::kHalfOpen);
    EXPECT_EQ(closed.to, CircuitState::kClosed);
    EXPECT_EQ(breaker.Admit(t0 + 2501ms).admission, CircuitBreaker::Admission::kAllowed);
    EXPECT_EQ(breaker.Admit(t0 + 2501ms).admission, CircuitBreaker::Admission::kAllowed);
}

TEST(RemoteLinkOptions, ValidationNamesTheField) {
    RemoteLinkOptions o;
    EXPECT_TRUE(Validate(o).ok());
    o.max_attempts = 0;
    EXPECT_NE(Validate(o).message().find("maxAttempts"), std::string::npos);
    o = {};
    o.failure_threshold = 0;
    EXPECT_NE(Validate(o).message().find("failureThreshold"), std::string::npos);
    o = {};
    o.max_backoff = 10ms;
    o.initial_backoff = 20ms;
    EXPECT_NE(Validate(o).message().find("maxBackoffMs"), std::string::npos);
    TestNetwork net;
    EXPECT_EQ(net.connector.RegisterRemoteTome("r", "http://x", o).code(), Code::kInvalidArgument);
}

// ---- The connector with a scripted far side ------------------------------------------------

/// Answers each Deliver with the next scripted result (success: an empty report) and counts
/// the calls; single-threaded tests only.
class ScriptedSender final : public RemoteTomeSender {
public:
    Result<DeliveryReport> Deliver(const std::string&, const std::string&, const TomeEvent&,
                                   const std::string& event_id, const std::string& origin,
                                   const EventPath&, const TraceParent&,
                                   std::chrono::milliseconds timeout) override {
        ++calls;
        last_timeout = timeout;
        Status next = script.empty() ? fallback : script.front();
        if (!script.empty()) script.pop_front();
        if (!next.ok()) return next;
        DeliveryReport report;
        report.event_id = event_id;
        report.origin = origin;
        return report;
    }

    std::deque<Status> script;
    Status fallback;  ///< Once the script is used up (default: success).
    int calls = 0;
    std::chrono::milliseconds last_timeout{0};
};

struct Sdk : tome::testing::InMemoryTelemetry {
    Sdk() {
        meters = std::make_shared<metrics::MeterProvider>(metrics::MeterProviderOptions{});
        meters->AddReader(reader);
    }
    ConnectorOptions Options(RemoteLinkOptions remote) const {
        ConnectorOptions options;
        options.tracer_provider = tracer;
        options.meter_provider = meters;
        options.logger_provider = logger;
        options.remote = remote;
        return options;
    }
    /// tome.remote.circuit_state of remote tome `id`, or -1.
    double CircuitGauge(const std::string& id) const {
        const metrics::MetricsData data = reader->Collect();
        const metrics::Metric* m = data.Find("tome.remote.circuit_state");
        if (m == nullptr) return -1;
        for (const auto& p : m->number_points) {
            const auto* v = trace::FindAttribute(p.attributes, "tome.target");
            if (v && std::get<std::string>(*v) == id) return p.value();
        }
        return -1;
    }
    std::shared_ptr<metrics::MeterProvider> meters;
    std::shared_ptr<metrics::MetricReader> reader = std::make_shared<metrics::MetricReader>();
};

bool HasEvent(const trace::SpanData& span, const std::string& name) {
    for (const auto& e : span.events) {
        if (e.name == name) return true;
    }
    return false;
}

/// Local tome "a" connected one way to remote tome "r".
struct Link {
    explicit Link(RemoteLinkOptions remote) : net(sdk.Options(remote)) {
        net.AddTome("a");
        EXPECT_TRUE(net.connector.RegisterRemoteTome("r", "http://far").ok());
        connection = net.connector.Connect("a", "r", {})->id;
        net.connector.SetRemoteSender(sender);
    }
    DeliveryReport Send() {
        auto report = net.connector.SendEvent("a", {"PING"});
        EXPECT_TRUE(report.ok());
        return report.ok() ? *report : DeliveryReport{};
    }
    /// The remote hop's CLIENT span of the last Send.
    trace::SpanData LastRemoteSpan() const {
        trace::SpanData last;
        for (auto& s : sdk.spans->Spans()) {
            if (s.kind == trace::SpanKind::kClient) last = std::move(s);
        }
        return last;
    }

    Sdk sdk;
    TestNetwork net;
    std::shared_ptr<ScriptedSender> sender = std::make_shared<ScriptedSender>();
    std::string connection;
};

RemoteLinkOptions FastLink() {
    RemoteLinkOptions o;
    o.timeout = 250ms;
    o.max_attempts = 3;
    o.initial_backoff = 1ms;
    o.max_backoff = 2ms;
    o.failure_threshold = 2;
    o.open_duration = 10s;
    return o;
}

TEST(RemoteLink, WhatTheFarSideCannotHaveActedOnIsRetriedAndTheRetriesAreOnTheSpan) {
    Link link(FastLink());
    link.sender->script = {Unavailable("connection refused"), Unavailable("503")};
    const DeliveryReport report = link.Send();
    EXPECT_EQ(link.sender->calls, 3);
    EXPECT_EQ(link.sender->last_timeout, 250ms);
    EXPECT_EQ(Dropped(report, "remote_failed"), 0u);
    const trace::SpanData span = link.LastRemoteSpan();
    EXPECT_EQ(Int(span.attributes, "tome.remote.attempts"), 3);
    int retries = 0;
    for (const auto& e : span.events) retries += e.name == "retry" ? 1 : 0;
    EXPECT_EQ(retries, 2);
    EXPECT_EQ(Str(span.attributes, "tome.remote.circuit_state"), "closed");
}

TEST(RemoteLink, TimeoutsAndBrokenExchangesAreNotRetried) {
    Link link(FastLink());
    link.sender->script = {DeadlineExceeded("timed out")};
    DeliveryReport report = link.Send();
    EXPECT_EQ(link.sender->calls, 1);
    EXPECT_EQ(Dropped(report, "remote_failed"), 1u);
    trace::SpanData span = link.LastRemoteSpan();
    EXPECT_TRUE(HasEvent(span, "timeout"));
    EXPECT_EQ(Str(span.attributes, "error.type"), "deadline_exceeded");
    EXPECT_EQ(span.status.code, trace::StatusCode::kError);

    link.sender->script = {Aborted("empty reply")};
    report = link.Send();
    EXPECT_EQ(link.sender->calls, 2);
    EXPECT_EQ(Dropped(report, "remote_failed"), 1u);
}

TEST(RemoteLink, AnOpenBreakerDropsWithoutCallingTheFarSideAndShowsEverywhere) {
    Link link(FastLink());
    link.sender->fallback = DeadlineExceeded("timed out");
    EXPECT_EQ(Dropped(link.Send(), "remote_failed"), 1u);
    EXPECT_EQ(link.sdk.CircuitGauge("r"), 0);
    EXPECT_EQ(Dropped(link.Send(), "remote_failed"), 1u);  // the threshold: opens
    ASSERT_EQ(link.sender->calls, 2);
    EXPECT_TRUE(HasEvent(link.LastRemoteSpan(), "circuit_state_change"));
    ASSERT_EQ(link.sdk.Named("Remote circuit opened").size(), 1u);

    for (int i = 0; i < 5; ++i) EXPECT_EQ(Dropped(link.Send(), "circuit_open"), 1u);
    EXPECT_EQ(link.sender->calls, 2) << "an open breaker never calls the far side";
    const trace::SpanData refused = link.LastRemoteSpan();
    EXPECT_EQ(Str(refused.attributes, "tome.remote.circuit_state"), "open");
    EXPECT_EQ(refused.status.code, trace::StatusCode::kError);
    EXPECT_EQ(link.net.connector.stats().dropped.at("circuit_open"), 5u);

    EXPECT_EQ(link.sdk.CircuitGauge("r"), 2);
    EXPECT_EQ(link.net.connector.GetConnection(link.connection)->health, Health::kUnhealthy);
    const Topology topology = link.net.connector.GetTopology();
    ASSERT_EQ(topology.nodes.size(), 2u);
    EXPECT_EQ(topology.nodes[1].circuit_state, "open");
    EXPECT_EQ(topology.ToJson()["nodes"][1]["circuitState"], "open");
}

TEST(RemoteLink, TheHalfOpenProbeClosesTheBreakerWhenTheFarSideIsBack) {
    Link link(FastLink());
    link.sender->fallback = Unavailable("connection refused");
    (void)link.Send();
    (void)link.Send();
    ASSERT_EQ(link.sdk.CircuitGauge("r"), 2);
    const int calls = link.sender->calls;
    EXPECT_EQ(calls, 6) << "3 attempts per forward";

    // Still open just before the open duration; the far side is back meanwhile.
    link.sender->fallback = Status::Ok();
    link.net.clock.Advance(9999ms);
    EXPECT_EQ(Dropped(link.Send(), "circuit_open"), 1u);
    EXPECT_EQ(link.sender->calls, calls);

    link.net.clock.Advance(1ms);
    const DeliveryReport probe = link.Send();
    EXPECT_EQ(Dropped(probe, "circuit_open") + Dropped(probe, "remote_failed"), 0u);
    EXPECT_EQ(link.sender->calls, calls + 1);
    EXPECT_EQ(link.sdk.CircuitGauge("r"), 0);
    EXPECT_EQ(link.sdk.Named("Remote circuit half-open").size(), 1u);
    EXPECT_EQ(link.sdk.Named("Remote circuit closed").size(), 1u);
    EXPECT_EQ(link.net.connector.GetConnection(link.connection)->health, Health::kHealthy);
    (void)link.Send();
    EXPECT_EQ(link.sender->calls, calls + 2);
}

}  // namespace
}  // namespace tome::connector
