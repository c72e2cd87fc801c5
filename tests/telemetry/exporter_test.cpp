#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tome/telemetry/export/simple_exporters.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace trace;

TEST(TelemetryInMemoryExporter, CollectsThroughProvider) {
    auto store = std::make_shared<InMemorySpanStore>();
    TracerProviderOptions o;
    o.processors.push_back(
        std::make_unique<SimpleSpanProcessor>(std::make_unique<InMemorySpanExporter>(store)));
    TracerProvider provider(std::move(o));
    provider.GetTracer("t").StartSpan("a").End();
    ASSERT_EQ(store->size(), 1u);
    EXPECT_EQ(store->Spans()[0].name, "a");
    EXPECT_TRUE(provider.Shutdown());
    provider.GetTracer("t").StartSpan("late").End();
    EXPECT_EQ(store->size(), 1u);
}

TEST(TelemetryConsoleExporter, OneJsonLinePerSpan) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        TracerProviderOptions o;
        o.processors.push_back(
            std::make_unique<SimpleSpanProcessor>(std::make_unique<ConsoleSpanExporter>(f)));
        TracerProvider provider(std::move(o));
        Tracer t = provider.GetTracer("console");
        Span s = t.StartSpan("first", {{"k", "v"}, {"n", 3}});
        s.AddEvent("e");
        s.SetStatus(StatusCode::kError, "bad");
        s.End();
        t.StartSpan("second").End();
    }
    std::rewind(f);
    char line[4096];
    std::vector<nlohmann::json> lines;
    while (std::fgets(line, sizeof line, f) != nullptr) lines.push_back(nlohmann::json::parse(line));
    std::fclose(f);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].at("name"), "first");
    EXPECT_EQ(lines[0].at("attributes").at("k"), "v");
    EXPECT_EQ(lines[0].at("attributes").at("n"), 3);
    EXPECT_EQ(lines[0].at("status"), "error");
    EXPECT_EQ(lines[0].at("trace_id").get<std::string>().size(), 32u);
    EXPECT_EQ(lines[0].at("events").size(), 1u);
    EXPECT_EQ(lines[1].at("name"), "second");
}

TEST(TelemetryResource, DefaultsEnvAndPrecedence) {
    auto env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "OTEL_RESOURCE_ATTRIBUTES")
            return "service.name=from-attrs,team=a%2Cb%3Dc, deployment.environment.name=staging";
        if (name == "OTEL_SERVICE_NAME") return "from-env";
        return std::nullopt;
    };
    auto r = MakeResource({}, env);
    ASSERT_TRUE(r.ok()) << r.message();
    const Resource& res = r.value();
    EXPECT_EQ(std::get<std::string>(*res.Find("service.name")), "from-env");
    EXPECT_EQ(std::get<std::string>(*res.Find("team")), "a,b=c");
    EXPECT_EQ(std::get<std::string>(*res.Find("deployment.environment.name")), "staging");
    EXPECT_EQ(std::get<std::string>(*res.Find("telemetry.sdk.name")), "tome");
    EXPECT_EQ(std::get<std::string>(*res.Find("telemetry.sdk.language")), "cpp");
    EXPECT_NE(res.Find("telemetry.sdk.version"), nullptr);
    EXPECT_NE(res.Find("host.name"), nullptr);
    EXPECT_GT(std::get<std::int64_t>(*res.Find("process.pid")), 0);
    EXPECT_EQ(std::get<std::string>(*res.Find("service.instance.id")).size(), 36u);

    ResourceOptions code;
    code.service_name = "from-code";
    code.service_version = "1.2.3";
    code.deployment_environment = "production";
    auto r2 = MakeResource(code, env);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(std::get<std::string>(*r2.value().Find("service.name")), "from-code");
    EXPECT_EQ(std::get<std::string>(*r2.value().Find("service.version")), "1.2.3");
    EXPECT_EQ(std::get<std::string>(*r2.value().Find("deployment.environment.name")),
              "production");

    auto fallback = MakeResource({}, EnvLookup{});
    ASSERT_TRUE(fallback.ok());
    EXPECT_EQ(std::get<std::string>(*fallback.value().Find("service.name")),
              "unknown_service:tome_telemetry_tests");

    auto bad = MakeResource({}, [](std::string_view n) -> std::optional<std::string> {
        if (n == "OTEL_RESOURCE_ATTRIBUTES") return "k=%zz";
        return std::nullopt;
    });
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.message().find("OTEL_RESOURCE_ATTRIBUTES"), std::string::npos);
}

TEST(TelemetryResource, MergeRules) {
    Resource a({{"k", std::string("a")}, {"x", std::int64_t{1}}}, "s1");
    Resource b({{"k", std::string("b")}}, "");
    auto m = a.Merge(b);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(std::get<std::string>(*m.value().Find("k")), "b");
    EXPECT_EQ(m.value().schema_url(), "s1");
    EXPECT_FALSE(a.Merge(Resource({}, "s2")).ok());
}

}  // namespace
}  // namespace tome::telemetry::exporter
