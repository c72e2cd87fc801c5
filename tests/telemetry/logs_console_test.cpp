#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tome/telemetry/api/utf8.hpp"
#include "tome/telemetry/logs/console_json_exporter.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::logs {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kNow = 1'795'507'200'123'456'789;  // 2026-11-24T08:00:00.123456789Z

std::shared_ptr<LoggerProvider> ConsoleProvider(std::ostream& out) {
    LoggerProviderOptions o;
    o.resource = std::make_shared<const trace::Resource>(std::vector<trace::Attribute>{
        {"service.name", std::string("tome")}, {"host.name", std::string("vm1")}});
    o.processors.push_back(
        std::make_unique<SimpleLogProcessor>(std::make_unique<ConsoleJsonLogExporter>(out)));
    o.now_unix_nano = [] { return kNow; };
    return MakeLoggerProvider(std::move(o));
}

trace::Context SpanCtx() {
    trace::SpanContext sc;
    sc.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
    sc.span_id = *SpanId::FromHex("00f067aa0ba902b7");
    sc.trace_flags = 1;
    return trace::Context{}.WithSpanContext(sc);
}

TEST(ConsoleJsonLogExporter, WritesTheShippersShapeOneObjectPerLine) {
    std::ostringstream out;
    auto provider = ConsoleProvider(out);
    auto logger = provider->GetLogger("tome.connector");
    {
        trace::Scope scope(SpanCtx());
        logger->Info("Connection created successfully",
                     {{"connection.id", "c-1"}, {"retries", 2}, {"ok", true}, {"ratio", 0.5}});
    }
    logger->Warn("no span here");
    EXPECT_EQ(out.str(),
              R"({"level":"info","message":"Connection created successfully","attributes":{)"
              R"("service.name":"tome","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736",)"
              R"("span.id":"00f067aa0ba902b7","timestamp":"2026-11-24T08:00:00.123Z",)"
              R"("connection.id":"c-1","retries":2,"ok":true,"ratio":0.5}})"
              "\n"
              R"({"level":"warn","message":"no span here","attributes":{"service.name":"tome",)"
              R"("timestamp":"2026-11-24T08:00:00.123Z"}})"
              "\n");
}

TEST(ConsoleJsonLogExporter, RedactsSensitiveValues) {
    std::ostringstream out;
    auto provider = ConsoleProvider(out);
    provider->GetLogger("t")->Error("login failed", {{"user", "ann"},
                                                     {"password", "hunter2"},
                                                     {"Authorization", "Bearer xyz"},
                                                     {"refresh_token", "r"}});
    const std::string line = out.str();
    EXPECT_EQ(line.find("hunter2"), std::string::npos);
    EXPECT_EQ(line.find("Bearer"), std::string::npos);
    EXPECT_NE(line.find(R"("user":"ann","password":"[REDACTED]","Authorization":"[REDACTED]",)"
                        R"("refresh_token":"[REDACTED]")"),
              std::string::npos)
        << line;
}

TEST(ConsoleJsonLogExporter, EscapesJsonAndMapsEveryLevel) {
    LogRecord r;
    r.severity = static_cast<Severity>(22);
    r.body = LogValue("quote \" backslash \\ newline \n tab \t ctl \x01 bad \xff ok \xc3\xa9");
    r.attributes = {{"k\"ey", LogValue("v")},
                    {"nested", LogValue(LogValue::Map{{"a", LogValue(LogValue::Array{1, 2})}})},
                    {"nan", LogValue(std::nan(""))},
                    {"trace.id", LogValue("spoofed")}};
    std::string out;
    FormatJsonLogLine(r, out);
    EXPECT_EQ(out,
              R"({"level":"fatal","message":"quote \" backslash \\ newline \n tab \t ctl \u0001 )"
              "bad \xEF\xBF\xBD ok \xc3\xa9"
              R"(","attributes":{"k\"ey":"v","nested":{"a":[1,2]},"nan":"NaN"}})"
              "\n");
    const std::pair<int, const char*> levels[] = {
        {1, "trace"}, {5, "debug"}, {9, "info"}, {13, "warn"}, {17, "error"}, {21, "fatal"}};
    for (auto [n, name] : levels) {
        LogRecord l;
        l.severity = static_cast<Severity>(n);
        std::string line;
        FormatJsonLogLine(l, line);
        EXPECT_EQ(line, std::string(R"({"level":")") + name +
                            R"(","message":"","attributes":{}})" + "\n");
    }
}

TEST(ConsoleJsonLogExporter, LinesAreValidUtf8WhateverTheRecordHolds) {
    const std::string r = "\xEF\xBF\xBD";  // U+FFFD, one per maximal ill-formed subpart
    LogRecord rec;
    rec.severity = Severity::kError;
    rec.body = LogValue("overlong \xC0\xAF cut \xE2\x82");
    rec.attributes = {{"url.path\xFF", LogValue("/api/tomes/\xED\xA0\x80")},
                      {"nested", LogValue(LogValue::Map{{"k", LogValue("\xF0\x9F\x98")}})}};
    std::string line;
    FormatJsonLogLine(rec, line);
    EXPECT_TRUE(utf8::IsValid(line)) << line;
    const auto j = nlohmann::json::parse(line);  // throws on invalid UTF-8
    EXPECT_EQ(j["message"], "overlong " + r + r + " cut " + r);
    EXPECT_EQ(j["attributes"]["url.path" + r], "/api/tomes/" + r + r + r);
    EXPECT_EQ(j["attributes"]["nested"]["k"], r);
}

TEST(ConsoleJsonLogExporter, StructuredBodyBecomesJsonText) {
    LogRecord r;
    r.severity = Severity::kInfo;
    r.body = LogValue(LogValue::Map{{"event", LogValue("x")}, {"n", LogValue(std::int64_t{3})}});
    std::string out;
    FormatJsonLogLine(r, out);
    EXPECT_EQ(out, R"({"level":"info","message":"{\"event\":\"x\",\"n\":3}","attributes":{}})"
                   "\n");
}

TEST(ConsoleJsonLogExporter, RefusesAfterShutdown) {
    std::ostringstream out;
    ConsoleJsonLogExporter e(out);
    EXPECT_TRUE(e.Shutdown(1s));
    std::unique_ptr<LogRecord> one[] = {std::make_unique<LogRecord>()};
    EXPECT_EQ(e.Export(one, LogExporter::Clock::now() + 1s), ExportResult::kFailureNonRetryable);
    EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace tome::telemetry::logs
