// Runs `promtool check metrics` (Prometheus' own parser and linter) on the text-format 0.0.4
// exposition of a representative snapshot built through the real SDK: counters, an up-down
// counter, gauges, histograms with exemplars, an overflow series, self metrics, target_info.
// Registered with add_test; exits 77 (ctest SKIP) when promtool is not installed.
// promtool 2.42 (Debian 12) parses only text 0.0.4, so the OpenMetrics form is covered by the
// golden-file tests instead.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/metrics/prometheus.hpp"
#include "tome/telemetry/metrics/self_metrics.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace om = tome::telemetry::metrics;
namespace tt = tome::telemetry::trace;

namespace {

om::MetricsData Representative() {
    om::MeterProviderOptions o;
    o.resource = std::make_shared<const tt::Resource>(
        std::vector<tt::Attribute>{{"service.name", std::string("tome")},
                                   {"service.version", std::string("0.1.0")},
                                   {"host.name", std::string("ci-host")}});
    o.views.push_back({"tome.connections", {}, 3});
    o.diagnostic = [](std::string_view) {};
    auto provider = std::make_shared<om::MeterProvider>(std::move(o));
    auto reader = std::make_shared<om::MetricReader>();
    provider->AddReader(reader);
    om::Meter meter = provider->GetMeter("tome.server", "0.1.0");

    auto requests = meter.CreateCounter<std::uint64_t>(
        "http.server.requests", {.description = "HTTP requests handled", .unit = "{request}"});
    auto bytes = meter.CreateCounter<double>("http.server.response.body.size",
                                             {.description = "Bytes sent", .unit = "By"});
    auto active = meter.CreateUpDownCounter<std::int64_t>(
        "http.server.active_requests", {.description = "Requests in flight", .unit = "{request}"});
    auto conns = meter.CreateUpDownCounter<std::int64_t>(
        "tome.connections", {.description = "Open connections by peer"});
    auto temp = meter.CreateGauge<double>("tome.queue.fill",
                                          {.description = "Queue fill level", .unit = "1"});
    auto latency = meter.CreateHistogram<double>(
        "http.server.request.duration", {.description = "Request latency",
                                         .unit = "s",
                                         .histogram_boundaries = {0.005, 0.01, 0.1, 1, 10}});
    auto sizes = meter.CreateHistogram<std::uint64_t>(
        "tome.event.size", {.description = "Event payload size", .unit = "By"});

    requests.instrument.Add(10, {{"http.request.method", "GET"}, {"http.route", "/api/\"q\""}});
    requests.instrument.Add(2, {{"http.request.method", "POST"}, {"http.route", "/api"}});
    bytes.instrument.Add(2048.5);
    active.instrument.Add(3);
    active.instrument.Add(-1);
    for (int i = 0; i < 6; ++i) conns.instrument.Add(1, {{"peer", std::to_string(i)}});
    temp.instrument.Record(0.75, {{"queue", "events\nin"}});
    tt::SpanContext sc{tome::telemetry::GenerateTraceId(),
                       tome::telemetry::GenerateSpanId(),
                       tt::kTraceFlagSampled,
                       {},
                       false};
    {
        tt::Scope scope(tt::Context{}.WithSpanContext(sc));
        latency.instrument.Record(2.5, {{"http.route", "/api"}});
    }
    for (double v : {0.001, 0.02, 0.3, 12.0})
        latency.instrument.Record(v, {{"http.route", "/api"}});
    sizes.instrument.Record(512);

    static tome::telemetry::SelfStats stats;
    stats.Add(tome::telemetry::SelfStats::Counter::kSpansExported, 5);
    auto self = om::RegisterSelfMetrics(meter, stats, provider.get());
    return reader->Collect();
}

}  // namespace

int main(int argc, char** argv) {
    if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
        std::cout << "SKIP: promtool is not installed (scripts/install-deps.sh installs the "
                     "Debian package 'prometheus')\n";
        return 77;
    }
    const std::string path = argc > 1 ? argv[1] : "metrics_promtool_input.txt";
    const std::string text =
        om::ToPrometheusText(Representative(), om::ExpositionFormat::kPrometheusText004);
    if (text.find("otel_metric_overflow=\"true\"") == std::string::npos ||
        text.find("_bucket{") == std::string::npos ||
        text.find("target_info{") == std::string::npos) {
        std::cerr << "FAIL: the representative exposition lacks a case it should cover:\n" << text;
        return 1;
    }
    std::ofstream(path, std::ios::binary) << text;
    const std::string cmd = "promtool check metrics < '" + path + "' 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) {
        std::cerr << "FAIL: cannot run promtool\n";
        return 1;
    }
    std::string output;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
    const int status = pclose(pipe);
    if (status != 0 || !output.empty()) {
        std::cerr << "FAIL: promtool check metrics complained (status " << status << "):\n"
                  << output << "\n--- exposition (" << path << ") ---\n"
                  << text;
        return 1;
    }
    std::cout << "OK: promtool accepts " << text.size() << " bytes of exposition (" << path
              << ")\n";
    return 0;
}
