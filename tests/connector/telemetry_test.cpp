// The connector's spans and metrics (issue 5), through a tracer and meter provider injected via
// ConnectorOptions: in-memory span store (simple processor, so spans are there at End) and a
// pull MetricReader. No sleeps.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "span_attributes.hpp"
#include "test_network.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::connector {
namespace {

namespace trace = telemetry::trace;
namespace metrics = telemetry::metrics;
using testing::TestNetwork;

constexpr char kTrace[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParent[] = "00f067aa0ba902b7";

struct Sdk {
    Sdk() {
        trace::TracerProviderOptions options;
        options.processors.push_back(std::make_unique<trace::SimpleSpanProcessor>(
            std::make_unique<telemetry::exporter::InMemorySpanExporter>(store)));
        tracer = std::make_shared<trace::TracerProvider>(std::move(options));
        meters = std::make_shared<metrics::MeterProvider>(metrics::MeterProviderOptions{});
        meters->AddReader(reader);
    }
    ConnectorOptions Options() const {
        ConnectorOptions options;
        options.tracer_provider = tracer;
        options.meter_provider = meters;
        options.service_name = "svc";
        options.environment = "test";
        return options;
    }
    std::vector<trace::SpanData> Named(const std::string& name) const {
        std::vector<trace::SpanData> out;
        for (auto& s : store->Spans()) {
            if (s.name == name) out.push_back(std::move(s));
        }
        return out;
    }

    std::shared_ptr<telemetry::exporter::InMemorySpanStore> store =
        std::make_shared<telemetry::exporter::InMemorySpanStore>();
    std::shared_ptr<trace::TracerProvider> tracer;
    std::shared_ptr<metrics::MeterProvider> meters;
    std::shared_ptr<metrics::MetricReader> reader = std::make_shared<metrics::MetricReader>();
};

using testing::Attr;
using testing::Int;
using testing::Str;
/// The span at `hop` in `spans` (an empty SpanData, and a failed expectation, if none).
const trace::SpanData& ByHop(const std::vector<trace::SpanData>& spans, std::int64_t hop) {
    static const trace::SpanData kNone{};
    auto it = std::find_if(spans.begin(), spans.end(),
                           [&](const auto& s) { return Int(s.attributes, "tome.hop") == hop; });
    EXPECT_NE(it, spans.end()) << "no span at hop " << hop;
    return it == spans.end() ? kNone : *it;
}
// The result points into `spans`: a temporary vector would leave it dangling.
const trace::SpanData& ByHop(std::vector<trace::SpanData>&& spans, std::int64_t hop) = delete;
/// The value of the point whose attribute `key` is `value`, or -1.
double Point(const metrics::MetricsData& data, std::string_view metric, std::string_view key,
             std::string_view value) {
    const metrics::Metric* m = data.Find(metric);
    if (m == nullptr) return -1;
    for (const auto& p : m->number_points) {
        if (Str(p.attributes, key) == value) return p.value();
    }
    return -1;
}

TEST(ConnectorTelemetry, ChainEventMakesAForwardSpanTreeUnderTheGivenParent) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b", "c"});
    auto ab = net.connector.Connect("a", "b", {});
    auto bc = net.connector.Connect("b", "c", {});
    ASSERT_TRUE(ab.ok() && bc.ok());

    auto report = net.connector.SendEvent("a", {"PING"}, TraceParent{kTrace, kParent});
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->trace_id, kTrace);
    const auto spans = sdk.Named("event.forward");
    ASSERT_EQ(spans.size(), 3u);
    const auto& h0 = ByHop(spans, 0);
    const auto& h1 = ByHop(spans, 1);
    const auto& h2 = ByHop(spans, 2);
    for (const auto* s : {&h0, &h1, &h2}) {
        EXPECT_EQ(s->context.trace_id.ToHex(), kTrace);
        EXPECT_EQ(Str(s->attributes, "robotcopy.service"), "svc");
        EXPECT_EQ(Str(s->attributes, "robotcopy.environment"), "test");
        EXPECT_EQ(Str(s->attributes, "tome.event.type"), "PING");
    }
    EXPECT_EQ(h0.parent_span_id.ToHex(), kParent);
    EXPECT_EQ(h1.parent_span_id, h0.context.span_id);
    EXPECT_EQ(h2.parent_span_id, h1.context.span_id);
    EXPECT_EQ(Str(h0.attributes, "tome.target"), "a");
    EXPECT_EQ(trace::FindAttribute(h0.attributes, "tome.source"), nullptr) << "the origin has no sender";
    EXPECT_EQ(Str(h1.attributes, "tome.target"), "b");
    EXPECT_EQ(Str(h1.attributes, "tome.source"), "a");
    EXPECT_EQ(Str(h2.attributes, "tome.source"), "b");
    EXPECT_EQ(Str(h1.attributes, "tome.connection_id"), ab->id);
    EXPECT_EQ(Str(h1.attributes, "tome.direction"), "forward");
    EXPECT_EQ(Str(h2.attributes, "tome.connection_id"), bc->id);
    // b may forward back to a (two-way): already visited, counted on b's span (not an event).
    EXPECT_EQ(Int(h1.attributes, "tome.already_visited"), 1);
    EXPECT_TRUE(h1.events.empty());
    EXPECT_EQ(Int(h0.attributes, "tome.already_visited"), -1);
}

TEST(ConnectorTelemetry, OriginSpanIsAChildOfTheCurrentContextAndReverseIsNamed) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    trace::Tracer tracer = sdk.tracer->GetTracer("test");
    trace::Span server = tracer.StartSpan("GET /x", {.kind = trace::SpanKind::kServer});
    {
        trace::Scope scope = trace::MakeScope(server);
        auto report = net.connector.SendEvent("b", {"PING"});
        ASSERT_TRUE(report.ok());
        EXPECT_EQ(report->trace_id, server.GetContext().trace_id.ToHex());
    }
    const auto spans = sdk.Named("event.forward");
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(ByHop(spans, 0).parent_span_id, server.GetContext().span_id);
    EXPECT_EQ(Str(ByHop(spans, 1).attributes, "tome.direction"), "reverse");
}

TEST(ConnectorTelemetry, ConnectionCreateAndDeleteSpans) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.bidirectional = false;
    auto info = net.connector.Connect("a", "b", config);
    ASSERT_TRUE(info.ok());
    EXPECT_FALSE(net.connector.Connect("a", "nope", {}).ok());
    ASSERT_TRUE(net.connector.Disconnect(info->id).ok());

    const auto created = sdk.Named("connection.create");
    ASSERT_EQ(created.size(), 2u);
    const auto& ok = created[0];
    EXPECT_EQ(Str(ok.attributes, "tome.source"), "a");
    EXPECT_EQ(Str(ok.attributes, "tome.target"), "b");
    EXPECT_EQ(Str(ok.attributes, "tome.connection_type"), "one-way");
    EXPECT_EQ(Str(ok.attributes, "tome.connection_id"), info->id);
    EXPECT_EQ(Str(ok.attributes, "robotcopy.service"), "svc");
    ASSERT_EQ(ok.events.size(), 1u);
    EXPECT_EQ(ok.events[0].name, "connection.created");
    EXPECT_EQ(ok.status.code, trace::StatusCode::kUnset);
    EXPECT_EQ(created[1].status.code, trace::StatusCode::kError);

    const auto deleted = sdk.Named("connection.delete");
    ASSERT_EQ(deleted.size(), 1u);
    EXPECT_EQ(Str(deleted[0].attributes, "tome.connection_id"), info->id);
    EXPECT_EQ(Str(deleted[0].attributes, "tome.source"), "a");
}

TEST(ConnectorTelemetry, NetworkCreateParentsItsConnectionSpans) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b", "c"});
    ASSERT_TRUE(net.connector.CreateRingNetwork({"a", "b", "c"}, {}).ok());
    const auto network = sdk.Named("network.create");
    ASSERT_EQ(network.size(), 1u);
    EXPECT_EQ(Str(network[0].attributes, "tome.network_type"), "ring");
    EXPECT_EQ(Int(network[0].attributes, "tome.service_count"), 3);
    EXPECT_EQ(Int(network[0].attributes, "tome.connection_count"), 3);
    const auto created = sdk.Named("connection.create");
    ASSERT_EQ(created.size(), 3u);
    for (const auto& c : created) {
        EXPECT_EQ(c.parent_span_id, network[0].context.span_id);
        EXPECT_EQ(Str(c.attributes, "tome.connection_type"), "two-way");
    }
}

// The span's events named `name`, in order.
std::vector<trace::Event> EventsNamed(const trace::SpanData& span, std::string_view name) {
    std::vector<trace::Event> out;
    for (const auto& e : span.events) {
        if (e.name == name) out.push_back(e);
    }
    return out;
}

// The flag evaluations on `span`, as key -> value.
std::map<std::string, bool> Flags(const trace::SpanData& span) {
    std::map<std::string, bool> out;
    for (const auto& e : EventsNamed(span, "feature_flag.evaluation")) {
        auto value = Attr(e.attributes, "feature_flag.result.value");
        EXPECT_TRUE(value && std::holds_alternative<bool>(*value));
        EXPECT_EQ(Str(e.attributes, "feature_flag.provider.name"), "tome");
        if (value && std::holds_alternative<bool>(*value)) {
            out[Str(e.attributes, "feature_flag.key")] = std::get<bool>(*value);
        }
    }
    return out;
}

TEST(ConnectorTelemetry, TogglesThatLetAJourneyTravelAreRecordedOnceAtItsOrigin) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b", "c"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.connector.Connect("b", "c", {}).ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());
    const auto spans = sdk.Named("event.forward");
    ASSERT_EQ(spans.size(), 3u);
    std::size_t with_flags = 0;
    for (const auto& s : spans) {
        const auto flags = Flags(s);
        if (flags.empty()) continue;
        ++with_flags;
        EXPECT_EQ(Str(s.attributes, "tome.target"), "a") << "only the origin records them";
        EXPECT_EQ(flags, (std::map<std::string, bool>{{std::string(toggles::kEventRouting), true},
                                                      {std::string(toggles::kStateSync), true}}));
    }
    EXPECT_EQ(with_flags, 1u);
}

TEST(ConnectorTelemetry, RoutingOffIsAFeatureFlagEventAndADrop) {
    Sdk sdk;
    TestNetwork net(sdk.Options(), {{std::string(toggles::kEventRouting), false}});
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());
    const auto spans = sdk.Named("event.forward");
    ASSERT_EQ(spans.size(), 1u);
    // Routing off stopped it here; sync on is recorded as the origin's other decision.
    EXPECT_EQ(Flags(spans[0]),
              (std::map<std::string, bool>{{std::string(toggles::kEventRouting), false},
                                           {std::string(toggles::kStateSync), true}}));
    const auto dropped = EventsNamed(spans[0], "event.dropped");
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(Str(dropped[0].attributes, "tome.drop.reason"), "routing_disabled");
}

TEST(ConnectorTelemetry, FilteredForwardIsADropEventNamingReasonAndTarget) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.filters.events = {"PAY"};
    auto conn = net.connector.Connect("a", "b", config);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());
    const auto spans = sdk.Named("event.forward");
    ASSERT_EQ(spans.size(), 1u);
    const auto dropped = EventsNamed(spans[0], "event.dropped");
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(Str(dropped[0].attributes, "tome.drop.reason"), "filtered");
    EXPECT_EQ(Str(dropped[0].attributes, "tome.target"), "b");
    EXPECT_EQ(Str(dropped[0].attributes, "tome.connection_id"), conn->id);
}

TEST(ConnectorTelemetry, StateSyncSpanIsAChildOfTheChangingDelivery) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    ConnectionConfig config;
    config.state_mapping = {{"state", "peer.state"}};
    config.bidirectional = false;  // b's own change would sync back to a otherwise
    ASSERT_TRUE(net.connector.Connect("a", "b", config).ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PAY", {{"amount", 7}}}).ok());
    const auto syncs = sdk.Named("state.sync");
    ASSERT_EQ(syncs.size(), 1u);
    const auto forwards = sdk.Named("event.forward");
    const auto& origin = ByHop(forwards, 0);
    EXPECT_EQ(syncs[0].parent_span_id, origin.context.span_id);
    EXPECT_EQ(Str(syncs[0].attributes, "tome.target"), "b");
    EXPECT_EQ(Str(syncs[0].attributes, "tome.event.type"), std::string(kSyncStateEvent));
}

TEST(ConnectorTelemetry, TracingToggleOffMakesNoSpans) {
    Sdk sdk;
    TestNetwork net(sdk.Options(), {{std::string(toggles::kTracing), false}});
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());
    ASSERT_TRUE(net.connector.Broadcast("a", {"PING"}).ok());
    EXPECT_TRUE(sdk.Named("event.forward").empty());
    EXPECT_TRUE(sdk.Named("broadcast").empty());
}

TEST(ConnectorTelemetry, BroadcastSpanParentsTheFirstHop) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"hub", "s1", "s2"});
    ASSERT_TRUE(net.connector.CreateHubNetwork("hub", {"s1", "s2"}, {}).ok());
    auto report = net.connector.Broadcast("hub", {"PING"});
    ASSERT_TRUE(report.ok());
    const auto root = sdk.Named("broadcast");
    ASSERT_EQ(root.size(), 1u);
    EXPECT_EQ(report->trace_id, root[0].context.trace_id.ToHex());
    const auto spans = sdk.Named("event.forward");
    ASSERT_EQ(spans.size(), 2u);
    for (const auto& s : spans) EXPECT_EQ(s.parent_span_id, root[0].context.span_id);
}

TEST(ConnectorTelemetry, MetricsAfterAFewOperations) {
    Sdk sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b", "c", "d"});
    ASSERT_TRUE(net.connector.CreateRingNetwork({"a", "b", "c"}, {}).ok());
    ConnectionConfig one_way;
    one_way.bidirectional = false;
    ASSERT_TRUE(net.connector.Connect("c", "d", one_way).ok());
    ASSERT_TRUE(net.registry.Remove("d").ok());  // c -> d turns unhealthy
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}).ok());

    const metrics::MetricsData data = sdk.reader->Collect();
    EXPECT_EQ(Point(data, "tome.connections.total", "tome.connection_type", "two-way"), 3);
    EXPECT_EQ(Point(data, "tome.connections.total", "tome.connection_type", "one-way"), 1);
    EXPECT_EQ(Point(data, "tome.connections.active", "tome.health", "healthy"), 3);
    EXPECT_EQ(Point(data, "tome.connections.active", "tome.health", "unhealthy"), 1);
    // a -> b over a->b (forward), a -> c over c->a (reverse); b and c see each other visited.
    EXPECT_EQ(Point(data, "tome.events.forwarded", "tome.direction", "forward"), 1);
    EXPECT_EQ(Point(data, "tome.events.forwarded", "tome.direction", "reverse"), 1);
    EXPECT_EQ(Point(data, "tome.events.dropped", "tome.drop.reason", "tome_missing"), 1);
    EXPECT_GE(Point(data, "tome.events.dropped", "tome.drop.reason", "already_visited"), 2);

    const metrics::Metric* rt = data.Find("tome.response_time_ms");
    ASSERT_NE(rt, nullptr);
    EXPECT_EQ(rt->unit, "ms");
    std::uint64_t sends = 0;
    for (const auto& p : rt->histogram_points) {
        if (Str(p.attributes, "tome.operation") == "event.send") sends = p.count;
    }
    EXPECT_EQ(sends, 1u);
    // Cardinality: no tome or connection ids as metric attributes.
    const std::set<std::string> allowed = {"tome.connection_type", "tome.health", "tome.direction",
                                           "tome.drop.reason", "tome.operation"};
    for (const auto& scope : data.scope_metrics) {
        for (const auto& m : scope.metrics) {
            for (const auto& p : m.number_points)
                for (const auto& a : p.attributes) EXPECT_TRUE(allowed.count(a.key)) << a.key;
            for (const auto& p : m.histogram_points)
                for (const auto& a : p.attributes) EXPECT_TRUE(allowed.count(a.key)) << a.key;
        }
    }
}

}  // namespace
}  // namespace tome::connector
