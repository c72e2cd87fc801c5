// Business context (payload `business` fields and `business.*` baggage) on the request's SERVER
// span and on every connector span it causes, through Proxy::Handle with an in-memory span
// store (simple processor: spans are there at End). No sleeps, no sockets.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tome/api/proxy.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_definition.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"
#include "tome/testing/fake_clock.hpp"

namespace tome::api {
namespace {

namespace trace = telemetry::trace;

Json Definition(const std::string& id) {
    Json def = Json::parse(R"({"initial": "idle",
        "states": {"idle": {"on": {"PING": "active"}}, "active": {"on": {"PING": "idle"}}}})");
    def["id"] = id;
    return def;
}

struct Fixture {
    Fixture() {
        trace::TracerProviderOptions options;
        options.processors.push_back(std::make_unique<trace::SimpleSpanProcessor>(
            std::make_unique<telemetry::exporter::InMemorySpanExporter>(store)));
        tracer = std::make_shared<trace::TracerProvider>(std::move(options));
        connector::ConnectorOptions copts;
        copts.tracer_provider = tracer;
        connector = std::make_unique<connector::Connector>(tomes, toggles, clock, copts);
        robot_copy = std::make_unique<robotcopy::RobotCopy>(robotcopy::RobotCopyOptions{},
                                                            toggles, clock);
        ProxyServices services{tomes, *connector, *robot_copy, toggles, clock};
        services.tracer_provider = tracer.get();
        proxy = std::make_unique<Proxy>(services, ProxyOptions{});
        // A 3-tome chain a -> b -> c.
        for (const char* id : {"a", "b", "c"}) {
            auto def = ParseTomeDefinition(Definition(id));
            EXPECT_TRUE(def.ok());
            EXPECT_TRUE(tomes.Add(std::make_shared<Tome>(std::move(*def))).ok());
        }
        EXPECT_TRUE(connector->Connect("a", "b", {}).ok());
        EXPECT_TRUE(connector->Connect("b", "c", {}).ok());
        store->Clear();
    }

    HttpResponse Post(const std::string& path, const std::string& body,
                      const std::string& baggage = "") {
        HttpRequest r;
        r.method = "POST";
        r.target = r.path = path;
        r.body = body;
        r.headers["content-type"] = "application/json";
        r.headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        if (!baggage.empty()) r.headers["baggage"] = baggage;
        r.client_address = "127.0.0.1";
        return proxy->Handle(r);
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
    TomeRegistry tomes;
    FeatureToggles toggles;
    tome::testing::FakeClock clock;
    std::unique_ptr<connector::Connector> connector;
    std::unique_ptr<robotcopy::RobotCopy> robot_copy;
    std::unique_ptr<Proxy> proxy;
};

const trace::AttributeValue* Attr(const trace::SpanData& s, std::string_view key) {
    return trace::FindAttribute(s.attributes, key);
}

void ExpectString(const trace::SpanData& s, std::string_view key, const std::string& want) {
    const auto* v = Attr(s, key);
    ASSERT_NE(v, nullptr) << s.name << " lacks " << key;
    ASSERT_TRUE(std::holds_alternative<std::string>(*v)) << s.name << " " << key;
    EXPECT_EQ(std::get<std::string>(*v), want) << s.name << " " << key;
}

void ExpectInt(const trace::SpanData& s, std::string_view key, std::int64_t want) {
    const auto* v = Attr(s, key);
    ASSERT_NE(v, nullptr) << s.name << " lacks " << key;
    ASSERT_TRUE(std::holds_alternative<std::int64_t>(*v)) << s.name << " " << key;
    EXPECT_EQ(std::get<std::int64_t>(*v), want) << s.name << " " << key;
}

constexpr char kPayloadEvent[] =
    R"({"type":"PING","payload":{"business":{"order_id":"o-1","order_value":1500,)"
    R"("customer_tier":"premium","vip":true,"ratio":0.5,"items":[1,2],"nested":{"x":1},)"
    R"("none":null}}})";

TEST(BusinessContext, PayloadFieldsAreOnTheServerSpanAndEveryForwardSpan) {
    Fixture f;
    const HttpResponse r = f.Post("/api/tomes/a/events", kPayloadEvent);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto server = f.Named("POST /api/tomes/{id}/events");
    ASSERT_EQ(server.size(), 1u);
    const auto forwards = f.Named("event.forward");
    ASSERT_EQ(forwards.size(), 3u);
    std::vector<const trace::SpanData*> all = {&server.front()};
    for (const auto& s : forwards) all.push_back(&s);
    for (const auto* s : all) {
        ExpectString(*s, "business.order_id", "o-1");
        ExpectInt(*s, "business.order_value", 1500);
        ExpectString(*s, "business.customer_tier", "premium");
        const auto* vip = Attr(*s, "business.vip");
        ASSERT_NE(vip, nullptr);
        EXPECT_TRUE(std::holds_alternative<bool>(*vip) && std::get<bool>(*vip));
        const auto* ratio = Attr(*s, "business.ratio");
        ASSERT_NE(ratio, nullptr);
        EXPECT_TRUE(std::holds_alternative<double>(*ratio) && std::get<double>(*ratio) == 0.5);
        // Non-scalar and null fields are ignored.
        EXPECT_EQ(Attr(*s, "business.items"), nullptr);
        EXPECT_EQ(Attr(*s, "business.nested"), nullptr);
        EXPECT_EQ(Attr(*s, "business.none"), nullptr);
    }
}

TEST(BusinessContext, BusinessBaggageBecomesAttributesAndOtherBaggageDoesNot) {
    Fixture f;
    const HttpResponse r = f.Post("/api/tomes/a/events", R"({"type":"PING"})",
                                  "business.customer_id=c-42,user.id=u-7,session=s1");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto server = f.Named("POST /api/tomes/{id}/events");
    ASSERT_EQ(server.size(), 1u);
    const auto forwards = f.Named("event.forward");
    ASSERT_EQ(forwards.size(), 3u);
    std::vector<const trace::SpanData*> all = {&server.front()};
    for (const auto& s : forwards) all.push_back(&s);
    for (const auto* s : all) {
        ExpectString(*s, "business.customer_id", "c-42");
        EXPECT_EQ(Attr(*s, "user.id"), nullptr) << s->name;
        EXPECT_EQ(Attr(*s, "session"), nullptr) << s->name;
        EXPECT_EQ(Attr(*s, "business.user.id"), nullptr) << s->name;
        for (const auto& a : s->attributes) {
            EXPECT_TRUE(a.key != "baggage.user.id" && a.key != "baggage.session") << a.key;
        }
    }
}

TEST(BusinessContext, BroadcastCarriesPayloadAndBaggageFields) {
    Fixture f;
    const HttpResponse r = f.Post(
        "/api/broadcast",
        R"({"sourceTome":"a","event":{"type":"PING","payload":{"business":{"order_value":7}}}})",
        "business.workflow_id=w-9");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto server = f.Named("POST /api/broadcast");
    ASSERT_EQ(server.size(), 1u);
    ExpectInt(server.front(), "business.order_value", 7);
    ExpectString(server.front(), "business.workflow_id", "w-9");
    const auto forwards = f.Named("event.forward");
    ASSERT_FALSE(forwards.empty());
    for (const auto& s : forwards) {
        ExpectInt(s, "business.order_value", 7);
        ExpectString(s, "business.workflow_id", "w-9");
    }
}

TEST(BusinessContext, AtMostSixteenFieldsAndValuesCutTo256Chars) {
    Fixture f;
    Json business = Json::object();
    for (int i = 0; i < 20; ++i) business["f" + std::to_string(100 + i)] = i;
    business["f100"] = std::string(300, 'x');  // replaces the first field, no extra slot
    Json body = {{"type", "PING"}, {"payload", {{"business", business}}}};
    const HttpResponse r = f.Post("/api/tomes/a/events", body.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    const auto forwards = f.Named("event.forward");
    ASSERT_EQ(forwards.size(), 3u);
    for (const auto& s : f.store->Spans()) {
        if (s.name != "event.forward" && s.name != "POST /api/tomes/{id}/events") continue;
        std::size_t n = 0;
        for (const auto& a : s.attributes) n += a.key.starts_with("business.") ? 1 : 0;
        EXPECT_EQ(n, 16u) << s.name;
        ExpectString(s, "business.f100", std::string(256, 'x'));
    }
}

TEST(BusinessContext, NoBusinessContextAddsNoAttributes) {
    Fixture f;
    const HttpResponse r = f.Post("/api/tomes/a/events", R"({"type":"PING","payload":{"x":1}})");
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& s : f.store->Spans()) {
        for (const auto& a : s.attributes) EXPECT_FALSE(a.key.starts_with("business.")) << a.key;
    }
}

}  // namespace
}  // namespace tome::api

namespace tome::api {
namespace {

// One id system: RobotCopy's history of an event names the exported spans of its deliveries.
TEST(HistoryIds, DeliveriesAreTrackedUnderTheirExportedSpans) {
    Fixture f;
    ASSERT_EQ(f.Post("/api/tomes/a/events", R"({"type":"PING"})").status, 200);
    const auto forwards = f.Named("event.forward");
    ASSERT_EQ(forwards.size(), 3u);
    const auto tracked =
        f.robot_copy->history().MessagesOf("4bf92f3577b34da6a3ce929d0e0e4736");
    std::size_t deliveries = 0;
    for (const auto& m : tracked) {
        if (m.action != "event.deliver") continue;
        ++deliveries;
        const auto span = std::find_if(forwards.begin(), forwards.end(), [&](const auto& s) {
            return s.context.span_id.ToHex() == m.span_id;
        });
        ASSERT_NE(span, forwards.end()) << "tracked span " << m.span_id << " was not exported";
        EXPECT_EQ(m.parent_span_id, span->parent_span_id.ToHex());
    }
    EXPECT_EQ(deliveries, 3u);
}

}  // namespace
}  // namespace tome::api
