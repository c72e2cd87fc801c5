// The request hooks of tome::Telemetry produce the same SERVER span and the same metrics as the
// Proxy, which is built with the facade's providers and request instrumentation (as the app
// does): one request through Proxy::Handle, the same one through StartRequest/EndRequest.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "otlp_capture.hpp"
#include "tome/api/proxy.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/facade/telemetry.hpp"
#include "tome/robotcopy/robot_copy.hpp"
#include "tome/testing/fake_clock.hpp"

namespace tome::facade {
namespace {

using telemetry::testing::LoopbackReceiver;
using testing::Attributes;
using testing::Decode;
using testing::Hex;

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

struct ProxyWithFacade {
    explicit ProxyWithFacade(unsigned short port) {
        TelemetryConfig c;
        c.endpoint = "http://127.0.0.1:" + std::to_string(port);
        c.log_console = false;
        c.self_stats = &stats;
        auto created = Telemetry::Create(c, [](std::string_view) { return std::nullopt; });
        EXPECT_TRUE(created.ok()) << created.status().ToString();
        tel = std::move(*created);
        connector = std::make_unique<connector::Connector>(tomes, toggles, clock,
                                                           connector::ConnectorOptions{});
        robot_copy = std::make_unique<robotcopy::RobotCopy>(robotcopy::RobotCopyOptions{},
                                                            toggles, clock);
        api::ProxyServices services{tomes,
                                    *connector,
                                    *robot_copy,
                                    toggles,
                                    clock,
                                    nullptr,
                                    tel->tracer_provider(),
                                    tel->propagator(),
                                    tel->meter_provider(),
                                    tel->scrape_reader(),
                                    &tel->request_instrumentation()};
        proxy = std::make_unique<api::Proxy>(services, api::ProxyOptions{});
    }

    telemetry::SelfStats stats;
    std::unique_ptr<Telemetry> tel;
    TomeRegistry tomes;
    FeatureToggles toggles;
    tome::testing::FakeClock clock;
    std::unique_ptr<connector::Connector> connector;
    std::unique_ptr<robotcopy::RobotCopy> robot_copy;
    std::unique_ptr<api::Proxy> proxy;
};

TEST(RequestHooks, ProduceTheSameSpanAndMetricsAsTheProxy) {
    LoopbackReceiver rx;
    ProxyWithFacade f(rx.port());

    api::HttpRequest request;
    request.method = "GET";
    request.target = request.path = "/api/health";
    request.headers = {{"user-agent", "hooks-test/1"},
                       {"host", "tome.local:3000"},
                       {"traceparent", kTraceparent}};
    request.client_address = "127.0.0.1";
    request.local_port = 3000;
    const api::HttpResponse response = f.proxy->Handle(request);
    ASSERT_EQ(response.status, 200);

    RequestInfo info;
    info.method = "GET";
    info.route = "/api/health";
    info.path = "/api/health";
    info.headers = {{"traceparent", kTraceparent}};
    info.client_address = "127.0.0.1";
    info.user_agent = "hooks-test/1";
    info.server_address = "tome.local";
    info.server_port = 3000;
    {
        RequestScope scope = f.tel->StartRequest(info);
        ASSERT_TRUE(scope.active());
        EXPECT_EQ(scope.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        // The SERVER span is current: events and logs inside the request attach to it.
        EXPECT_TRUE(f.tel->AddEvent("handled"));
        f.tel->EndRequest(scope, 200, "health_check");
        EXPECT_FALSE(scope.active());
        f.tel->EndRequest(scope, 500, "ignored");  // a second end is ignored
    }
    const TelemetryStats stats = f.tel->Stats();
    EXPECT_EQ(stats.requests, 2u);
    EXPECT_EQ(stats.metric_measurements, 6u);
    ASSERT_TRUE(f.tel->Shutdown(std::chrono::seconds(10)));

    const auto got = Decode(rx);
    std::vector<const testing::otlp::trace::v1::Span*> server;
    for (const auto& s : got.spans) {
        if (s.name() == "GET /api/health") server.push_back(&s);
    }
    ASSERT_EQ(server.size(), 2u);
    for (const auto* s : server) {
        EXPECT_EQ(s->kind(), testing::otlp::trace::v1::Span::SPAN_KIND_SERVER);
        EXPECT_EQ(Hex(s->trace_id()), "4bf92f3577b34da6a3ce929d0e0e4736");
        EXPECT_EQ(Hex(s->parent_span_id()), "00f067aa0ba902b7");
    }
    const auto proxy_attrs = Attributes(server[0]->attributes());
    EXPECT_EQ(proxy_attrs, Attributes(server[1]->attributes()));
    EXPECT_EQ(proxy_attrs.at("http.route"), "/api/health");
    EXPECT_EQ(proxy_attrs.at("http.response.status_code"), "200");
    EXPECT_EQ(proxy_attrs.at("user_agent.original"), "hooks-test/1");
    EXPECT_EQ(proxy_attrs.at("server.address"), "tome.local");
    EXPECT_EQ(proxy_attrs.at("server.port"), "3000");

    // Both requests land in the same series of each metric.
    const auto* responses = got.Metric("proxy.responses.total");
    ASSERT_NE(responses, nullptr);
    ASSERT_EQ(responses->sum().data_points_size(), 1);
    EXPECT_EQ(responses->sum().data_points(0).as_int(), 2);
    const auto labels = Attributes(responses->sum().data_points(0).attributes());
    EXPECT_EQ(labels.at("tome.operation"), "health_check");
    EXPECT_EQ(labels.at("http.status_code"), "200");
    for (const char* name : {"proxy.response_time_ms", "http.server.request.duration"}) {
        const auto* h = got.Metric(name);
        ASSERT_NE(h, nullptr) << name;
        ASSERT_EQ(h->histogram().data_points_size(), 1) << name;
        EXPECT_EQ(h->histogram().data_points(0).count(), 2u) << name;
    }
}

TEST(RequestHooks, ServerErrorsCarryErrorTypeAndStatus) {
    LoopbackReceiver rx;
    ProxyWithFacade f(rx.port());
    RequestInfo info;
    info.method = "POST";
    info.route = "/api/tomes/{id}/events";
    info.path = "/api/tomes/a/events";
    info.client_address = "127.0.0.1";
    RequestScope scope = f.tel->StartRequest(info);
    f.tel->EndRequest(scope, 503, "tome_event", "unavailable");
    ASSERT_TRUE(f.tel->Shutdown(std::chrono::seconds(10)));
    const auto got = Decode(rx);
    ASSERT_EQ(got.spans.size(), 1u);
    EXPECT_EQ(got.spans[0].name(), "POST /api/tomes/{id}/events");
    EXPECT_EQ(Attributes(got.spans[0].attributes()).at("error.type"), "unavailable");
    EXPECT_EQ(got.spans[0].status().code(), testing::otlp::trace::v1::Status::STATUS_CODE_ERROR);
    const auto* duration = got.Metric("http.server.request.duration");
    ASSERT_NE(duration, nullptr);
    const auto attributes = Attributes(duration->histogram().data_points(0).attributes());
    EXPECT_EQ(attributes.at("error.type"), "unavailable");
    // The HTTP metric conventions' required attributes.
    EXPECT_EQ(attributes.at("http.request.method"), "POST");
    EXPECT_EQ(attributes.at("url.scheme"), "http");
}

}  // namespace
}  // namespace tome::facade
