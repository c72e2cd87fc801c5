// The connector's spans read business context from the parent Context's baggage: `business.*`
// entries become attributes (typed by `type=` metadata), other entries never do. In-memory span
// store with a simple processor (spans are there at End); no sleeps.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "test_network.hpp"
#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::connector {
namespace {

namespace trace = telemetry::trace;
using testing::TestNetwork;

struct Spans {
    Spans() {
        trace::TracerProviderOptions options;
        options.processors.push_back(std::make_unique<trace::SimpleSpanProcessor>(
            std::make_unique<telemetry::exporter::InMemorySpanExporter>(store)));
        tracer = std::make_shared<trace::TracerProvider>(std::move(options));
    }
    ConnectorOptions Options() const {
        ConnectorOptions options;
        options.tracer_provider = tracer;
        return options;
    }
    std::shared_ptr<telemetry::exporter::InMemorySpanStore> store =
        std::make_shared<telemetry::exporter::InMemorySpanStore>();
    std::shared_ptr<trace::TracerProvider> tracer;
};

TEST(BusinessContext, ForwardSpansCarryBusinessBaggageOfTheCurrentContext) {
    Spans sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b", "c"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.connector.Connect("b", "c", {}).ok());
    sdk.store->Clear();

    const trace::Baggage baggage = trace::Baggage()
                                       .Set("business.customer_id", "c-42")
                                       .Set("business.order_value", "1500", "type=int")
                                       .Set("business.ratio", "0.25", "type=double")
                                       .Set("business.bad_int", "12x", "type=int")
                                       .Set("tenant", "t-1");
    {
        trace::Scope scope(trace::Context::Current().WithBaggage(baggage));
        ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}, {}).ok());
    }
    std::size_t forwards = 0;
    for (const auto& s : sdk.store->Spans()) {
        if (s.name != "event.forward") continue;
        ++forwards;
        const auto* customer = trace::FindAttribute(s.attributes, "business.customer_id");
        ASSERT_NE(customer, nullptr);
        EXPECT_EQ(std::get<std::string>(*customer), "c-42");
        const auto* value = trace::FindAttribute(s.attributes, "business.order_value");
        ASSERT_NE(value, nullptr);
        ASSERT_TRUE(std::holds_alternative<std::int64_t>(*value));
        EXPECT_EQ(std::get<std::int64_t>(*value), 1500);
        const auto* ratio = trace::FindAttribute(s.attributes, "business.ratio");
        ASSERT_NE(ratio, nullptr);
        ASSERT_TRUE(std::holds_alternative<double>(*ratio));
        EXPECT_EQ(std::get<double>(*ratio), 0.25);
        // Malformed typed values fall back to strings.
        const auto* bad = trace::FindAttribute(s.attributes, "business.bad_int");
        ASSERT_NE(bad, nullptr);
        EXPECT_EQ(std::get<std::string>(*bad), "12x");
        EXPECT_EQ(trace::FindAttribute(s.attributes, "tenant"), nullptr);
    }
    EXPECT_EQ(forwards, 3u);
}

TEST(BusinessContext, NoBaggageNoBusinessAttributes) {
    Spans sdk;
    TestNetwork net(sdk.Options());
    net.AddTomes({"a", "b"});
    ASSERT_TRUE(net.connector.Connect("a", "b", {}).ok());
    ASSERT_TRUE(net.connector.SendEvent("a", {"PING"}, {}).ok());
    for (const auto& s : sdk.store->Spans()) {
        for (const auto& a : s.attributes) EXPECT_FALSE(a.key.starts_with("business.")) << a.key;
    }
}

}  // namespace
}  // namespace tome::connector
