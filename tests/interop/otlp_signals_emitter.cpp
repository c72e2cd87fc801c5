// tome_otlp_signals_emitter: records known metrics with tome's metrics SDK and emits known log
// records with tome's logs SDK, then ships both as OTLP/HTTP protobuf (and, with --with-json,
// the very same data again as OTLP/JSON), so that an independent decoder (the official
// OpenTelemetry JavaScript code, see receiver.js) can check what our metrics and logs encoders
// put on the wire.
//
// Usage: tome_otlp_signals_emitter --endpoint http://127.0.0.1:PORT/v1/metrics
//                                  [--logs-endpoint http://127.0.0.1:PORT/v1/logs]
//                                  [--metrics-via curl|exporter] [--with-json]
// (--logs-endpoint defaults to --endpoint with its trailing /v1/metrics replaced by /v1/logs.)
//
// Metrics: one MetricReader::Collect() snapshot sent in a single request, either
//   curl      (default) encoded with metrics::EncodeOtlpMetricsProto and POSTed here with libcurl
//             (application/x-protobuf): checks the encoder alone;
//   exporter  exporter::OtlpHttpMetricExporter (tome_telemetry_export_metrics): checks the
//             exporter as shipped. Only when built with that library (CMake links it when the
//             target exists); otherwise this mode exits 3 saying so.
// Logs: OtlpHttpLogExporter behind a SimpleLogProcessor (one request per record).
// --with-json: the same snapshot is also sent as OTLP/JSON right after the protobuf request
//   (EncodeOtlpMetricsJson POSTed as application/json, or a second OtlpHttpMetricExporter with
//   OtlpProtocol::kHttpJson), and every log record also goes through a second
//   OtlpHttpLogExporter with OtlpProtocol::kHttpJson (its processor runs after the protobuf one).
//
// Prints one JSON object on stdout describing what was sent (ids as lowercase hex, timestamps
// as decimal strings) and exits 0 when both exports succeeded, 1 when one failed, 2 on bad
// usage, 3 when --metrics-via exporter is not available in this build. The environment is not read (no OTEL_* variable changes the output).
#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(TOME_INTEROP_HAVE_OTLP_METRIC_EXPORTER)
#include "tome/telemetry/export/otlp_metric_exporter.hpp"
#endif
#include "tome/telemetry/logs/log_exporter.hpp"
#include "tome/telemetry/logs/log_record.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"
#include "tome/telemetry/metrics/instruments.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_data.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/metrics/otlp_metrics_encoder.hpp"
#include "tome/telemetry/trace/context.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/sampler.hpp"
#include "tome/telemetry/trace/span.hpp"
#include "tome/telemetry/trace/span_context.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace {

namespace tt = tome::telemetry::trace;
namespace tmx = tome::telemetry::metrics;
namespace tl = tome::telemetry::logs;

constexpr std::string_view kScopeName = "tome.interop.signals";
constexpr std::string_view kScopeVersion = "0.4.2";

int Usage(const char* argv0) {
    std::fprintf(stderr,
                 "usage: %s --endpoint URL/v1/metrics [--logs-endpoint URL/v1/logs] "
                 "[--metrics-via curl|exporter] [--with-json]\n",
                 argv0);
    return 2;
}

struct Args {
    std::string metrics_endpoint;
    std::string logs_endpoint;
    bool via_exporter = false;
    bool with_json = false;
};

std::optional<Args> ParseArgs(int argc, char** argv) {
    Args args;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--endpoint" && i + 1 < argc) {
            args.metrics_endpoint = argv[++i];
        } else if (a == "--logs-endpoint" && i + 1 < argc) {
            args.logs_endpoint = argv[++i];
        } else if (a == "--with-json") {
            args.with_json = true;
        } else if (a == "--metrics-via" && i + 1 < argc) {
            const std::string_view v = argv[++i];
            if (v == "exporter") {
                args.via_exporter = true;
            } else if (v != "curl") {
                return std::nullopt;
            }
        } else {
            return std::nullopt;
        }
    }
    if (args.metrics_endpoint.empty()) return std::nullopt;
    if (args.logs_endpoint.empty()) {
        constexpr std::string_view kSuffix = "/v1/metrics";
        const std::string& m = args.metrics_endpoint;
        if (m.size() < kSuffix.size() || m.compare(m.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
            return std::nullopt;
        args.logs_endpoint = m.substr(0, m.size() - kSuffix.size()) + "/v1/logs";
    }
    return args;
}

std::string Quote(std::string_view s) {
    // The strings printed here are hex ids, decimal numbers and fixed ASCII names.
    return "\"" + std::string(s) + "\"";
}

std::size_t DiscardBody(char*, std::size_t size, std::size_t n, void*) { return size * n; }

/// POSTs `body` with `content_type`; returns the HTTP status (0 when no response).
long Post(const std::string& url, const std::string& body, const std::string& content_type) {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return 0;
    const std::string header = "Content-Type: " + content_type;
    curl_slist* headers = curl_slist_append(nullptr, header.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
    long status = 0;
    const CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    } else {
        std::fprintf(stderr, "tome_otlp_signals_emitter: POST %s: %s\n", url.c_str(),
                     curl_easy_strerror(rc));
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    const auto args = ParseArgs(argc, argv);
    if (!args) return Usage(argv[0]);
#if !defined(TOME_INTEROP_HAVE_OTLP_METRIC_EXPORTER)
    if (args->via_exporter) {
        std::fprintf(stderr,
                     "tome_otlp_signals_emitter: --metrics-via exporter is not available: built "
                     "without tome_telemetry_export_metrics (OtlpHttpMetricExporter)\n");
        return 3;
    }
#endif
    curl_global_init(CURL_GLOBAL_DEFAULT);

    // Resource: service.name plus the SDK's detected attributes; the environment is ignored.
    const tome::telemetry::EnvLookup no_env = [](std::string_view) -> std::optional<std::string> {
        return std::nullopt;
    };
    tt::ResourceOptions resource_options;
    resource_options.service_name = "tome-interop-signals";
    resource_options.service_version = "9.8.7";
    auto made = tt::MakeResource(resource_options, no_env);
    if (!made) {
        std::fprintf(stderr, "tome_otlp_signals_emitter: cannot build the resource\n");
        return 1;
    }
    const auto resource = std::make_shared<const tt::Resource>(std::move(made).value());

    // Tracing only provides the current, sampled span (exemplars, log trace context).
    tt::TracerProviderOptions tracer_options;
    tracer_options.sampler = tt::MakeAlwaysOnSampler();
    tracer_options.resource = resource;
    auto tracer_provider = std::make_shared<tt::TracerProvider>(std::move(tracer_options));
    const tt::Tracer tracer = tracer_provider->GetTracer(kScopeName, kScopeVersion);

    // Metrics.
    tmx::MeterProviderOptions meter_options;
    meter_options.resource = resource;
    meter_options.exemplar_filter = tmx::ExemplarFilter::kTraceBased;
    auto meter_provider = std::make_shared<tmx::MeterProvider>(std::move(meter_options));
    auto reader = std::make_shared<tmx::MetricReader>();  // cumulative
    if (!meter_provider->AddReader(reader)) {
        std::fprintf(stderr, "tome_otlp_signals_emitter: AddReader failed\n");
        return 1;
    }
    tmx::Meter meter = meter_provider->GetMeter(kScopeName, kScopeVersion);

    auto requests = meter.CreateCounter<std::uint64_t>(
        "tome.interop.requests", {.description = "Requests handled", .unit = "{request}"});
    auto queue = meter.CreateUpDownCounter<std::int64_t>(
        "tome.interop.queue.depth", {.description = "Items waiting", .unit = "{item}"});
    auto temperature = meter.CreateGauge<double>(
        "tome.interop.temperature", {.description = "Board temperature", .unit = "Cel"});
    auto latency = meter.CreateHistogram<double>(
        "tome.interop.latency",
        {.description = "Request latency", .unit = "ms", .histogram_boundaries = {10, 100, 1000}});
    auto open_files = meter.CreateObservableGauge<std::int64_t>(
        "tome.interop.open_files",
        [](tmx::ObserverResult& r) {
            r.Observe(std::int64_t{42}, {{"kind", "socket"}});
            r.Observe(std::int64_t{7}, {{"kind", "regular"}});
        },
        {.description = "Open file descriptors", .unit = "{file}"});
    if (!requests.ok() || !queue.ok() || !temperature.ok() || !latency.ok() || !open_files.ok()) {
        std::fprintf(stderr, "tome_otlp_signals_emitter: cannot create an instrument\n");
        return 1;
    }

    requests.instrument.Add(3, {{"http.route", "/a"}, {"http.response.status_code", 200}, {"ok", true}});
    requests.instrument.Add(4, {{"http.route", "/b"}, {"http.response.status_code", 404}, {"ok", false}});
    requests.instrument.Add(2, {{"ok", true}, {"http.route", "/a"}, {"http.response.status_code", 200}});
    queue.instrument.Add(10, {{"queue", "q1"}});
    queue.instrument.Add(-3, {{"queue", "q1"}});
    temperature.instrument.Record(21.5, {{"sensor", "board"}});
    temperature.instrument.Record(-3.25, {{"sensor", "board"}});

    // Histogram bounds {10, 100, 1000}: values outside a span keep no exemplar (trace-based
    // filter); inside the span one per bucket: 7 (bucket 0), 700 (bucket 2), 5000 (bucket 3).
    const std::vector<tt::AttributeKV> latency_attrs = {{"http.route", "/a"}};
    latency.instrument.Record(5, latency_attrs);
    latency.instrument.Record(50, latency_attrs);
    latency.instrument.Record(250, latency_attrs);

    // Logs.
    tl::OtlpHttpLogExporterOptions log_exporter_options;
    log_exporter_options.endpoint = args->logs_endpoint;
    log_exporter_options.timeout = std::chrono::milliseconds(10000);
    log_exporter_options.max_attempts = 2;
    log_exporter_options.initial_backoff = std::chrono::milliseconds(100);
    tl::LoggerProviderOptions logger_options;
    logger_options.resource = resource;
    logger_options.processors.push_back(std::make_unique<tl::SimpleLogProcessor>(
        std::make_unique<tl::OtlpHttpLogExporter>(log_exporter_options)));
    if (args->with_json) {
        log_exporter_options.protocol = tome::telemetry::exporter::OtlpProtocol::kHttpJson;
        logger_options.processors.push_back(std::make_unique<tl::SimpleLogProcessor>(
            std::make_unique<tl::OtlpHttpLogExporter>(log_exporter_options)));
    }
    auto logger_provider = tl::MakeLoggerProvider(std::move(logger_options));
    const auto logger = logger_provider->GetLogger(kScopeName, kScopeVersion);

    const std::uint64_t t0 = tt::SystemNowUnixNano() / 1000000000ull * 1000000000ull + 123456789ull;

    tt::StartSpanOptions span_options;
    span_options.root = true;
    tt::Span span = tracer.StartSpan("checkout", span_options);
    const tt::SpanContext sc = span.GetContext();
    if (!span.IsRecording() || !sc.IsSampled()) {
        std::fprintf(stderr, "tome_otlp_signals_emitter: the span is not sampled\n");
        return 1;
    }
    {
        tt::Scope scope = tt::MakeScope(span);
        latency.instrument.Record(7, latency_attrs);
        latency.instrument.Record(700, latency_attrs);
        latency.instrument.Record(5000, latency_attrs);

        tl::LogRecord info;
        info.time_unix_nano = t0;
        info.severity = tl::Severity::kInfo;
        info.body = "user logged in";
        info.event_name = "user.login";
        info.attributes = {
            {"user.id", std::int64_t{9007199254740993LL}},  // 2^53 + 1
            {"user.name", "alice"},
            {"password", "hunter2"},
            {"login.ok", true},
            {"login.seconds", 0.125},
            {"roles", tl::LogValue::Array{"admin", "ops"}},
            {"client", tl::LogValue::Map{{"ip", "10.0.0.1"}, {"port", 8443}, {"password", "pw"}}},
            {"session", tl::LogValue::Bytes{std::string("\x01\x02\xff", 3)}},
        };
        logger->Emit(std::move(info));
        logger->Error("payment failed", {{"error.code", 502}, {"password", "hunter2"}});
    }
    span.End();
    // Outside any span: no trace context.
    logger->Info("emitter finished", {{"records", 3}});

    // Collect and ship the metrics (one request).
    const tmx::MetricsData data = reader->Collect();
    bool metrics_ok = false;
    if (!args->via_exporter) {
        const long status = Post(args->metrics_endpoint, tmx::EncodeOtlpMetricsProto(data),
                                 "application/x-protobuf");
        metrics_ok = status == 200;
        if (!metrics_ok)
            std::fprintf(stderr, "tome_otlp_signals_emitter: metrics POST answered %ld\n", status);
        if (args->with_json) {
            const long json_status =
                Post(args->metrics_endpoint, tmx::EncodeOtlpMetricsJson(data), "application/json");
            metrics_ok = metrics_ok && json_status == 200;
            if (json_status != 200)
                std::fprintf(stderr, "tome_otlp_signals_emitter: metrics JSON POST answered %ld\n",
                             json_status);
        }
    } else {
#if defined(TOME_INTEROP_HAVE_OTLP_METRIC_EXPORTER)
        namespace tx = tome::telemetry::exporter;
        tx::OtlpHttpTransportOptions transport_options;
        transport_options.endpoint = args->metrics_endpoint;
        transport_options.timeout = std::chrono::milliseconds(10000);
        transport_options.max_attempts = 2;
        transport_options.initial_backoff = std::chrono::milliseconds(100);
        std::vector<tx::OtlpProtocol> protocols = {tx::OtlpProtocol::kHttpProtobuf};
        if (args->with_json) protocols.push_back(tx::OtlpProtocol::kHttpJson);
        metrics_ok = true;
        for (const tx::OtlpProtocol protocol : protocols) {
            tx::OtlpHttpMetricExporter exporter(transport_options, protocol);
            const auto result = exporter.Export(
                data, tmx::MetricExporter::Clock::now() + std::chrono::milliseconds(15000));
            if (result != tmx::ExportResult::kSuccess) {
                metrics_ok = false;
                std::fprintf(stderr,
                             "tome_otlp_signals_emitter: OtlpHttpMetricExporter (%s) failed\n",
                             protocol == tx::OtlpProtocol::kHttpJson ? "json" : "protobuf");
            }
            exporter.Shutdown(std::chrono::milliseconds(1000));
        }
#endif
    }

    const bool logs_flushed = logger_provider->ForceFlush(std::chrono::milliseconds(15000));
    const bool logs_shut = logger_provider->Shutdown(std::chrono::milliseconds(5000));
    meter_provider->Shutdown();
    tracer_provider->Shutdown(std::chrono::milliseconds(1000));

    std::cout << "{\"traceId\":" << Quote(sc.trace_id.ToHex())
              << ",\"spanId\":" << Quote(sc.span_id.ToHex())
              << ",\"traceFlags\":" << static_cast<int>(sc.trace_flags)
              << ",\"scope\":{\"name\":" << Quote(kScopeName)
              << ",\"version\":" << Quote(kScopeVersion) << "}"
              << ",\"serviceName\":\"tome-interop-signals\""
              << ",\"logTimeUnixNano\":" << Quote(std::to_string(t0))
              << ",\"histogram\":{\"bounds\":[10,100,1000],\"values\":[5,50,250,7,700,5000]"
              << ",\"exemplarValues\":[7,700,5000]}"
              << ",\"metricsVia\":" << Quote(args->via_exporter ? "exporter" : "curl")
              << ",\"formats\":" << (args->with_json ? "[\"protobuf\",\"json\"]" : "[\"protobuf\"]")
              << ",\"metricsOk\":" << (metrics_ok ? "true" : "false")
              << ",\"logsFlushed\":" << (logs_flushed ? "true" : "false")
              << ",\"logsShutdown\":" << (logs_shut ? "true" : "false") << "}" << std::endl;
    curl_global_cleanup();
    return metrics_ok && logs_flushed && logs_shut ? 0 : 1;
}
