#include <gtest/gtest.h>

#include "tome/telemetry/trace/propagation.hpp"

namespace tome::telemetry::trace {
namespace {

constexpr std::string_view kTid = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSid = "00f067aa0ba902b7";

std::string Tp(std::string_view version = "00", std::string_view tid = kTid,
               std::string_view sid = kSid, std::string_view flags = "01") {
    return std::string(version) + "-" + std::string(tid) + "-" + std::string(sid) + "-" +
           std::string(flags);
}

TEST(TelemetryTraceParent, ValidAndInvalidHeaders) {
    auto ok = ParseTraceParent(Tp());
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->trace_id.ToHex(), kTid);
    EXPECT_EQ(ok->span_id.ToHex(), kSid);
    EXPECT_EQ(ok->trace_flags, 1);
    EXPECT_TRUE(ok->is_remote);
    EXPECT_TRUE(ParseTraceParent(" " + Tp() + "\t"));  // OWS

    EXPECT_FALSE(ParseTraceParent(Tp("ff")));                      // version ff invalid
    EXPECT_FALSE(ParseTraceParent(Tp("0g")));                      // bad hex version
    EXPECT_FALSE(ParseTraceParent(Tp("00") + "-extra"));           // v00 must be 55 chars
    EXPECT_FALSE(ParseTraceParent(Tp().substr(0, 54)));            // too short
    EXPECT_FALSE(ParseTraceParent(Tp("00", "4BF92F3577B34DA6A3CE929D0E0E4736")));  // upper
    EXPECT_FALSE(ParseTraceParent(Tp("00", std::string(32, '0'))));  // zero trace id
    EXPECT_FALSE(ParseTraceParent(Tp("00", kTid, std::string(16, '0'))));  // zero span id
    EXPECT_FALSE(ParseTraceParent(Tp("00", kTid, kSid, "0x")));
    EXPECT_FALSE(ParseTraceParent(Tp("00", kTid.substr(1), kSid) + "0"));  // misplaced dash
    std::string bad_sep = Tp();
    bad_sep[2] = '_';
    EXPECT_FALSE(ParseTraceParent(bad_sep));

    // Future versions: lenient, the extra part must follow a '-'.
    auto future = ParseTraceParent(Tp("cc") + "-what-the-future-holds");
    ASSERT_TRUE(future);
    EXPECT_EQ(future->span_id.ToHex(), kSid);
    EXPECT_TRUE(ParseTraceParent(Tp("cc")));
    EXPECT_FALSE(ParseTraceParent(Tp("cc") + "x"));
}

TEST(TelemetryTraceState, GrammarAndLimits) {
    auto ts = TraceState::Parse("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE,,tenant@vendor=x");
    ASSERT_TRUE(ts);
    EXPECT_EQ(ts->header(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,tenant@vendor=x");
    EXPECT_EQ(ts->Get("congo"), "t61rcWkgMzE");
    EXPECT_FALSE(ts->Get("nope"));

    EXPECT_FALSE(TraceState::Parse("Upper=1"));           // uppercase key
    EXPECT_FALSE(TraceState::Parse("k=v=w"));             // '=' in value
    EXPECT_FALSE(TraceState::Parse("k=a,k=b"));           // duplicate key
    EXPECT_TRUE(TraceState::Parse("k=trailing "));        // trailing space is OWS
    EXPECT_FALSE(TraceState::IsValidValue("trailing "));  // but a value cannot end with one
    EXPECT_TRUE(TraceState::IsValidValue("in side"));
    EXPECT_FALSE(TraceState::Parse("nokey"));
    EXPECT_FALSE(TraceState::Parse("1abc=x"));            // simple key starts with a digit
    EXPECT_TRUE(TraceState::Parse("1abc@sys=x"));         // tenant may start with a digit
    EXPECT_FALSE(TraceState::Parse("t@" + std::string(15, 's') + "=x"));  // system-id > 14
    EXPECT_FALSE(TraceState::Parse(std::string(257, 'a') + "=x"));

    std::string members;
    for (int i = 0; i < 32; ++i) members += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
    EXPECT_TRUE(TraceState::Parse(members));
    EXPECT_FALSE(TraceState::Parse(members + ",k32=v"));  // 33 members

    TraceState updated = ts->Set("congo", "new");
    EXPECT_EQ(updated.header(), "congo=new,rojo=00f067aa0ba902b7,tenant@vendor=x");
    EXPECT_EQ(updated.Delete("rojo").header(), "congo=new,tenant@vendor=x");
    EXPECT_EQ(updated.Set("Bad", "x"), updated);
}

TEST(TelemetryPropagation, TraceContextRoundTrip) {
    auto prop = MakeTraceContextPropagator();
    MapCarrier in;
    in.Set("TraceParent", Tp("00", kTid, kSid, "01"));
    in.Set("tracestate", "a=1,b=2");
    Context ctx = prop->Extract(in, Context{});
    ASSERT_TRUE(ctx.span_context.IsValid());
    EXPECT_TRUE(ctx.span_context.is_remote);
    EXPECT_EQ(ctx.span_context.trace_state.header(), "a=1,b=2");

    MapCarrier out;
    prop->Inject(ctx, out);
    EXPECT_EQ(out.headers["traceparent"], Tp("00", kTid, kSid, "01"));
    EXPECT_EQ(out.headers["tracestate"], "a=1,b=2");

    MapCarrier bad_state;
    bad_state.Set("traceparent", Tp());
    bad_state.Set("tracestate", "a=1,A=2");
    Context c2 = prop->Extract(bad_state, Context{});
    EXPECT_TRUE(c2.span_context.IsValid());
    EXPECT_TRUE(c2.span_context.trace_state.empty());  // dropped entirely

    MapCarrier invalid;
    invalid.Set("traceparent", Tp("ff"));
    invalid.Set("tracestate", "a=1");
    EXPECT_FALSE(prop->Extract(invalid, Context{}).span_context.IsValid());

    MapCarrier none;
    prop->Inject(Context{}, none);
    EXPECT_TRUE(none.headers.empty());
}

TEST(TelemetryBaggage, ParseEncodeAndLimits) {
    Baggage b = ParseBaggage("userId=alice, serverNode = DF%2028 ;prop=1, bad key=x, isProd=false");
    EXPECT_EQ(b.size(), 3u);
    EXPECT_EQ(b.Get("userId"), "alice");
    EXPECT_EQ(b.Get("serverNode"), "DF 28");
    EXPECT_EQ(b.entries()[1].metadata, "prop=1");
    EXPECT_EQ(b.Get("isProd"), "false");

    Baggage enc = Baggage().Set("k", "a b,c;d=%\xC3\xA9");
    EXPECT_EQ(FormatBaggage(enc), "k=a%20b%2Cc%3Bd=%25%C3%A9");
    EXPECT_EQ(ParseBaggage(FormatBaggage(enc)).Get("k"), "a b,c;d=%\xC3\xA9");

    std::string many;
    for (int i = 0; i < 100; ++i) many += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
    EXPECT_EQ(ParseBaggage(many).size(), kMaxBaggageMembers);

    Baggage big;
    for (int i = 0; i < 4; ++i) big = big.Set("k" + std::to_string(i), std::string(3000, 'x'));
    const std::string header = FormatBaggage(big);
    EXPECT_LE(header.size(), kMaxBaggageBytes);
    EXPECT_EQ(ParseBaggage(header).size(), 2u);

    auto prop = MakeBaggagePropagator();
    MapCarrier c;
    prop->Inject(Context{}.WithBaggage(Baggage().Set("a", "1")), c);
    EXPECT_EQ(c.headers["baggage"], "a=1");
    EXPECT_EQ(prop->Extract(c, Context{}).baggage.Get("a"), "1");
}

// W3C baggage: "percent-encoded octet sequences that do not match the UTF-8 encoding scheme
// MUST be replaced with the replacement code point (U+FFFD)".
TEST(TelemetryBaggage, DecodedOctetsThatAreNotUtf8BecomeReplacementCharacters) {
    const std::string r = "\xEF\xBF\xBD";
    const Baggage b = ParseBaggage("a=%FF%FEx,b=caf%C3%A9,c=%ED%A0%80,d=%F0%9F%98");
    EXPECT_EQ(b.Get("a"), r + r + "x");
    EXPECT_EQ(b.Get("b"), "caf\xC3\xA9");
    EXPECT_EQ(b.Get("c"), r + r + r);
    EXPECT_EQ(b.Get("d"), r);
}

TEST(TelemetryPropagation, CompositeAndEnv) {
    auto env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "OTEL_PROPAGATORS") return "TraceContext, baggage, b3, bogus, baggage";
        return std::nullopt;
    };
    auto made = MakePropagatorFromEnv(env);
    ASSERT_NE(made.propagator, nullptr);
    EXPECT_EQ(made.propagator->Fields(),
              (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
    ASSERT_EQ(made.warnings.size(), 2u);
    EXPECT_NE(made.warnings[0].find("'b3' is not supported"), std::string::npos);
    EXPECT_NE(made.warnings[1].find("unknown propagator 'bogus'"), std::string::npos);

    auto defaults = MakePropagatorFromEnv([](std::string_view) { return std::nullopt; });
    EXPECT_EQ(defaults.propagator->Fields().size(), 3u);
    EXPECT_TRUE(defaults.warnings.empty());
    auto none = MakePropagatorFromEnv(
        [](std::string_view) -> std::optional<std::string> { return "none"; });
    EXPECT_TRUE(none.propagator->Fields().empty());

    MapCarrier c;
    c.Set("traceparent", Tp());
    c.Set("baggage", "x=y");
    Context ctx = made.propagator->Extract(c, Context{});
    EXPECT_TRUE(ctx.span_context.IsValid());
    EXPECT_EQ(ctx.baggage.Get("x"), "y");
}

}  // namespace
}  // namespace tome::telemetry::trace
