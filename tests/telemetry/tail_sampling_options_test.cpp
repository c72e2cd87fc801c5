// ParseTailSamplingOptions: the config names of the system tome follows, defaults, and errors
// that name the offending key.
#include <gtest/gtest.h>

#include "tome/telemetry/trace/tail_sampling_options.hpp"

namespace tome::telemetry::trace {
namespace {

using std::chrono::milliseconds;

TEST(TelemetryTailSamplingOptions, ParsesEveryKey) {
    auto ok = ParseTailSamplingOptions(R"({
        "errorSamplingRate": 0.5, "normalSamplingRate": 0.25, "highValueSamplingRate": 0.75,
        "latencyThresholdMs": 2000, "maxTraces": 50, "maxSpansPerTrace": 7,
        "decisionTimeoutMs": 1500,
        "customRules": [{"condition": "business.order_value >= 1001"},
                        {"condition": "span.kind == server and http.route == \"/pay\"",
                         "rate": 0.5}]})");
    ASSERT_TRUE(ok.ok()) << ok.message();
    const auto& o = ok.value();
    EXPECT_EQ(o.error_sampling_rate, 0.5);
    EXPECT_EQ(o.normal_sampling_rate, 0.25);
    EXPECT_EQ(o.high_value_sampling_rate, 0.75);
    EXPECT_EQ(o.latency_threshold, milliseconds(2000));
    EXPECT_EQ(o.max_traces, 50u);
    EXPECT_EQ(o.max_spans_per_trace, 7u);
    EXPECT_EQ(o.decision_timeout, milliseconds(1500));
    ASSERT_EQ(o.custom_rules.size(), 2u);
    EXPECT_FALSE(o.custom_rules[0].rate.has_value());
    EXPECT_EQ(o.custom_rules[1].rate, 0.5);
    EXPECT_EQ(o.custom_rules[1].condition.all_of.size(), 2u);

    EXPECT_EQ(ParseTailSamplingOptions("{}").value().normal_sampling_rate, 0.1);
    auto unknown = ParseTailSamplingOptions(R"({"normalSampleRate": 0.1})");
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.message().find("normalSampleRate"), std::string::npos);
    auto rate = ParseTailSamplingOptions(R"({"errorSamplingRate": 1.5})");
    ASSERT_FALSE(rate.ok());
    EXPECT_NE(rate.message().find("errorSamplingRate"), std::string::npos);
    auto cond = ParseTailSamplingOptions(R"({"customRules": [{"condition": "x >"}]})");
    ASSERT_FALSE(cond.ok());
    EXPECT_NE(cond.message().find("customRules[0].condition"), std::string::npos);
    EXPECT_FALSE(ParseTailSamplingOptions(R"({"maxTraces": 1.5})").ok());
    EXPECT_FALSE(ParseTailSamplingOptions(R"([1, 2])").ok());
    EXPECT_FALSE(ParseTailSamplingOptions(R"({"maxTraces": 10)").ok());
}

}  // namespace
}  // namespace tome::telemetry::trace
