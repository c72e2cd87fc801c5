// The connector's structured logs: one record per operation, in that operation's span (same
// trace and span ids), carrying robotcopy.service/environment and the business.* baggage of
// the event. In-memory log and span exporters behind simple (synchronous) processors: records
// and spans are there when the call returns; no sleeps.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_network.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"
#include "tome/testing/in_memory_telemetry.hpp"

namespace tome::connector {
namespace {

namespace trace = telemetry::trace;
namespace logs = telemetry::logs;
using testing::TestNetwork;

/// The in-memory SDK, plus the connector options that record into it and span lookup by id.
struct Sdk : tome::testing::InMemoryTelemetry {
    using InMemoryTelemetry::InMemoryTelemetry;
    ConnectorOptions Options() const {
        ConnectorOptions options;
        options.tracer_provider = tracer;
        options.logger_provider = logger;
        options.service_name = "orders";
        options.environment = "test";
        return options;
    }
    /// The span with `id`; fails the test when there is none.
    trace::SpanData SpanWithId(const telemetry::SpanId& id) const {
        for (auto& s : spans->Spans()) {
            if (s.context.span_id == id) return s;
        }
        ADD_FAILURE() << "no span " << id.ToHex();
        return {};
    }
};

const logs::LogValue* Attr(const logs::LogRecord& r, std::string_view key) {
    for (const auto& kv : r.attributes) {
        if (kv.key == key) return &kv.value;
    }
    return nullptr;
}

std::string StrAttr(const logs::LogRecord& r, std::string_view key) {
    const logs::LogValue* v = Attr(r, key);
    return v != nullptr && v->AsString() != nullptr ? *v->AsString() : std::string("<missing>");
}

trace::Baggage OrderBaggage() {
    return trace::Baggage()
        .Set("business.order_id", "o-1")
        .Set("business.order_value", "1500", "type=int")
        .Set("tenant", "t-1");
}

/// The record is in the span `name`: same trace and span ids.
void ExpectInSpan(const Sdk& sdk, const logs::LogRecord& r, const std::string& name) {
    ASSERT_TRUE(r.span_id.IsValid());
    const trace::SpanData span = sdk.SpanWithId(r.span_id);
    EXPECT_EQ(span.name, name);
    EXPECT_EQ(span.context.trace_id, r.trace_id);
}

void ExpectBusiness(const logs::LogRecord& r) {
    EXPECT_EQ(StrAttr(r, "business.order_id"), "o-1");
    const logs::LogValue* value = Attr(r, "business.order_value");
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(*value, logs::LogValue(std::int64_t{1500}));  // typed as on spans
    EXPECT_EQ(Attr(r, "tenant"), nullptr);
}

TEST(ConnectorLogs, ConnectionCreatedAndDeletedOncePerOperationInTheirSpans) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    std::string id;
    {
        trace::Scope scope(trace::Context::Current().WithBaggage(OrderBaggage()));
        auto info = net.connector.Connect("a", "b", {});
        ASSERT_TRUE(info.ok());
        id = info->id;
    }
    auto created = sdk.Named("Connection created");
    ASSERT_EQ(created.size(), 1u);
    const logs::LogRecord& c = created.front();
    EXPECT_EQ(c.severity, logs::Severity::kInfo);
    EXPECT_EQ(StrAttr(c, "tome.source"), "a");
    EXPECT_EQ(StrAttr(c, "tome.target"), "b");
    EXPECT_EQ(StrAttr(c, "tome.connection_type"), "two-way");
    EXPECT_EQ(StrAttr(c, "tome.connection_id"), id);
    EXPECT_EQ(StrAttr(c, "robotcopy.service"), "orders");
    EXPECT_EQ(StrAttr(c, "robotcopy.environment"), "test");
    ExpectBusiness(c);
    ExpectInSpan(sdk, c, "connection.create");

    ASSERT_TRUE(net.connector.Disconnect(id).ok());
    auto deleted = sdk.Named("Connection deleted");
    ASSERT_EQ(deleted.size(), 1u);
    EXPECT_EQ(StrAttr(deleted.front(), "tome.connection_id"), id);
    EXPECT_EQ(StrAttr(deleted.front(), "tome.source"), "a");
    EXPECT_EQ(Attr(deleted.front(), "business.order_id"), nullptr);  // no baggage this time
    ExpectInSpan(sdk, deleted.front(), "connection.delete");

    // A rejected request logs a warning, never "created".
    ASSERT_FALSE(net.connector.Connect("a", "nope", {}).ok());
    EXPECT_EQ(sdk.Named("Connection created").size(), 1u);
    auto failed = sdk.Named("Connection creation failed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed.front().severity, logs::Severity::kWarn);
    EXPECT_EQ(StrAttr(failed.front(), "error.type"), "not_found");
}

TEST(ConnectorLogs, NetworkCreatedOnceWithOneConnectionCreatedPerConnection) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b", "c"});
    ASSERT_TRUE(net.connector.CreateRingNetwork({"a", "b", "c"}, {}).ok());
    auto network = sdk.Named("Network created");
    ASSERT_EQ(network.size(), 1u);
    const logs::LogRecord& n = network.front();
    EXPECT_EQ(n.severity, logs::Severity::kInfo);
    EXPECT_EQ(StrAttr(n, "tome.network_type"), "ring");
    EXPECT_EQ(*Attr(n, "tome.service_count"), logs::LogValue(std::int64_t{3}));
    EXPECT_EQ(*Attr(n, "tome.connection_count"), logs::LogValue(std::int64_t{3}));
    ExpectInSpan(sdk, n, "network.create");
    auto connections = sdk.Named("Connection created");
    ASSERT_EQ(connections.size(), 3u);
    for (const auto& c : connections) {
        ExpectInSpan(sdk, c, "connection.create");
        EXPECT_EQ(sdk.SpanWithId(c.span_id).parent_span_id, n.span_id);
    }
}

TEST(ConnectorLogs, EventForwardedPerForwardInItsSpanWithBusinessBaggage) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b", "c"});
    ConnectionConfig one_way;
    one_way.bidirectional = false;
    ASSERT_TRUE(net.connector.Connect("a", "b", one_way).ok());
    ASSERT_TRUE(net.connector.Connect("b", "c", one_way).ok());
    sdk.Clear();
    {
        trace::Scope scope(trace::Context::Current().WithBaggage(OrderBaggage()));
        ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}, {}).ok());
    }
    auto forwarded = sdk.Named("Event forwarded");
    ASSERT_EQ(forwarded.size(), 2u);  // a->b, b->c; the origin delivery is not a forward
    std::vector<std::string> targets;
    for (const auto& r : forwarded) {
        EXPECT_EQ(r.severity, logs::Severity::kDebug);
        EXPECT_EQ(StrAttr(r, "tome.event.type"), "PING");
        EXPECT_EQ(StrAttr(r, "tome.direction"), "forward");
        EXPECT_NE(StrAttr(r, "tome.connection_id"), "<missing>");
        ExpectBusiness(r);
        ExpectInSpan(sdk, r, "event.forward");
        const trace::SpanData span = sdk.SpanWithId(r.span_id);
        EXPECT_EQ(std::get<std::string>(*trace::FindAttribute(span.attributes, "tome.target")),
                  StrAttr(r, "tome.target"));
        targets.push_back(StrAttr(r, "tome.source") + ">" + StrAttr(r, "tome.target"));
    }
    EXPECT_EQ(targets, (std::vector<std::string>{"a>b", "b>c"}));
    EXPECT_TRUE(sdk.Named("Event dropped").empty());
}

TEST(ConnectorLogs, NoEventForwardedRecordsAtInfoLevel) {
    Sdk sdk(logs::Severity::kInfo);
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b", "c"});
    ASSERT_TRUE(net.connector.CreateRingNetwork({"a", "b", "c"}, {}).ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}, {}).ok());
    EXPECT_TRUE(sdk.Named("Event forwarded").empty());
    // Already-visited skips are DEBUG too; INFO keeps only the operations.
    EXPECT_TRUE(sdk.Named("Event dropped").empty());
    EXPECT_EQ(sdk.Named("Network created").size(), 1u);
}

TEST(ConnectorLogs, EventDroppedCarriesTheMetricReasonInTheForwardingSpan) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    ConnectionConfig filtered;
    filtered.filters.events = {"PAY"};
    ASSERT_TRUE(net.connector.Connect("a", "b", filtered).ok());
    sdk.Clear();
    {
        trace::Scope scope(trace::Context::Current().WithBaggage(OrderBaggage()));
        ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}, {}).ok());
    }
    auto dropped = sdk.Named("Event dropped");
    ASSERT_EQ(dropped.size(), 1u);
    const logs::LogRecord& d = dropped.front();
    EXPECT_EQ(d.severity, logs::Severity::kInfo);
    EXPECT_EQ(StrAttr(d, "tome.drop.reason"), "filtered");
    EXPECT_EQ(StrAttr(d, "tome.source"), "a");
    EXPECT_EQ(StrAttr(d, "tome.target"), "b");
    ExpectBusiness(d);
    ExpectInSpan(sdk, d, "event.forward");  // the origin's delivery, which tried to forward
}

TEST(ConnectorLogs, ThrowingTransformIsAnErrorAndAWarnedDrop) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.transform_fn = [](const TomeEvent&) -> std::optional<TomeEvent> {
        throw std::runtime_error("bad mapping");
    };
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    sdk.Clear();
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}, {}).ok());
    auto errors = sdk.Named("Transform failed");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors.front().severity, logs::Severity::kError);
    EXPECT_EQ(StrAttr(errors.front(), "error.message"), "bad mapping");
    ExpectInSpan(sdk, errors.front(), "event.forward");
    auto dropped = sdk.Named("Event dropped");
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped.front().severity, logs::Severity::kWarn);
    EXPECT_EQ(StrAttr(dropped.front(), "tome.drop.reason"), "transform_failed");
    EXPECT_EQ(dropped.front().span_id, errors.front().span_id);
}

TEST(ConnectorLogs, RemoteFailureIsAnErrorInTheClientSpan) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a"});
    ASSERT_TRUE(net.connector.RegisterRemoteTome("r", "https://peer").ok());
    ASSERT_TRUE(net.connector.Connect("a", "r", {}).ok());
    sdk.Clear();
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}, {}).ok());  // no sender: fails
    auto errors = sdk.Named("Remote send failed");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors.front().severity, logs::Severity::kError);
    EXPECT_EQ(StrAttr(errors.front(), "tome.remote.endpoint"), "https://peer");
    EXPECT_EQ(StrAttr(errors.front(), "error.type"), "unavailable");
    const trace::SpanData span = sdk.SpanWithId(errors.front().span_id);
    EXPECT_EQ(span.kind, trace::SpanKind::kClient);
    auto dropped = sdk.Named("Event dropped");
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(StrAttr(dropped.front(), "tome.drop.reason"), "remote_failed");
}

TEST(ConnectorLogs, HealthDegradedOnlyWhenItChanges) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    auto info = net.connector.Connect("a", "b", {});
    ASSERT_TRUE(info.ok());
    net.connector.CheckHealth();
    EXPECT_TRUE(sdk.Named("Connection health degraded").empty());
    net.clock.Advance(std::chrono::minutes(2));  // idle past degraded_after
    net.connector.CheckHealth();
    net.connector.CheckHealth();
    auto degraded = sdk.Named("Connection health degraded");
    ASSERT_EQ(degraded.size(), 1u);
    EXPECT_EQ(degraded.front().severity, logs::Severity::kWarn);
    EXPECT_EQ(StrAttr(degraded.front(), "tome.connection_id"), info->id);
    EXPECT_EQ(StrAttr(degraded.front(), "tome.health"), "degraded");
    EXPECT_EQ(StrAttr(degraded.front(), "tome.health.previous"), "healthy");
    // Correlated with the caller's span when there is one.
    trace::Span check = sdk.tracer->GetTracer("test").StartSpan("check", {});
    {
        trace::Scope scope(check.ToContext());
        ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}, {}).ok());  // activity: healthy
        net.connector.CheckHealth();
    }
    auto recovered = sdk.Named("Connection health recovered");
    ASSERT_EQ(recovered.size(), 1u);
    EXPECT_EQ(recovered.front().severity, logs::Severity::kInfo);
    EXPECT_EQ(recovered.front().span_id, check.GetContext().span_id);
    EXPECT_EQ(sdk.Named("Connection health degraded").size(), 1u);
}

}  // namespace
}  // namespace tome::connector
