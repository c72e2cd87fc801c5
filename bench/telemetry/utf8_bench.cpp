// What the UTF-8 rule of issue 18 costs on the hot path (telemetry/api/utf8.hpp): the validator's
// throughput, sanitising, and a request span's whole path with and without the check: set the
// attributes of a SERVER span, end it, encode it to OTLP protobuf and write it as OTLP/JSON.
//
// Reference run: 2026-12-05, 2-core AMD EPYC VM shared with other builds (load average 5, so
// wall times are inflated; CPU times quoted), Debian 12, g++ 12.2, RelWithDebInfo (-O2),
// --benchmark_repetitions=10 --benchmark_enable_random_interleaving, median CPU time.
//   BM_RequestSpanEncode ASCII       check 2184 ns  no check 2142 ns  ratio 1.02
//   BM_RequestSpanEncode multibyte   check 2378 ns  no check 2147 ns  ratio 1.11 (cv ~20%)
//   BM_RequestSpanStringsCheck       60 ns ASCII, 98.5 ns multibyte per span: 2.8% / 4.6% of
//                                    the pipeline (the pipeline ratios are within its noise)
//   BM_JsonString (64-byte value)    sanitising 48.3 ns vs plain 111 ns ASCII (0.44x),
//                                    59.3 vs 115 ns multibyte (0.52x): the one-pass writer
//                                    appends runs in bulk, so it is faster than the old one
//   BM_Utf8ValidateAscii/4096        16.6 GB/s (16 bytes: 2.5 ns)
//   BM_Utf8ValidateMultibyte/4096    1.22 GB/s (16 bytes: 13.2 ns)
//   BM_Utf8SanitizeValid (256 B)     190 ns, no allocation; BM_Utf8SanitizeInvalid 231 ns
//
// Re-run on Release (-O3), 2026-12-06, 2 x AMD EPYC vCPU at 2.7 GHz (shared VM), g++ 12.2,
// median of 3, CPU time:
//   BM_RequestSpanEncode ASCII check 3315 ns, no check 3152 ns (1.05); multibyte 3347 / 3269
//   BM_RequestSpanStringsCheck 87.9 ns ASCII, 146 ns multibyte; BM_JsonString ASCII sanitising
//   45.7 vs plain 80.0 ns, multibyte 86.6 vs 157 ns; Utf8ValidateAscii/4096 25 GB/s,
//   Utf8ValidateMultibyte/4096 1.46 GB/s; SanitizeValid 141 ns, SanitizeInvalid 180 ns
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "tome/telemetry/api/json_writer.hpp"
#include "tome/telemetry/api/utf8.hpp"
#include "tome/telemetry/export/otlp_encoder.hpp"
#include "tome/telemetry/trace/span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry {
namespace {

// Text of `size` bytes: ASCII (an access-log-like line) or mixed multibyte (Latin accents,
// CJK, emoji: 2-, 3- and 4-byte sequences).
std::string Text(std::size_t size, bool multibyte) {
    const std::string ascii = "GET /api/tomes/OrderService/events?trace=4bf92f3577b34da6 200 ";
    const std::string mixed = "caf\xC3\xA9 na\xC3\xAFve \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 ";
    std::string s;
    while (s.size() < size) s += multibyte ? mixed : ascii;
    return std::string(utf8::TruncateAtBoundary(s, size));
}

void BM_Utf8ValidateAscii(benchmark::State& state) {
    const std::string s = Text(static_cast<std::size_t>(state.range(0)), false);
    for (auto _ : state) benchmark::DoNotOptimize(utf8::IsValid(s));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.size()));
}
BENCHMARK(BM_Utf8ValidateAscii)->Arg(16)->Arg(4096);

void BM_Utf8ValidateMultibyte(benchmark::State& state) {
    const std::string s = Text(static_cast<std::size_t>(state.range(0)), true);
    for (auto _ : state) benchmark::DoNotOptimize(utf8::IsValid(s));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.size()));
}
BENCHMARK(BM_Utf8ValidateMultibyte)->Arg(16)->Arg(4096);

// Valid input: a view of the input comes back, nothing is copied or allocated.
void BM_Utf8SanitizeValid(benchmark::State& state) {
    const std::string s = Text(256, true);
    std::string storage;
    for (auto _ : state) benchmark::DoNotOptimize(utf8::Sanitize(s, storage));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.size()));
}
BENCHMARK(BM_Utf8SanitizeValid);

// The rare path: one bad byte in 256 means a copy with U+FFFD.
void BM_Utf8SanitizeInvalid(benchmark::State& state) {
    std::string s = Text(256, true);
    s[100] = '\xFF';
    std::string storage;
    for (auto _ : state) benchmark::DoNotOptimize(utf8::Sanitize(s, storage));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.size()));
}
BENCHMARK(BM_Utf8SanitizeInvalid);

// json::String before issue 18, kept here as the baseline: escapes, copies every other byte
// (UTF-8 or not) one push_back at a time.
void PlainJsonString(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

// The JSON string writer alone, over attribute-sized values (64 bytes): range(0) 1 = the
// sanitising json::String, 0 = the plain one above; range(1) 1 = multibyte text.
void BM_JsonString(benchmark::State& state) {
    const std::string s = Text(64, state.range(1) != 0);
    std::string out;
    for (auto _ : state) {
        out.clear();
        if (state.range(0) != 0)
            json::String(out, s);
        else
            PlainJsonString(out, s);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.size()));
}
BENCHMARK(BM_JsonString)->ArgNames({"sanitise", "multibyte"})->ArgsProduct({{0, 1}, {0, 1}});

// Encodes each ended span at once, in the caller's thread, to OTLP protobuf (with or without
// the UTF-8 check of string fields) and OTLP/JSON.
class EncodingExporter final : public trace::SpanExporter {
  public:
    explicit EncodingExporter(bool check_utf8) : check_utf8_(check_utf8) {}
    trace::ExportResult Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                               Clock::time_point) noexcept override {
        proto_.clear();
        json_.clear();
        if (check_utf8_)
            exporter::EncodeOtlpProto(batch, proto_);
        else
            exporter::EncodeOtlpProtoWithoutUtf8CheckForTesting(batch, proto_);
        exporter::EncodeOtlpJson(batch, json_);
        benchmark::DoNotOptimize(proto_.data());
        benchmark::DoNotOptimize(json_.data());
        return trace::ExportResult::kSuccess;
    }
    bool Shutdown(std::chrono::milliseconds) noexcept override { return true; }

  private:
    const bool check_utf8_;
    std::string proto_, json_;
};

// A request's SERVER span as api/ records it (nine attributes, two set after the start), ended,
// encoded to OTLP protobuf and written as OTLP/JSON. range(0): 1 = with the UTF-8 check of
// the protobuf strings, 0 = without; the JSON writer sanitises in both (its own cost is
// BM_JsonString). range(1): 1 = multibyte path and user agent.
void BM_RequestSpanEncode(benchmark::State& state) {
    const bool check = state.range(0) != 0;
    const bool multibyte = state.range(1) != 0;
    trace::TracerProviderOptions o;
    o.processors.push_back(
        std::make_unique<trace::SimpleSpanProcessor>(std::make_unique<EncodingExporter>(check)));
    o.resource = std::make_shared<const trace::Resource>(std::vector<trace::Attribute>{
        {"service.name", std::string("tome")}, {"telemetry.sdk.name", std::string("tome")}});
    auto provider = std::make_shared<trace::TracerProvider>(std::move(o));
    trace::Tracer tracer = provider->GetTracer("tome.api", "0.1.0");
    const std::string path = multibyte ? "/api/tomes/Caf\xC3\xA9-\xE4\xB8\xAD\xE6\x96\x87/events"
                                       : "/api/tomes/OrderService/events";
    const std::string agent = multibyte ? "klient/1.0 (\xC3\xA9t\xC3\xA9; \xF0\x9F\x98\x80)"
                                        : "curl/7.88.1 (x86_64-pc-linux-gnu)";
    for (auto _ : state) {
        trace::Span span =
            tracer.StartSpan("POST /api/tomes/{id}/events",
                             {{"http.request.method", "POST"},
                              {"url.path", path},
                              {"url.scheme", "http"},
                              {"client.address", "127.0.0.1"},
                              {"server.address", "127.0.0.1"},
                              {"server.port", 3000},
                              {"network.protocol.version", "1.1"},
                              {"http.route", "/api/tomes/{id}/events"},
                              {"user_agent.original", agent}},
                             trace::StartSpanOptions{.kind = trace::SpanKind::kServer});
        span.SetAttribute("http.response.status_code", std::int64_t{200});
        span.SetAttribute("business.customer_tier", multibyte ? "\xC3\xA9lite" : "gold");
        span.End();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestSpanEncode)->ArgNames({"check", "multibyte"})->ArgsProduct({{0, 1}, {0, 1}});

// The check alone, on exactly the strings EncodeOtlpProto checks for one BM_RequestSpanEncode
// span (name, attribute keys and string values, resource and scope): its share of the
// pipeline, measured without the pipeline's noise.
void BM_RequestSpanStringsCheck(benchmark::State& state) {
    const bool multibyte = state.range(0) != 0;
    const std::vector<std::string> strings = {
        "service.name",
        "tome",
        "telemetry.sdk.name",
        "tome",
        "tome.api",
        "0.1.0",
        "POST /api/tomes/{id}/events",
        "http.request.method",
        "POST",
        "url.path",
        multibyte ? "/api/tomes/Caf\xC3\xA9-\xE4\xB8\xAD\xE6\x96\x87/events"
                  : "/api/tomes/OrderService/events",
        "url.scheme",
        "http",
        "client.address",
        "127.0.0.1",
        "server.address",
        "127.0.0.1",
        "server.port",
        "network.protocol.version",
        "1.1",
        "http.route",
        "/api/tomes/{id}/events",
        "user_agent.original",
        multibyte ? "klient/1.0 (\xC3\xA9t\xC3\xA9; \xF0\x9F\x98\x80)"
                  : "curl/7.88.1 (x86_64-pc-linux-gnu)",
        "http.response.status_code",
        "business.customer_tier",
        multibyte ? "\xC3\xA9lite" : "gold"};
    for (auto _ : state) {
        bool all = true;
        for (const std::string& s : strings) all &= utf8::IsValid(s);
        benchmark::DoNotOptimize(all);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestSpanStringsCheck)->ArgNames({"multibyte"})->Arg(0)->Arg(1);

}  // namespace
}  // namespace tome::telemetry

BENCHMARK_MAIN();
