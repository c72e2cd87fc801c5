// Hostile input against the real `tome serve` on loopback (issue 18): thousands of seeded
// requests over every route (hostile_request_generator.hpp) are never answered 5xx, every answer
// is JSON in strict UTF-8, and the server stays healthy. What those requests leave in telemetry
// stays valid too: every OTLP export parses with libprotobuf's generated classes (which refuse
// proto3 strings that are not UTF-8, as the Collector does), JSON log lines and /metrics decode
// as strict UTF-8, and bytes that are not UTF-8 arrive as U+FFFD.
//
// Reproduce a run: TOME_FUZZ_SEED=<seed> TOME_FUZZ_REQUESTS=<n> (defaults 18 and 4000).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hostile_request_generator.hpp"
#include "loopback_receiver.hpp"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "raw_http.hpp"
#include "tome/telemetry/api/utf8.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

namespace utf8 = telemetry::utf8;
namespace otlp = opentelemetry::proto;
using telemetry::testing::LoopbackReceiver;

const std::string kR = "\xEF\xBF\xBD";  // U+FFFD

std::uint64_t EnvNumber(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::stoull(v) : fallback;
}

// `tome serve` exporting OTLP/HTTP protobuf to `collector` quickly, with both RobotCopy backends
// at `backend`.
std::map<std::string, std::string> Env(const LoopbackReceiver& collector,
                                       const LoopbackReceiver& backend) {
    const std::string backend_url = "http://127.0.0.1:" + std::to_string(backend.port());
    return {{"TOME_ENV", "development"},
            {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(collector.port())},
            {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
            {"OTEL_BSP_SCHEDULE_DELAY", "100"},
            {"OTEL_BLRP_SCHEDULE_DELAY", "100"},
            {"OTEL_METRIC_EXPORT_INTERVAL", "500"},
            {"TOME_NODE_BACKEND_URL", backend_url},
            {"TOME_KOTLIN_BACKEND_URL", backend_url},
            {"TOME_BACKEND_TIMEOUT_MS", "2000"}};
}

// What went wrong with one answer, or empty when it is fine: no 5xx, and a body that is JSON in
// strict UTF-8 (nlohmann's parser refuses anything else), or valid UTF-8 text for /metrics.
// `code` gets the envelope's error code, if any.
std::string CheckAnswer(const RawRequest& request, const RawResponse& r, std::string& code) {
    if (r.status == 0) return "no answer: " + r.error;
    if (r.status >= 500) return "answered " + std::to_string(r.status) + ": " + r.body;
    if (!utf8::IsValid(r.body)) return "body is not UTF-8";
    if (r.status == 204 && r.body.empty()) return "";
    if (r.content_type.rfind("application/json", 0) != 0) {
        const bool metrics = request.target.rfind("/metrics", 0) == 0 && r.status == 200;
        return metrics ? "" : "content type " + r.content_type;
    }
    try {
        const auto j = nlohmann::json::parse(r.body);
        if (!j.is_object() || !j.contains("success")) return "not an envelope: " + r.body;
        if (r.status >= 400 && !j["error"].is_object()) return "error without error: " + r.body;
        if (r.status >= 400) code = j["error"].value("code", "");
    } catch (const std::exception& e) {
        return std::string("body is not JSON: ") + e.what();
    }
    return "";
}

// Every export the collector received parses with libprotobuf; calls `visit` on each.
struct Exports {
    std::vector<otlp::trace::v1::Span> spans;
    std::vector<otlp::logs::v1::LogRecord> logs;
    std::vector<otlp::metrics::v1::Metric> metrics;
    std::vector<std::string> unparsable;  ///< "<path>: <n> bytes" of each export that failed.
};
Exports Decode(const LoopbackReceiver& collector) {
    Exports out;
    for (const auto& r : collector.requests()) {
        bool ok = false;
        if (r.target == "/v1/traces") {
            otlp::collector::trace::v1::ExportTraceServiceRequest req;
            ok = req.ParseFromString(r.body);
            for (const auto& rs : req.resource_spans())
                for (const auto& ss : rs.scope_spans())
                    for (const auto& s : ss.spans()) out.spans.push_back(s);
        } else if (r.target == "/v1/logs") {
            otlp::collector::logs::v1::ExportLogsServiceRequest req;
            ok = req.ParseFromString(r.body);
            for (const auto& rl : req.resource_logs())
                for (const auto& sl : rl.scope_logs())
                    for (const auto& l : sl.log_records()) out.logs.push_back(l);
        } else if (r.target == "/v1/metrics") {
            otlp::collector::metrics::v1::ExportMetricsServiceRequest req;
            ok = req.ParseFromString(r.body);
            for (const auto& rm : req.resource_metrics())
                for (const auto& sm : rm.scope_metrics())
                    for (const auto& m : sm.metrics()) out.metrics.push_back(m);
        }
        if (!ok)
            out.unparsable.push_back(r.target + ": " + std::to_string(r.body.size()) + " bytes");
    }
    return out;
}

// The JSON log lines tome printed: each must be strict UTF-8 JSON. Returns them parsed.
std::vector<nlohmann::json> JsonLogLines(const std::string& output) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("{\"level\":", 0) != 0) continue;
        EXPECT_TRUE(utf8::IsValid(line)) << line;
        try {
            lines.push_back(nlohmann::json::parse(line));
        } catch (const std::exception& e) {
            ADD_FAILURE() << "log line is not JSON (" << e.what() << "): " << line;
        }
    }
    return lines;
}

template <class KeyValues>
std::string StringAttribute(const KeyValues& kvs, const std::string& key) {
    for (const auto& kv : kvs)
        if (kv.key() == key) return kv.value().string_value();
    return "<missing>";
}

TEST(HostileInput, NoRouteAnswers5xxEveryAnswerIsUtf8JsonAndTelemetryStaysValid) {
    const std::uint64_t seed = EnvNumber("TOME_FUZZ_SEED", 18);
    const std::uint64_t count = EnvNumber("TOME_FUZZ_REQUESTS", 4000);
    LoopbackReceiver collector;
    LoopbackReceiver backend;  // answers 200 to everything
    TomeProcess tome({}, Env(collector, backend));
    HostileRequestGenerator generator(seed);

    const auto started = std::chrono::steady_clock::now();
    std::map<int, int> by_status;
    std::map<std::string, int> by_kind, by_code;
    int failures = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        std::string kind;
        const RawRequest request = generator.Next(kind);
        const RawResponse response = SendRaw(tome.port(), request);
        ++by_status[response.status];
        ++by_kind[kind];
        std::string code;
        const std::string what = CheckAnswer(request, response, code);
        if (!code.empty()) ++by_code[code];
        if (!what.empty()) {
            if (++failures <= 10) {
                ADD_FAILURE() << "request #" << i << " (seed " << seed << ", " << kind
                              << "): " << what.substr(0, 2000) << "\n--- request:\n"
                              << request.Printable();
            }
            if (response.status == 0 && !tome.Running()) break;  // crashed: stop here
        }
        if (i % 64 == 0) tome.ReadAvailableOutput();  // keep its stdout pipe from filling
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "[hostile input] sent " << count << " requests (seed " << seed << ") in "
              << seconds << " s; answers by status:";
    for (const auto& [status, n] : by_status) std::cout << " " << status << "x" << n;
    std::cout << "\n[hostile input] error codes:";
    for (const auto& [c, n] : by_code) std::cout << " " << c << "x" << n;
    std::cout << "\n[hostile input] by kind:";
    for (const auto& [kind, n] : by_kind) std::cout << " [" << kind << "] " << n;
    std::cout << std::endl;
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(by_status.count(0), 0u);

    // Still healthy: it answers, and a normal request still works end to end.
    ASSERT_TRUE(tome.Running()) << tome.output().substr(
        tome.output().size() > 4000 ? tome.output().size() - 4000 : 0);
    RawRequest health;
    health.target = "/api/health";
    EXPECT_EQ(SendRaw(tome.port(), health).status, 200);
    RawRequest event;
    event.method = "POST";
    event.target = "/api/tomes/AnalyticsService/events";
    event.headers = {{"Content-Type", "application/json"}};
    event.body = R"({"type":"ORDER_PLACED","payload":{"orderId":"after"}})";
    const RawResponse after = SendRaw(tome.port(), event);
    EXPECT_EQ(after.status, 200) << after.body;
    RawRequest metrics;
    metrics.target = "/metrics";
    const RawResponse scrape = SendRaw(tome.port(), metrics);
    EXPECT_EQ(scrape.status, 200);
    EXPECT_TRUE(utf8::IsValid(scrape.body));

    // Shutdown flushes every signal; then everything exported must parse.
    ASSERT_EQ(tome.Stop(std::chrono::seconds(60)), std::optional<int>(0));
    const Exports exports = Decode(collector);
    EXPECT_TRUE(exports.unparsable.empty())
        << exports.unparsable.size() << " exports do not parse, e.g. " << exports.unparsable[0];
    EXPECT_GT(exports.spans.size(), 0u);
    EXPECT_GT(exports.metrics.size(), 0u);
    const auto lines = JsonLogLines(tome.output());
    EXPECT_GT(lines.size(), 0u);
    std::cout << "[hostile input] exported " << exports.spans.size() << " spans, "
              << exports.logs.size() << " log records, " << exports.metrics.size() << " metrics; "
              << lines.size() << " JSON log lines" << std::endl;
}

// The same paths in detail: bytes that are not UTF-8 in the path, a header, the baggage and a
// backend's answer reach spans, logs and the answer as U+FFFD, and every export parses.
TEST(HostileInput, BytesThatAreNotUtf8ReachTelemetryAsReplacementCharacters) {
    LoopbackReceiver collector;
    // The backend refuses with a body that is not UTF-8 (quoted in the error, the span status
    // and the "Backend call failed" log).
    LoopbackReceiver backend({{400, "refused \xFF\xFE order \xC3", ""}});
    TomeProcess tome({}, Env(collector, backend));

    RawRequest by_path;  // raw bytes in the target, and in User-Agent and baggage
    by_path.target = "/api/tomes/\xFF\xFE";
    by_path.headers = {{"User-Agent", "agent\xC3"},
                       {"baggage", "business.customer_id=%FF%FEc-1"},
                       {"traceparent", "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
    const RawResponse not_found = SendRaw(tome.port(), by_path);
    ASSERT_EQ(not_found.status, 404) << not_found.error << not_found.body;
    EXPECT_EQ(nlohmann::json::parse(not_found.body)["error"]["message"],
              "tome '" + kR + kR + "' does not exist");

    RawRequest encoded;  // the issue's request: decoded to bytes that are not UTF-8
    encoded.target = "/api/tomes/%FF%FE";
    EXPECT_EQ(SendRaw(tome.port(), encoded).status, 404);

    RawRequest body;  // a body that is not UTF-8
    body.method = "POST";
    body.target = "/api/tomes";
    body.headers = {{"Content-Type", "application/json"},
                    {"traceparent", "00-6bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
    body.body = "{\"id\":\"\xC3\"}";
    const RawResponse bad_body = SendRaw(tome.port(), body);
    EXPECT_EQ(bad_body.status, 400);
    EXPECT_EQ(nlohmann::json::parse(bad_body.body)["error"]["code"], "invalid_json");

    RawRequest message;  // the backend's answer quoted back
    message.method = "POST";
    message.target = "/api/messages";
    message.headers = {{"Content-Type", "application/json"},
                       {"baggage", "business.order_id=o%C0%AF1"},
                       {"traceparent", "00-7bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
    message.body = R"({"action":"charge","data":{}})";
    const RawResponse refused = SendRaw(tome.port(), message);
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_NE(nlohmann::json::parse(refused.body)["error"]["message"].get<std::string>().find(
                  "refused " + kR + kR + " order " + kR),
              std::string::npos)
        << refused.body;

    RawRequest metrics;
    metrics.target = "/metrics";
    metrics.headers = {{"Accept", "application/openmetrics-text; version=1.0.0"}};
    const RawResponse scrape = SendRaw(tome.port(), metrics);
    EXPECT_EQ(scrape.status, 200);
    EXPECT_TRUE(utf8::IsValid(scrape.body));

    ASSERT_EQ(tome.Stop(), std::optional<int>(0));  // flushes every signal
    const Exports exports = Decode(collector);
    EXPECT_TRUE(exports.unparsable.empty()) << exports.unparsable.size() << " exports do not parse";

    auto server_span = [&](const std::string& trace_hex_prefix) -> const otlp::trace::v1::Span* {
        for (const auto& s : exports.spans) {
            if (s.kind() != otlp::trace::v1::Span::SPAN_KIND_SERVER) continue;
            static const char* kHex = "0123456789abcdef";
            std::string hex;
            for (unsigned char c : s.trace_id()) {
                hex.push_back(kHex[c >> 4]);
                hex.push_back(kHex[c & 15]);
            }
            if (hex.rfind(trace_hex_prefix, 0) == 0) return &s;
        }
        return nullptr;
    };
    const auto* path_span = server_span("5bf92f35");
    ASSERT_NE(path_span, nullptr);
    EXPECT_EQ(StringAttribute(path_span->attributes(), "url.path"), "/api/tomes/" + kR + kR);
    EXPECT_EQ(StringAttribute(path_span->attributes(), "user_agent.original"), "agent" + kR);
    // W3C baggage: percent-decoded octets that are not UTF-8 become U+FFFD.
    EXPECT_EQ(StringAttribute(path_span->attributes(), "business.customer_id"), kR + kR + "c-1");
    ASSERT_NE(server_span("6bf92f35"), nullptr);

    // The backend call's span status and its log carry the backend's answer, replaced.
    bool status_seen = false;
    for (const auto& s : exports.spans) {
        if (s.status().message().find("refused " + kR + kR + " order " + kR) != std::string::npos)
            status_seen = true;
    }
    EXPECT_TRUE(status_seen);
    bool log_seen = false;
    for (const auto& l : exports.logs) {
        if (StringAttribute(l.attributes(), "error.message").find("refused " + kR + kR) !=
            std::string::npos) {
            log_seen = true;
            EXPECT_EQ(StringAttribute(l.attributes(), "business.order_id"), "o" + kR + kR + "1");
        }
    }
    EXPECT_TRUE(log_seen);

    // The same log on stdout, as a JSON line in strict UTF-8.
    bool line_seen = false;
    for (const auto& line : JsonLogLines(tome.output())) {
        const auto& attrs = line["attributes"];
        if (attrs.contains("error.message") && attrs["error.message"].get<std::string>().find(
                                                   "refused " + kR + kR) != std::string::npos)
            line_seen = true;
    }
    EXPECT_TRUE(line_seen) << tome.output();
}

}  // namespace
}  // namespace tome::testing
