// tome_otlp_emitter: builds one known trace with tome's trace SDK and exports it with tome's
// OTLP/HTTP exporter, so that an independent decoder (the official OpenTelemetry JavaScript
// code, see receiver.js) can check what our encoders put on the wire.
//
// Usage: tome_otlp_emitter --endpoint http://127.0.0.1:PORT/v1/traces
//                          --protocol http/protobuf|http/json [--gzip]
//
// Prints one JSON object on stdout describing what was sent (ids as lowercase hex, timestamps
// as decimal strings) and exits 0 when the export succeeded, 1 when it failed, 2 on bad usage.
// The environment is not read (no OTEL_* variable changes the output).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/export/otlp_http_exporter.hpp"
#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/sampler.hpp"
#include "tome/telemetry/trace/span.hpp"
#include "tome/telemetry/trace/span_context.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace {

namespace tt = tome::telemetry::trace;
namespace tx = tome::telemetry::exporter;
using tome::telemetry::SpanId;
using tome::telemetry::TraceId;

// The linked span (a fixed, foreign context) and its tracestate.
constexpr std::string_view kLinkTraceId = "0af7651916cd43dd8448eb211c80319c";
constexpr std::string_view kLinkSpanId = "b7ad6b7169203331";
constexpr std::string_view kLinkTraceState = "vendor=linked";

int Usage(const char* argv0) {
    std::fprintf(stderr,
                 "usage: %s --endpoint URL --protocol http/protobuf|http/json [--gzip]\n", argv0);
    return 2;
}

struct Args {
    std::string endpoint;
    tx::OtlpProtocol protocol = tx::OtlpProtocol::kHttpProtobuf;
    bool gzip = false;
};

std::optional<Args> ParseArgs(int argc, char** argv) {
    Args args;
    bool have_protocol = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--gzip") {
            args.gzip = true;
        } else if (a == "--endpoint" && i + 1 < argc) {
            args.endpoint = argv[++i];
        } else if (a == "--protocol" && i + 1 < argc) {
            const std::string_view p = argv[++i];
            if (p == "http/protobuf") {
                args.protocol = tx::OtlpProtocol::kHttpProtobuf;
            } else if (p == "http/json") {
                args.protocol = tx::OtlpProtocol::kHttpJson;
            } else {
                return std::nullopt;
            }
            have_protocol = true;
        } else {
            return std::nullopt;
        }
    }
    if (args.endpoint.empty() || !have_protocol) return std::nullopt;
    return args;
}

std::string Quote(std::string_view s) {
    // The strings printed here are hex ids, decimal numbers and fixed ASCII names.
    return "\"" + std::string(s) + "\"";
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = ParseArgs(argc, argv);
    if (!args) return Usage(argv[0]);

    // Resource: service.name plus the SDK's detected attributes; the environment is ignored.
    const tome::telemetry::EnvLookup no_env = [](std::string_view) -> std::optional<std::string> {
        return std::nullopt;
    };
    tt::ResourceOptions resource_options;
    resource_options.service_name = "tome-interop";
    resource_options.service_version = "9.8.7";
    auto resource = tt::MakeResource(resource_options, no_env);
    if (!resource) {
        std::fprintf(stderr, "tome_otlp_emitter: cannot build the resource\n");
        return 1;
    }

    tx::OtlpHttpExporterOptions exporter_options;
    exporter_options.endpoint = args->endpoint;
    exporter_options.protocol = args->protocol;
    exporter_options.compression = args->gzip ? tx::OtlpCompression::kGzip : tx::OtlpCompression::kNone;
    exporter_options.timeout = std::chrono::milliseconds(10000);
    exporter_options.max_attempts = 2;
    exporter_options.initial_backoff = std::chrono::milliseconds(100);

    tt::BatchSpanProcessorOptions batch_options;
    batch_options.scheduled_delay = std::chrono::milliseconds(60000);  // only ForceFlush exports
    batch_options.export_timeout = std::chrono::milliseconds(10000);

    tt::TracerProviderOptions provider_options;
    provider_options.sampler = tt::MakeAlwaysOnSampler();
    provider_options.processors.push_back(std::make_unique<tt::BatchSpanProcessor>(
        std::make_unique<tx::OtlpHttpExporter>(exporter_options), batch_options));
    provider_options.resource = std::make_shared<const tt::Resource>(std::move(resource).value());
    auto provider = std::make_shared<tt::TracerProvider>(std::move(provider_options));
    const tt::Tracer tracer = provider->GetTracer("tome.interop.emitter", "1.2.3");

    // Fixed, strictly increasing timestamps above 2^53 so that 64-bit precision is checked.
    const std::uint64_t t0 = tt::SystemNowUnixNano() / 1000000000ull * 1000000000ull + 123456789ull;
    const std::uint64_t event_time = t0 + 1000;

    // The linked (foreign) span context.
    tt::SpanContext link_context;
    link_context.trace_id = *TraceId::FromHex(kLinkTraceId);
    link_context.span_id = *SpanId::FromHex(kLinkSpanId);
    link_context.trace_flags = tt::kTraceFlagSampled;
    link_context.trace_state = *tt::TraceState::Parse(kLinkTraceState);
    link_context.is_remote = true;

    // Attributes of every type.
    const bool bool_array[] = {true, false, true};
    const std::vector<std::int64_t> int_array = {8080, -1, 9007199254740993LL};
    const std::vector<double> double_array = {0.5, -2.25, 1e-3};
    const std::vector<std::string> string_array = {"alpha", "beta", ""};

    tt::StartSpanOptions root_options;
    root_options.kind = tt::SpanKind::kServer;
    root_options.root = true;
    root_options.start_unix_nano = t0;
    tt::Span root = tracer.StartSpan("GET /api/topology",
                                     {{"http.request.method", "GET"},
                                      {"url.path", "/api/topology"},
                                      {"http.response.status_code", 200}},
                                     root_options);
    root.SetAttribute("tome.cache.hit", true);
    root.SetAttribute("tome.cache.enabled", false);
    root.SetAttribute("tome.big", std::int64_t{9007199254740993LL});  // 2^53 + 1
    root.SetAttribute("tome.negative", std::int64_t{-42});
    root.SetAttribute("tome.load", 0.75);
    root.SetAttribute("tome.flags", std::span<const bool>(bool_array));
    root.SetAttribute("tome.ports", int_array);
    root.SetAttribute("tome.ratios", double_array);
    root.SetAttribute("tome.tags", string_array);
    root.SetAttribute("tome.unicode", "caf\xc3\xa9 \xe2\x9c\x93");  // "café ✓"
    root.AddEvent("cache.miss", {{"tome.cache.key", "topology"}, {"tome.cache.size", 3}},
                  event_time);
    const tt::AttributeKV link_attributes[] = {{"tome.link.reason", "follows-from"}};
    root.AddLink(link_context, link_attributes);

    const tt::Context root_context = root.ToContext();
    tt::StartSpanOptions child_options;
    child_options.kind = tt::SpanKind::kInternal;
    child_options.parent = &root_context;
    child_options.start_unix_nano = t0 + 2000;
    tt::Span child = tracer.StartSpan("build topology", child_options);

    const tt::Context child_context = child.ToContext();
    tt::StartSpanOptions grandchild_options;
    grandchild_options.kind = tt::SpanKind::kClient;
    grandchild_options.parent = &child_context;
    grandchild_options.start_unix_nano = t0 + 3000;
    tt::Span grandchild =
        tracer.StartSpan("GET inventory", {{"server.address", "inventory.internal"}},
                         grandchild_options);
    grandchild.SetStatus(tt::StatusCode::kError, "upstream timed out");

    const tt::SpanContext root_sc = root.GetContext();
    const tt::SpanContext child_sc = child.GetContext();
    const tt::SpanContext grandchild_sc = grandchild.GetContext();
    if (!root.IsRecording() || !child.IsRecording() || !grandchild.IsRecording()) {
        std::fprintf(stderr, "tome_otlp_emitter: spans are not recording\n");
        return 1;
    }

    grandchild.End(t0 + 4000);
    child.End(t0 + 5000);
    root.End(t0 + 6000);

    const bool flushed = provider->ForceFlush(std::chrono::milliseconds(15000));
    const bool shut = provider->Shutdown(std::chrono::milliseconds(5000));

    auto span_json = [](std::string_view name, const tt::SpanContext& sc, std::uint64_t start,
                        std::uint64_t end) {
        return "{\"name\":" + Quote(name) + ",\"spanId\":" + Quote(sc.span_id.ToHex()) +
               ",\"startTimeUnixNano\":" + Quote(std::to_string(start)) +
               ",\"endTimeUnixNano\":" + Quote(std::to_string(end)) + "}";
    };
    std::cout << "{\"traceId\":" << Quote(root_sc.trace_id.ToHex())
              << ",\"traceFlags\":" << static_cast<int>(root_sc.trace_flags)
              << ",\"spans\":{\"root\":" << span_json("GET /api/topology", root_sc, t0, t0 + 6000)
              << ",\"child\":" << span_json("build topology", child_sc, t0 + 2000, t0 + 5000)
              << ",\"grandchild\":" << span_json("GET inventory", grandchild_sc, t0 + 3000, t0 + 4000)
              << "},\"eventTimeUnixNano\":" << Quote(std::to_string(event_time))
              << ",\"link\":{\"traceId\":" << Quote(kLinkTraceId)
              << ",\"spanId\":" << Quote(kLinkSpanId) << ",\"traceState\":" << Quote(kLinkTraceState)
              << "},\"flushed\":" << (flushed ? "true" : "false")
              << ",\"shutdown\":" << (shut ? "true" : "false") << "}" << std::endl;
    return flushed && shut ? 0 : 1;
}
