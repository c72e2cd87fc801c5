#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tome/telemetry/export/env_config.hpp"
#include "tome/telemetry/export/otlp_file_exporter.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using trace::ExportResult;

/// A fresh path in the temp directory, removed at scope exit.
struct TempFile {
    TempFile() {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("tome_otlp_file_" + std::to_string(::getpid()) + "_" +
                std::to_string(++counter) + ".jsonl");
        std::filesystem::remove(path);
    }
    ~TempFile() { std::filesystem::remove(path); }
    std::vector<std::string> Lines() const {
        std::ifstream in(path);
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }
    std::filesystem::path path;
};

std::vector<std::unique_ptr<trace::SpanData>> Batch(int n, const std::string& prefix) {
    auto resource = std::make_shared<const trace::Resource>(
        std::vector<trace::Attribute>{{"service.name", std::string("svc")}});
    auto scope = std::make_shared<const trace::InstrumentationScope>(
        trace::InstrumentationScope{"scope", "1.0", ""});
    std::vector<std::unique_ptr<trace::SpanData>> out;
    for (int i = 0; i < n; ++i) {
        auto s = std::make_unique<trace::SpanData>();
        s->context.trace_id = GenerateTraceId();
        s->context.span_id = GenerateSpanId();
        s->context.trace_flags = 1;
        s->name = prefix + std::to_string(i) + "\nline\"two\"";  // must not break the line
        s->kind = trace::SpanKind::kServer;
        s->start_unix_nano = 1000;
        s->end_unix_nano = 2000;
        s->attributes.push_back({"k", std::string("v\n")});
        s->resource = resource;
        s->scope = scope;
        out.push_back(std::move(s));
    }
    return out;
}

bool IsLowerHex(const std::string& s, std::size_t len) {
    return s.size() == len && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Checks one line is an OTLP/JSON ExportTraceServiceRequest; returns its span names.
std::vector<std::string> CheckOtlpShape(const std::string& line) {
    std::vector<std::string> names;
    nlohmann::json j;
    EXPECT_NO_THROW(j = nlohmann::json::parse(line)) << line;
    EXPECT_TRUE(j.is_object());
    if (!j.contains("resourceSpans")) {
        ADD_FAILURE() << "no resourceSpans: " << line;
        return names;
    }
    for (const auto& rs : j["resourceSpans"]) {
        EXPECT_EQ(rs["resource"]["attributes"][0]["key"], "service.name");
        EXPECT_EQ(rs["resource"]["attributes"][0]["value"]["stringValue"], "svc");
        for (const auto& ss : rs["scopeSpans"]) {
            EXPECT_EQ(ss["scope"]["name"], "scope");
            EXPECT_EQ(ss["scope"]["version"], "1.0");
            for (const auto& sp : ss["spans"]) {
                EXPECT_TRUE(IsLowerHex(sp["traceId"].get<std::string>(), 32)) << sp["traceId"];
                EXPECT_TRUE(IsLowerHex(sp["spanId"].get<std::string>(), 16)) << sp["spanId"];
                EXPECT_TRUE(sp["kind"].is_number_integer());  // enums are integers
                EXPECT_EQ(sp["kind"], 2);
                EXPECT_EQ(sp["startTimeUnixNano"], "1000");  // 64-bit ints are strings
                EXPECT_EQ(sp["endTimeUnixNano"], "2000");
                EXPECT_EQ(sp["attributes"][0]["value"]["stringValue"], "v\n");
                names.push_back(sp["name"].get<std::string>());
            }
        }
    }
    return names;
}

TEST(TelemetryOtlpFile, AppendsOneOtlpJsonRequestPerLine) {
    TempFile f;
    {
        std::ofstream pre(f.path);
        pre << "{\"existing\":true}\n";  // appended to, never truncated
    }
    OtlpFileExporter exporter({f.path.string()});
    ASSERT_TRUE(exporter.open_error().empty()) << exporter.open_error();
    auto a = Batch(3, "a");
    auto b = Batch(2, "b");
    EXPECT_EQ(exporter.Export(a, std::chrono::steady_clock::now() + 1s), ExportResult::kSuccess);
    EXPECT_EQ(exporter.Export(b, std::chrono::steady_clock::now() + 1s), ExportResult::kSuccess);
    // Flushed per batch: visible before shutdown.
    const auto lines = f.Lines();
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "{\"existing\":true}");
    const auto first = CheckOtlpShape(lines[1]);
    const auto second = CheckOtlpShape(lines[2]);
    ASSERT_EQ(first.size(), 3u);
    ASSERT_EQ(second.size(), 2u);
    EXPECT_EQ(first[0], "a0\nline\"two\"");
    EXPECT_EQ(second[1], "b1\nline\"two\"");
    EXPECT_TRUE(exporter.ForceFlush(1s));
    EXPECT_TRUE(exporter.Shutdown(1s));
    EXPECT_TRUE(exporter.Shutdown(1s));  // idempotent
    EXPECT_EQ(exporter.Export(a, std::chrono::steady_clock::now() + 1s),
              ExportResult::kFailureNonRetryable);
    EXPECT_EQ(f.Lines().size(), 3u);
}

TEST(TelemetryOtlpFile, UnopenablePathFailsEveryExport) {
    OtlpFileExporter exporter({"/nonexistent-dir/spans.jsonl"});
    EXPECT_NE(exporter.open_error().find("/nonexistent-dir/spans.jsonl"), std::string::npos);
    auto a = Batch(1, "a");
    EXPECT_EQ(exporter.Export(a, std::chrono::steady_clock::now() + 1s),
              ExportResult::kFailureNonRetryable);
    EXPECT_TRUE(exporter.Shutdown(0ms));
}

TEST(TelemetryOtlpFile, EnvBuiltPipelineWritesEverySpanOnce) {
    TempFile f;
    SelfStats stats;
    std::map<std::string, std::string, std::less<>> vars{
        {"TOME_OTLP_FILE", f.path.string()}, {"OTEL_SERVICE_NAME", "svc"},
        {"OTEL_TRACES_SAMPLER", "always_on"}};
    auto sdk = BuildTracesSdkFromEnv(
        [&](std::string_view name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        },
        {}, &stats);
    ASSERT_TRUE(sdk.ok()) << sdk.message();
    auto tracer = sdk.value().provider->GetTracer("scope", "1.0");
    for (int i = 0; i < 40; ++i) {
        auto span = tracer.StartSpan("s" + std::to_string(i));
        span.SetAttribute("k", std::string("v\n"));
        span.End();
    }
    ASSERT_TRUE(sdk.value().provider->ForceFlush(5s));
    std::multiset<std::string> names;
    for (const auto& line : f.Lines()) {
        auto j = nlohmann::json::parse(line);
        for (const auto& sp : j["resourceSpans"][0]["scopeSpans"][0]["spans"])
            names.insert(sp["name"].get<std::string>());
    }
    EXPECT_EQ(names.size(), 40u);
    for (int i = 0; i < 40; ++i) EXPECT_EQ(names.count("s" + std::to_string(i)), 1u) << i;
    EXPECT_EQ(stats.Snapshot().spans_exported, 40u);
    EXPECT_TRUE(sdk.value().provider->Shutdown(5s));
}

}  // namespace
}  // namespace tome::telemetry::exporter
