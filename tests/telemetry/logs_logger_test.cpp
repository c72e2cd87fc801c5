#include <gtest/gtest.h>

#include "tome/telemetry/logs/log_record_pool.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/logs/redaction.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::logs {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kNow = 1'795'507'200'123'000'000;  // 2026-11-24T08:00:00.123Z

struct Harness {
    std::shared_ptr<InMemoryLogExporter::Storage> storage;
    std::shared_ptr<LoggerProvider> provider;
};

Harness Make(Severity min = Severity::kTrace, RedactionOptions redaction = {}) {
    auto exporter = std::make_unique<InMemoryLogExporter>();
    Harness h{exporter->storage(), nullptr};
    LoggerProviderOptions o;
    o.min_severity = min;
    o.resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("tome")}});
    o.processors.push_back(std::make_unique<SimpleLogProcessor>(std::move(exporter)));
    o.redaction = std::move(redaction);
    o.now_unix_nano = [] { return kNow; };
    h.provider = MakeLoggerProvider(std::move(o));
    return h;
}

trace::SpanContext SomeSpan() {
    trace::SpanContext sc;
    sc.trace_id = *TraceId::FromHex("0af7651916cd43dd8448eb211c80319c");
    sc.span_id = *SpanId::FromHex("b7ad6b7169203331");
    sc.trace_flags = trace::kTraceFlagSampled;
    return sc;
}

TEST(LogSeverity, NamesFollowTheDataModel) {
    EXPECT_EQ(SeverityShortName(Severity::kInfo), "INFO");
    EXPECT_EQ(SeverityShortName(static_cast<Severity>(10)), "INFO2");
    EXPECT_EQ(SeverityShortName(static_cast<Severity>(24)), "FATAL4");
    EXPECT_EQ(SeverityShortName(static_cast<Severity>(25)), "UNSPECIFIED");
    EXPECT_EQ(SeverityLevelName(static_cast<Severity>(4)), "trace");
    EXPECT_EQ(SeverityLevelName(static_cast<Severity>(8)), "debug");
    EXPECT_EQ(SeverityLevelName(Severity::kWarn), "warn");
    EXPECT_EQ(SeverityLevelName(static_cast<Severity>(20)), "error");
    EXPECT_EQ(SeverityLevelName(Severity::kFatal), "fatal");
}

TEST(LogSeverity, LevelNamesParseToTheFirstSeverityOfTheirRange) {
    EXPECT_EQ(SeverityFromLevelName("trace"), Severity::kTrace);
    EXPECT_EQ(SeverityFromLevelName("debug"), Severity::kDebug);
    EXPECT_EQ(SeverityFromLevelName("info"), Severity::kInfo);
    EXPECT_EQ(SeverityFromLevelName("warn"), Severity::kWarn);
    EXPECT_EQ(SeverityFromLevelName("error"), Severity::kError);
    EXPECT_EQ(SeverityFromLevelName("fatal"), Severity::kFatal);
    EXPECT_EQ(SeverityFromLevelName("WARN"), std::nullopt);
    EXPECT_EQ(SeverityFromLevelName("warning"), std::nullopt);
    EXPECT_EQ(SeverityFromLevelName(""), std::nullopt);
}

TEST(Logger, StampsScopeResourceTimestampsAndAttributes) {
    auto h = Make();
    auto logger = h.provider->GetLogger("tome.connector", "1.2.3");
    logger->Info("Connection created successfully", {{"connection.id", 42}, {"peer", "a"}});
    auto recs = h.storage->Snapshot();
    ASSERT_EQ(recs.size(), 1u);
    const LogRecord& r = recs[0];
    EXPECT_EQ(r.severity, Severity::kInfo);
    ASSERT_NE(r.body.AsString(), nullptr);
    EXPECT_EQ(*r.body.AsString(), "Connection created successfully");
    EXPECT_EQ(r.time_unix_nano, kNow);
    EXPECT_EQ(r.observed_time_unix_nano, kNow);
    ASSERT_TRUE(r.scope && r.resource);
    EXPECT_EQ(r.scope->name, "tome.connector");
    EXPECT_EQ(r.scope->version, "1.2.3");
    ASSERT_EQ(r.attributes.size(), 2u);
    EXPECT_EQ(r.attributes[0], (LogKeyValue{"connection.id", LogValue(std::int64_t{42})}));
    EXPECT_EQ(r.attributes[1], (LogKeyValue{"peer", LogValue("a")}));
    EXPECT_FALSE(r.trace_id.IsValid());  // no active span
}

TEST(Logger, TakesTraceContextFromTheCurrentContext) {
    auto h = Make();
    auto logger = h.provider->GetLogger("t");
    {
        trace::Scope scope(trace::Context{}.WithSpanContext(SomeSpan()));
        logger->Warn("inside");
    }
    logger->Warn("outside");
    auto recs = h.storage->Snapshot();
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].trace_id, SomeSpan().trace_id);
    EXPECT_EQ(recs[0].span_id, SomeSpan().span_id);
    EXPECT_EQ(recs[0].trace_flags, trace::kTraceFlagSampled);
    EXPECT_FALSE(recs[1].trace_id.IsValid());
    EXPECT_FALSE(recs[1].span_id.IsValid());
}

TEST(Logger, ExplicitTraceContextWinsOverTheCurrentOne) {
    auto h = Make();
    auto logger = h.provider->GetLogger("t");
    trace::Scope scope(trace::Context{}.WithSpanContext(SomeSpan()));
    LogRecord r;
    r.severity = Severity::kError;
    r.trace_id = *TraceId::FromHex("11111111111111111111111111111111");
    r.span_id = *SpanId::FromHex("2222222222222222");
    logger->Emit(std::move(r));
    auto recs = h.storage->Snapshot();
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].trace_id.ToHex(), "11111111111111111111111111111111");
    EXPECT_EQ(recs[0].span_id.ToHex(), "2222222222222222");
    EXPECT_EQ(recs[0].trace_flags, 0);
}

TEST(Logger, DropsRecordsBelowTheMinimumSeverity) {
    auto h = Make(Severity::kWarn);
    auto logger = h.provider->GetLogger("t");
    EXPECT_FALSE(logger->Enabled(Severity::kInfo));
    EXPECT_FALSE(logger->Enabled(static_cast<Severity>(12)));
    EXPECT_TRUE(logger->Enabled(Severity::kWarn));
    logger->Info("dropped", {{"k", "v"}});
    logger->Debug("dropped");
    LogRecord unspecified;  // severity 0 is filtered once a minimum is set
    logger->Emit(std::move(unspecified));
    logger->Error("kept");
    auto recs = h.storage->Snapshot();
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(*recs[0].body.AsString(), "kept");
}

TEST(Logger, RedactsSensitiveAttributesBeforeAnyProcessor) {
    auto h = Make(Severity::kTrace, RedactionOptions{true, {"x-internal"}});
    auto logger = h.provider->GetLogger("t");
    LogRecord r;
    r.severity = Severity::kInfo;
    r.attributes = {
        {"Authorization", LogValue("Bearer abc")},
        {"user", LogValue("ann")},
        {"session_token", LogValue("s3")},
        {"db.PASSWORD", LogValue("no")},  // not a listed suffix ("_password"), kept
        {"X-Internal", LogValue(std::int64_t{7})},
        {"http", LogValue(LogValue::Map{{"set-cookie", LogValue("id=1")},
                                        {"nested", LogValue(LogValue::Map{{"ApiKey", "k"}})},
                                        {"status", LogValue(std::int64_t{200})}})},
    };
    r.body = LogValue(LogValue::Map{{"password", "hunter2"}, {"msg", "hi"}});
    logger->Emit(std::move(r));
    auto recs = h.storage->Snapshot();
    ASSERT_EQ(recs.size(), 1u);
    const auto& a = recs[0].attributes;
    const LogValue red{std::string(kRedacted)};
    EXPECT_EQ(a[0].value, red);
    EXPECT_EQ(a[1].value, LogValue("ann"));
    EXPECT_EQ(a[2].value, red);
    EXPECT_EQ(a[3].value, LogValue("no"));
    EXPECT_EQ(a[4].value, red);
    const auto& http = std::get<LogValue::Map>(a[5].value.value);
    EXPECT_EQ(http[0].value, red);
    EXPECT_EQ(std::get<LogValue::Map>(http[1].value.value)[0].value, red);
    EXPECT_EQ(http[2].value, LogValue(std::int64_t{200}));
    const auto& body = std::get<LogValue::Map>(recs[0].body.value);
    EXPECT_EQ(body[0].value, red);
    EXPECT_EQ(body[1].value, LogValue("hi"));
}

TEST(Redaction, KnowsTheBuiltInKeys) {
    for (const char* k : {"authorization", "PASSWORD", "Token", "api_key", "APIKEY", "cookie",
                          "Set-Cookie", "secret", "github_token", "oauth.token", "db_password"})
        EXPECT_TRUE(IsSensitiveKey(k)) << k;
    for (const char* k : {"user", "tokens", "token_count", "passwords", "secretary", "cookies"})
        EXPECT_FALSE(IsSensitiveKey(k)) << k;
}

TEST(Redaction, CanBeTurnedOff) {
    std::vector<LogKeyValue> attrs{{"token", LogValue("t")}};
    EXPECT_EQ(RedactAttributes(attrs, RedactionOptions{false, {}}), 0u);
    EXPECT_EQ(attrs[0].value, LogValue("t"));
    EXPECT_EQ(RedactAttributes(attrs, RedactionOptions{}), 1u);
}

TEST(Logger, ProviderShutdownIsIdempotentAndLaterRecordsAreDropped) {
    auto h = Make();
    auto logger = h.provider->GetLogger("t");
    EXPECT_TRUE(h.provider->Shutdown(1s));
    EXPECT_TRUE(h.provider->Shutdown(1s));
    logger->Info("late");
    EXPECT_TRUE(h.storage->Snapshot().empty());
    EXPECT_FALSE(h.provider->GetLogger("after")->Enabled(Severity::kFatal));
}

TEST(Logger, FeedsEveryProcessorWithItsOwnCopy) {
    auto e1 = std::make_unique<InMemoryLogExporter>();
    auto e2 = std::make_unique<InMemoryLogExporter>();
    auto s1 = e1->storage();
    auto s2 = e2->storage();
    LoggerProviderOptions o;
    o.processors.push_back(std::make_unique<SimpleLogProcessor>(std::move(e1)));
    o.processors.push_back(std::make_unique<SimpleLogProcessor>(std::move(e2)));
    auto provider = MakeLoggerProvider(std::move(o));
    provider->GetLogger("t")->Info("both", {{"api_key", "k"}});
    ASSERT_EQ(s1->Snapshot().size(), 1u);
    ASSERT_EQ(s2->Snapshot().size(), 1u);
    EXPECT_EQ(s1->Snapshot()[0].attributes[0].value, LogValue(std::string(kRedacted)));
    EXPECT_EQ(s2->Snapshot()[0].attributes[0].value, LogValue(std::string(kRedacted)));
}

// Records are pooled: the simple processor hands each back to this thread, whose next record
// reuses it in place. Nothing of a record may show in the next one.
TEST(Logger, APooledRecordCarriesNothingOverFromItsLastUse) {
    auto h = Make();
    auto logger = h.provider->GetLogger("t");
    LogRecord full;
    full.time_unix_nano = 42;
    full.severity = Severity::kWarn;
    full.severity_text = "warning";
    full.body = LogValue(std::string("the first record, with a body longer than a short string"));
    full.attributes = {{"a.string", "a value long enough to need the heap, not SSO"},
                       {"b.int", 7},
                       {"c.array", LogValue::Array{LogValue(1), LogValue(2)}},
                       {"d.map", LogValue::Map{{"k", LogValue("v")}}},
                       {"e.bool", true}};
    full.dropped_attributes_count = 3;
    full.event_name = "tome.first";
    full.trace_id = SomeSpan().trace_id;
    full.span_id = SomeSpan().span_id;
    full.trace_flags = trace::kTraceFlagSampled;
    logger->Emit(full);
    logger->Log(Severity::kInfo, "second", std::vector<trace::AttributeKV>{{"b.int", "now a string"}},
                SomeSpan());
    logger->Info("third");
    logger->Info("fourth", {{"x", 1.5}, {"a.string", "short"}});

    const auto records = h.storage->Snapshot();
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0].event_name, "tome.first");
    EXPECT_EQ(records[0].attributes.size(), 5u);
    EXPECT_EQ(records[0].dropped_attributes_count, 3u);

    const LogRecord& second = records[1];
    EXPECT_EQ(second.body, LogValue(std::string("second")));
    ASSERT_EQ(second.attributes.size(), 1u);
    EXPECT_EQ(second.attributes[0].key, "b.int");
    EXPECT_EQ(second.attributes[0].value, LogValue(std::string("now a string")));
    EXPECT_EQ(second.severity, Severity::kInfo);
    EXPECT_EQ(second.severity_text, "");
    EXPECT_EQ(second.event_name, "");
    EXPECT_EQ(second.dropped_attributes_count, 0u);
    EXPECT_EQ(second.time_unix_nano, kNow);
    EXPECT_EQ(second.span_id, SomeSpan().span_id);

    const LogRecord& third = records[2];
    EXPECT_EQ(third.body, LogValue(std::string("third")));
    EXPECT_TRUE(third.attributes.empty());
    EXPECT_FALSE(third.trace_id.IsValid());  // no current context, no explicit span
    EXPECT_FALSE(third.span_id.IsValid());
    EXPECT_EQ(third.trace_flags, 0);

    const LogRecord& fourth = records[3];
    ASSERT_EQ(fourth.attributes.size(), 2u);
    EXPECT_EQ(fourth.attributes[0].key, "x");
    EXPECT_EQ(fourth.attributes[0].value, LogValue(1.5));
    EXPECT_EQ(fourth.attributes[1].key, "a.string");
    EXPECT_EQ(fourth.attributes[1].value, LogValue(std::string("short")));
    EXPECT_EQ(fourth.resource, records[0].resource);
    EXPECT_EQ(fourth.scope->name, "t");
}

TEST(LogRecordPool, AnAcquiredRecordEqualsAFreshOneAndACopyEqualsItsSource) {
    LogRecord source;
    source.body = LogValue(std::string("copied"));
    source.attributes = {{"k", "v"}};
    source.event_name = "e";
    auto copy = CopyLogRecord(source);
    EXPECT_EQ(copy->body, source.body);
    EXPECT_EQ(copy->attributes, source.attributes);
    EXPECT_EQ(copy->event_name, "e");
    std::vector<std::unique_ptr<LogRecord>> back;
    back.push_back(std::move(copy));
    RecycleLogRecords(back);
    EXPECT_TRUE(back.empty());
    for (int i = 0; i < 64; ++i) {  // through the thread cache and the shared pool
        auto r = AcquireLogRecord();
        EXPECT_TRUE(r->body.empty());
        EXPECT_TRUE(r->attributes.empty());
        EXPECT_EQ(r->event_name, "");
        EXPECT_EQ(r->time_unix_nano, 0u);
        EXPECT_EQ(r->resource, nullptr);
        RecycleLogRecordHere(std::move(r));
    }
}

TEST(GlobalLoggerProvider, IsNoopUntilSetAndNeverNull) {
    SetLoggerProvider(nullptr);
    auto noop = GetLoggerProvider();
    ASSERT_NE(noop, nullptr);
    auto quiet = noop->GetLogger("t");
    EXPECT_FALSE(quiet->Enabled(Severity::kFatal));
    quiet->Fatal("nothing happens");

    auto h = Make();
    SetLoggerProvider(h.provider);
    EXPECT_EQ(GetLoggerProvider(), h.provider);
    GetLoggerProvider()->GetLogger("t")->Info("global");
    EXPECT_EQ(h.storage->Snapshot().size(), 1u);
    SetLoggerProvider(nullptr);
    EXPECT_EQ(GetLoggerProvider(), noop);
}

}  // namespace
}  // namespace tome::telemetry::logs
