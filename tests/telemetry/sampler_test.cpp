#include <gtest/gtest.h>

#include "tome/telemetry/trace/rule_sampler.hpp"
#include "tome/telemetry/trace/sampler.hpp"

namespace tome::telemetry::trace {
namespace {

TraceId IdWithRandomness(std::uint64_t r) {
    TraceId id;
    id.bytes[0] = 0xAB;  // ignored bytes
    id.bytes[8] = 0xCD;
    for (int i = 15; i >= 9; --i) {
        id.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(r & 0xFF);
        r >>= 8;
    }
    return id;
}

SamplingParams Params(TraceId id, std::span<const AttributeKV> attrs = {},
                      std::string_view name = "op", SpanKind kind = SpanKind::kInternal) {
    SamplingParams p;
    p.trace_id = id;
    p.attributes = attrs;
    p.name = name;
    p.kind = kind;
    return p;
}

bool Sampled(const Sampler& s, const SamplingParams& p) {
    return s.ShouldSample(p).decision == SamplingDecision::kRecordAndSample;
}

TEST(TelemetrySampler, AlwaysOnOffDescriptions) {
    EXPECT_EQ(MakeAlwaysOnSampler()->Description(), "AlwaysOnSampler");
    EXPECT_EQ(MakeAlwaysOffSampler()->Description(), "AlwaysOffSampler");
    EXPECT_EQ(MakeTraceIdRatioSampler(0.25)->Description(), "TraceIdRatioBased{0.250000}");
    EXPECT_TRUE(Sampled(*MakeAlwaysOnSampler(), Params(GenerateTraceId())));
    EXPECT_FALSE(Sampled(*MakeAlwaysOffSampler(), Params(GenerateTraceId())));
}

TEST(TelemetrySampler, RandomnessIsLast56BitsBigEndian) {
    TraceId id = IdWithRandomness(0x00123456789abcdeULL);
    EXPECT_EQ(TraceIdRandomness(id), 0x00123456789abcdeULL);
    EXPECT_EQ(ProbabilityToThreshold(1.0), 0u);
    EXPECT_EQ(ProbabilityToThreshold(0.0), 1ULL << 56);
    EXPECT_EQ(ProbabilityToThreshold(0.5), 1ULL << 55);
    // Spec example: 1% gives threshold fd70a3d70a3d71 (th:fd70a4 when rounded to 6 digits).
    EXPECT_EQ(ProbabilityToThreshold(0.01), 0xfd70a3d70a3d71ULL);
}

TEST(TelemetrySampler, RatioComparesThreshold) {
    auto half = MakeTraceIdRatioSampler(0.5);
    EXPECT_TRUE(Sampled(*half, Params(IdWithRandomness(1ULL << 55))));         // R == T
    EXPECT_FALSE(Sampled(*half, Params(IdWithRandomness((1ULL << 55) - 1))));  // R < T
    EXPECT_TRUE(Sampled(*half, Params(IdWithRandomness((1ULL << 56) - 1))));
    EXPECT_FALSE(Sampled(*MakeTraceIdRatioSampler(0.0), Params(IdWithRandomness((1ULL << 56) - 1))));
    EXPECT_TRUE(Sampled(*MakeTraceIdRatioSampler(1.0), Params(IdWithRandomness(0))));
}

TEST(TelemetrySampler, RatioIsConsistentSupersetAndIgnoresParent) {
    auto low = MakeTraceIdRatioSampler(0.1);
    auto high = MakeTraceIdRatioSampler(0.6);
    int low_count = 0;
    for (int i = 0; i < 5000; ++i) {
        SamplingParams p = Params(GenerateTraceId());
        SpanContext parent{p.trace_id, GenerateSpanId(), 0, {}, true};  // not sampled
        p.parent = &parent;
        const bool l = Sampled(*low, p);
        low_count += l ? 1 : 0;
        if (l) {
            EXPECT_TRUE(Sampled(*high, p));
        }
        EXPECT_EQ(l, Sampled(*low, p));  // deterministic
    }
    EXPECT_GT(low_count, 350);
    EXPECT_LT(low_count, 650);
}

TEST(TelemetrySampler, ParentBasedPicksDelegate) {
    ParentBasedDelegates d;
    d.remote_parent_sampled = MakeAlwaysOffSampler();     // inverted on purpose
    d.remote_parent_not_sampled = MakeAlwaysOnSampler();
    auto s = MakeParentBasedSampler(MakeAlwaysOffSampler(), std::move(d));
    SamplingParams p = Params(GenerateTraceId());
    EXPECT_FALSE(Sampled(*s, p));  // root -> AlwaysOff
    SpanContext parent{p.trace_id, GenerateSpanId(), kTraceFlagSampled, {}, true};
    p.parent = &parent;
    EXPECT_FALSE(Sampled(*s, p));  // remote sampled -> (inverted) off
    parent.trace_flags = 0;
    EXPECT_TRUE(Sampled(*s, p));  // remote not sampled -> (inverted) on
    parent.is_remote = false;
    EXPECT_FALSE(Sampled(*s, p));  // local not sampled -> default off
    parent.trace_flags = kTraceFlagSampled;
    EXPECT_TRUE(Sampled(*s, p));  // local sampled -> default on
    EXPECT_NE(s->Description().find("ParentBased{root=AlwaysOffSampler"), std::string::npos);
}

TEST(TelemetryRuleSampler, ParsesAndMatchesConditions) {
    auto c = Condition::Parse("business.order_value > 1000");
    ASSERT_TRUE(c.ok()) << c.message();
    const AttributeKV big[] = {{"business.order_value", 1500}};
    const AttributeKV small[] = {{"business.order_value", 999.5}};
    const AttributeKV wrong_type[] = {{"business.order_value", "2000"}};
    EXPECT_TRUE(c.value().Matches(Params(GenerateTraceId(), big)));
    EXPECT_FALSE(c.value().Matches(Params(GenerateTraceId(), small)));
    EXPECT_FALSE(c.value().Matches(Params(GenerateTraceId(), wrong_type)));
    EXPECT_FALSE(c.value().Matches(Params(GenerateTraceId())));  // missing

    auto tier = Condition::Parse(R"(business.customer_tier in ["gold", "premium"])");
    ASSERT_TRUE(tier.ok()) << tier.message();
    const AttributeKV gold[] = {{"business.customer_tier", "gold"}};
    const AttributeKV basic[] = {{"business.customer_tier", "basic"}};
    EXPECT_TRUE(tier.value().Matches(Params(GenerateTraceId(), gold)));
    EXPECT_FALSE(tier.value().Matches(Params(GenerateTraceId(), basic)));

    auto both = Condition::Parse(R"(span.kind == server and name != "GET /x" && flag == true)");
    ASSERT_TRUE(both.ok()) << both.message();
    const AttributeKV flag[] = {{"flag", true}};
    EXPECT_TRUE(both.value().Matches(Params(GenerateTraceId(), flag, "GET /y", SpanKind::kServer)));
    EXPECT_FALSE(both.value().Matches(Params(GenerateTraceId(), flag, "GET /x", SpanKind::kServer)));
    EXPECT_FALSE(both.value().Matches(Params(GenerateTraceId(), flag, "GET /y", SpanKind::kClient)));

    for (const char* text : {"a >= 2", "a <= 2", "a < 3", "a == 2", "a != 5", "a in [1, 2]"}) {
        const AttributeKV two[] = {{"a", 2}};
        auto cc = Condition::Parse(text);
        ASSERT_TRUE(cc.ok()) << text << ": " << cc.message();
        EXPECT_TRUE(cc.value().Matches(Params(GenerateTraceId(), two))) << text;
    }
}

TEST(TelemetryRuleSampler, ParseErrorsNamePosition) {
    auto e1 = Condition::Parse("a >> 3");
    ASSERT_FALSE(e1.ok());
    EXPECT_EQ(e1.message(), "position 3: expected a value");
    auto e2 = Condition::Parse("a ~ 3");
    ASSERT_FALSE(e2.ok());
    EXPECT_EQ(e2.message(), "position 2: expected an operator (== != > >= < <= in)");
    auto e3 = ParseSamplingRules(R"(http.route == "/x" => 1.5)");
    ASSERT_FALSE(e3.ok());
    EXPECT_EQ(e3.message(), "position 22: rate must be between 0 and 1");
    auto e4 = ParseSamplingRules(R"(a == "unterminated => 1)");
    ASSERT_FALSE(e4.ok());
    EXPECT_NE(e4.message().find("unterminated string"), std::string::npos);
    auto e5 = Condition::Parse("kind == sideways");
    ASSERT_FALSE(e5.ok());
    EXPECT_NE(e5.message().find("position 0"), std::string::npos);
}

TEST(TelemetryRuleSampler, FirstMatchingRuleWinsElseFallback) {
    auto opts = ParseSamplingRules(
        R"(http.route == "/api/health" => 0; business.order_value > 1000 => 1;
           business.customer_tier == "premium" => 1; * => 0.0)");
    ASSERT_TRUE(opts.ok()) << opts.message();
    EXPECT_EQ(opts.value().rules.size(), 3u);
    EXPECT_EQ(opts.value().fallback_rate, 0.0);
    auto s = MakeRuleBasedSampler(std::move(opts).value());
    const AttributeKV health[] = {{"http.route", "/api/health"}, {"business.order_value", 5000}};
    const AttributeKV big[] = {{"business.order_value", 5000}};
    const AttributeKV premium[] = {{"business.customer_tier", "premium"}};
    const AttributeKV other[] = {{"business.customer_tier", "basic"}};
    for (int i = 0; i < 50; ++i) {
        const TraceId id = GenerateTraceId();
        EXPECT_FALSE(Sampled(*s, Params(id, health)));  // first rule wins
        EXPECT_TRUE(Sampled(*s, Params(id, big)));
        EXPECT_TRUE(Sampled(*s, Params(id, premium)));
        EXPECT_FALSE(Sampled(*s, Params(id, other)));
    }
    EXPECT_EQ(s->Description(), "RuleBased{3 rules,fallback=0.000000}");
}

TEST(TelemetryRuleSampler, RateUsesTraceIdConsistentTest) {
    auto opts = ParseSamplingRules("a == 1 => 0.5; * => 1");
    ASSERT_TRUE(opts.ok()) << opts.message();
    auto s = MakeRuleBasedSampler(std::move(opts).value());
    const AttributeKV one[] = {{"a", 1}};
    EXPECT_TRUE(Sampled(*s, Params(IdWithRandomness(1ULL << 55), one)));
    EXPECT_FALSE(Sampled(*s, Params(IdWithRandomness((1ULL << 55) - 1), one)));
}

}  // namespace
}  // namespace tome::telemetry::trace
