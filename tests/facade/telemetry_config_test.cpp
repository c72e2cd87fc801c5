// TelemetryConfig and Telemetry::Create: validation errors name the field, header values are
// expanded from the lookup at Create and never shown, head sampling follows sampling_rate.
// No sockets: nothing is exported (no endpoint).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tome/facade/telemetry.hpp"

namespace tome::facade {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view k) -> std::optional<std::string> {
        auto it = vars.find(std::string(k));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

TelemetryConfig Quiet(telemetry::SelfStats& stats) {
    TelemetryConfig c;
    c.log_console = false;
    c.self_stats = &stats;
    return c;
}

TEST(TelemetryConfig, BadFieldsAreErrorsNamingTheField) {
    struct Case {
        std::function<void(TelemetryConfig&)> change;
        std::string field;
    };
    const std::vector<Case> cases = {
        {[](TelemetryConfig& c) { c.sampling_rate = 1.5; }, "telemetry.sampling_rate"},
        {[](TelemetryConfig& c) { c.sampling_rate = -0.1; }, "telemetry.sampling_rate"},
        {[](TelemetryConfig& c) { c.max_export_batch_size = 4096; }, "telemetry.max_export_batch_size"},
        {[](TelemetryConfig& c) { c.max_queue_size = 0; }, "telemetry.max_queue_size"},
        {[](TelemetryConfig& c) { c.export_timeout = std::chrono::milliseconds(0); },
         "telemetry.export_timeout"},
        {[](TelemetryConfig& c) { c.service_name.clear(); }, "telemetry.service_name"},
        {[](TelemetryConfig& c) { c.protocol = "carrier-pigeon"; }, "telemetry.protocol"},
        {[](TelemetryConfig& c) { c.endpoint = "collector:4318"; }, "telemetry.endpoint"},
        {[](TelemetryConfig& c) { c.log_level = "loud"; }, "telemetry.log_level"},
        {[](TelemetryConfig& c) { c.headers["bad name"] = "x"; }, "telemetry.headers"},
    };
    for (const auto& test : cases) {
        telemetry::SelfStats stats;
        TelemetryConfig c = Quiet(stats);
        test.change(c);
        auto t = Telemetry::Create(c, Env({}));
        ASSERT_FALSE(t.ok()) << test.field;
        EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
        EXPECT_NE(t.status().message().find(test.field), std::string::npos) << t.status().message();
    }
}

TEST(TelemetryConfig, BadOtelVariableIsAnErrorNamingIt) {
    telemetry::SelfStats stats;
    auto t = Telemetry::Create(Quiet(stats), Env({{"OTEL_TRACES_SAMPLER", "sometimes"}}));
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.status().message().find("OTEL_TRACES_SAMPLER"), std::string::npos);
}

TEST(TelemetryConfig, HeaderVariablesAreExpandedAndTheValueIsNeverShown) {
    auto v = ExpandHeaderValue("authorization", "Bearer ${API_KEY}", Env({{"API_KEY", "s3cret"}}));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, "Bearer s3cret");
    auto two = ExpandHeaderValue("x", "${A}-${B}", Env({{"A", "1"}, {"B", "2"}}));
    ASSERT_TRUE(two.ok());
    EXPECT_EQ(*two, "1-2");

    telemetry::SelfStats stats;
    TelemetryConfig c = Quiet(stats);
    c.headers["authorization"] = "Bearer ${API_KEY}";
    c.otel["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] = "x-other=hidden-too";
    auto t = Telemetry::Create(c, Env({{"API_KEY", "s3cret"}}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const std::string described = (*t)->DescribeConfig().dump();
    EXPECT_EQ(described.find("s3cret"), std::string::npos) << described;
    EXPECT_EQ(described.find("Bearer"), std::string::npos) << described;
    EXPECT_EQ(described.find("hidden-too"), std::string::npos) << described;
    EXPECT_NE(described.find("authorization"), std::string::npos) << described;
    const std::string stats_json = (*t)->Stats().ToJson().dump();
    EXPECT_EQ(stats_json.find("s3cret"), std::string::npos);
    // The expanded value does reach the OTEL_* defaults the SDK is built from.
    const auto defaults = ToOtelDefaults(c, {{"authorization", "Bearer s3cret"}});
    EXPECT_EQ(defaults.at("OTEL_EXPORTER_OTLP_HEADERS"), "authorization=Bearer s3cret");
}

TEST(TelemetryConfig, MissingHeaderVariableNamesHeaderAndVariableButNotTheValue) {
    telemetry::SelfStats stats;
    TelemetryConfig c = Quiet(stats);
    c.headers["authorization"] = "Bearer-prefix ${API_KEY}";
    auto t = Telemetry::Create(c, Env({}));
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
    const std::string m = t.status().message();
    EXPECT_NE(m.find("authorization"), std::string::npos) << m;
    EXPECT_NE(m.find("API_KEY is not set"), std::string::npos) << m;
    EXPECT_EQ(m.find("Bearer-prefix"), std::string::npos) << m;

    auto unclosed = ExpandHeaderValue("x-api-key", "${API_KEY", Env({}));
    ASSERT_FALSE(unclosed.ok());
    EXPECT_NE(unclosed.status().message().find("x-api-key"), std::string::npos);
}

TEST(TelemetryConfig, EnvironmentWinsOverTheConfig) {
    telemetry::SelfStats stats;
    TelemetryConfig c = Quiet(stats);
    c.sampling_rate = 0.0;
    // The config says "record nothing"; the standard variable says "everything".
    auto t = Telemetry::Create(c, Env({{"OTEL_TRACES_SAMPLER", "always_on"}}));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    (*t)->StartSpan("s").End();
    EXPECT_EQ((*t)->Stats().spans_sampled, 1u);
}

TEST(Telemetry, SamplingRateZeroRecordsNothingAndOneRecordsEverything) {
    for (const double rate : {0.0, 1.0}) {
        telemetry::SelfStats stats;
        TelemetryConfig c = Quiet(stats);
        c.sampling_rate = rate;
        auto t = Telemetry::Create(c, Env({}));
        ASSERT_TRUE(t.ok()) << t.status().ToString();
        for (int i = 0; i < 50; ++i) {
            auto span = (*t)->StartSpan("op", {{"i", static_cast<std::int64_t>(i)}});
            EXPECT_EQ(span.IsRecording(), rate == 1.0);
            span.End();
        }
        const TelemetryStats s = (*t)->Stats();
        EXPECT_EQ(s.spans_started, 50u) << rate;
        EXPECT_EQ(s.spans_sampled, rate == 1.0 ? 50u : 0u) << rate;
        EXPECT_EQ(s.spans_ended, rate == 1.0 ? 50u : 0u) << rate;
    }
}

TEST(Telemetry, InstrumentsWithBadNamesAreErrorsNamingThem) {
    telemetry::SelfStats stats;
    auto t = Telemetry::Create(Quiet(stats), Env({}));
    ASSERT_TRUE(t.ok());
    auto bad = (*t)->CreateCounter<std::uint64_t>("9starts.with.digit");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("9starts.with.digit"), std::string::npos);
    ASSERT_TRUE((*t)->CreateCounter<std::uint64_t>("orders").ok());
    auto clash = (*t)->CreateHistogram<double>("orders");
    EXPECT_FALSE(clash.ok());
}

TEST(Telemetry, AddEventNeedsARecordingCurrentSpan) {
    telemetry::SelfStats stats;
    auto t = Telemetry::Create(Quiet(stats), Env({}));
    ASSERT_TRUE(t.ok());
    EXPECT_FALSE((*t)->AddEvent("nothing.current"));
    auto span = (*t)->StartSpan("outer");
    {
        SpanScope scope(span);
        EXPECT_TRUE((*t)->AddEvent("inside"));
        auto child = (*t)->StartSpan("child");
        EXPECT_EQ(child.GetContext().trace_id, span.GetContext().trace_id);
        {
            // A current span the facade did not make current: not ours to touch.
            telemetry::trace::Scope foreign(child.ToContext());
            EXPECT_FALSE((*t)->AddEvent("foreign"));
        }
    }
    EXPECT_FALSE((*t)->AddEvent("after"));
}

TEST(Telemetry, ShutdownIsIdempotentAndLaterCallsAreHarmless) {
    telemetry::SelfStats stats;
    auto t = Telemetry::Create(Quiet(stats), Env({}));
    ASSERT_TRUE(t.ok());
    EXPECT_TRUE((*t)->Shutdown(std::chrono::seconds(1)));
    EXPECT_TRUE((*t)->Shutdown(std::chrono::seconds(1)));
    auto span = (*t)->StartSpan("late");
    EXPECT_FALSE(span.IsRecording());
    (*t)->Log(telemetry::logs::Severity::kError, "after shutdown");
}

TEST(Telemetry, InstallGlobalSetsAndTheDestructorRestoresTheProviders) {
    telemetry::SelfStats stats;
    {
        auto t = Telemetry::Create(Quiet(stats), Env({}));
        ASSERT_TRUE(t.ok());
        (*t)->InstallGlobal();
        EXPECT_EQ(telemetry::trace::GetTracerProvider(), (*t)->shared_tracer_provider());
        EXPECT_EQ(telemetry::metrics::GetMeterProvider(), (*t)->shared_meter_provider());
    }
    EXPECT_TRUE(telemetry::trace::GetTracerProvider()->is_noop());
    EXPECT_TRUE(telemetry::metrics::GetMeterProvider()->is_noop());
}

}  // namespace
}  // namespace tome::facade
