// Events per second forwarded through in-process networks (SendEvent, BFS, one snapshot per
// event). items_processed = deliveries (origin included).
//
// Reference run: 2026-11-24, 2-core Debian 12 VM, g++ 12, RelWithDebInfo (-O2 -g), median of
// 3 x 1 s, CPU time (the VM was shared: load average ~5; Tome::Send alone measured 50 ns here
// against 27 ns in the previous reference run, so compare ratios within one run only).
//   BM_NetworkRingOfFive                1643 ns/event  (5 deliveries/event, no-op provider)
//   BM_NetworkHubOfTen                  3515 ns/event  (11 deliveries/event, no-op provider)
//   BM_NetworkRingOfFiveTracingOff      1616 ns/event
//   BM_NetworkRingOfFiveRoutingOff       534 ns/event  (origin only)
//   BM_NetworkRingOfFiveSdk             3955 ns/event  (SDK, every delivery a sampled span)
//   BM_NetworkHubOfTenSdk               8639 ns/event
//   BM_NetworkRingOfFiveSdkTracingOff   1698 ns/event  (SDK installed, enable-tracing off)
//   BM_NetworkRingOfFiveSdkUnsampled    1923 ns/event  (SDK, ParentBased(AlwaysOff))
//   BM_TomeSendAlone                    50.1 ns/event  (no connector)
// SDK vs global no-op provider (batch processor, dropping exporter, 100% sampled):
//   ring 2.41x, hub 2.46x: ~460 ns per recorded span (SpanData, ~10 attributes, end, queue).
//   enable-tracing off with the SDK installed: 1.03x (no span is started); unsampled: 1.17x
//   (~55 ns per delivery: sampler, ids, context copies; no allocation).
// Already-visited skips are one count attribute per span, not one event each: as events the
// sampled ring cost 3.1x (5162 ns).
//
// Re-run on Release (-O3), 2026-12-06, 2 x AMD EPYC vCPU at 2.7 GHz (shared VM), g++ 12.2,
// median of 3, CPU time per event:
//   RingOfFive 3567 ns, HubOfTen 8028, TracingOff 3713, RoutingOff 1188, RingOfFiveSdk 9761,
//   HubOfTenSdk 19881, SdkTracingOff 2158, SdkUnsampled 2574, LogsAtInfo 2971,
//   SdkLogsAtInfo 5889, TomeSendAlone 57.4 ns. The no-op ring is twice its November figure
//   (RelWithDebInfo then, a busier VM now or work added per delivery since: not investigated).
//   (Sdk - SdkLogsAtInfo) / 5 deliveries: ~780 ns per debug record in this program, against
//   ~300 ns in logs_bench: worth a look.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tome/connector/connector.hpp"
#include "tome/core/tome_definition.hpp"
#include "tome/telemetry/logs/batch_log_processor.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace {

using tome::connector::ConnectionConfig;
using tome::connector::Connector;

/// idle <-PING-> active, so every delivery is a handled transition.
tome::Json Definition(const std::string& id) {
    return {{"id", id},
            {"initial", "idle"},
            {"states",
             {{"idle", {{"on", {{"PING", "active"}}}}}, {"active", {{"on", {{"PING", "idle"}}}}}}}};
}

/// Accepts every batch and keeps nothing: the cost measured is the SDK's, not an export's.
class DroppingExporter final : public tome::telemetry::trace::SpanExporter {
  public:
    tome::telemetry::trace::ExportResult Export(
        std::span<const std::unique_ptr<tome::telemetry::trace::SpanData>>,
        Clock::time_point) noexcept override {
        return tome::telemetry::trace::ExportResult::kSuccess;
    }
    bool Shutdown(std::chrono::milliseconds) noexcept override { return true; }
};

/// A real SDK provider: parent-based sampling (root AlwaysOn, or AlwaysOff when !sampled),
/// batch processor, dropping exporter.
std::shared_ptr<tome::telemetry::trace::TracerProvider> SdkTracer(bool sampled = true) {
    namespace trace = tome::telemetry::trace;
    trace::TracerProviderOptions options;
    options.sampler = trace::MakeParentBasedSampler(
        sampled ? trace::MakeAlwaysOnSampler() : trace::MakeAlwaysOffSampler());
    options.processors.push_back(std::make_unique<trace::BatchSpanProcessor>(
        std::make_unique<DroppingExporter>(), trace::BatchSpanProcessorOptions{}));
    return std::make_shared<trace::TracerProvider>(std::move(options));
}

tome::connector::ConnectorOptions WithTracer(
    std::shared_ptr<tome::telemetry::trace::TracerProvider> tracer) {
    tome::connector::ConnectorOptions options;
    options.tracer_provider = std::move(tracer);
    return options;
}

struct Network {
    explicit Network(std::map<std::string, bool> toggle_overrides = {},
                     tome::connector::ConnectorOptions options = {})
        : toggles(toggle_overrides),
          connector(registry, toggles, tome::SystemClock::Get(), std::move(options)) {}

    std::vector<std::string> AddTomes(const std::string& prefix, int n) {
        std::vector<std::string> ids;
        for (int i = 0; i < n; ++i) {
            ids.push_back(prefix + std::to_string(i));
            auto def = tome::ParseTomeDefinition(Definition(ids.back()));
            (void)registry.Add(std::make_shared<tome::Tome>(std::move(def).value()));
        }
        return ids;
    }

    tome::TomeRegistry registry;
    tome::FeatureToggles toggles;
    Connector connector;
};

void Run(benchmark::State& state, Network& net, const std::string& origin) {
    const tome::TomeEvent event{"PING"};
    std::uint64_t deliveries = 0;
    for (auto _ : state) {
        auto report = net.connector.SendEvent(origin, event);
        deliveries += report->deliveries.size();
        benchmark::DoNotOptimize(report);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(deliveries));
}

void BM_NetworkRingOfFive(benchmark::State& state) {
    Network net;
    auto ids = net.AddTomes("r", 5);
    (void)net.connector.CreateRingNetwork(ids, ConnectionConfig{});
    Run(state, net, ids[0]);
}
BENCHMARK(BM_NetworkRingOfFive);

void BM_NetworkHubOfTen(benchmark::State& state) {
    Network net;
    auto hub = net.AddTomes("hub", 1);
    auto spokes = net.AddTomes("s", 10);
    (void)net.connector.CreateHubNetwork(hub[0], spokes, ConnectionConfig{});
    Run(state, net, hub[0]);
}
BENCHMARK(BM_NetworkHubOfTen);

// Ring of five with tracing off: no trace id is generated per event.
void BM_NetworkRingOfFiveTracingOff(benchmark::State& state) {
    Network net({{std::string(tome::toggles::kTracing), false}});
    auto ids = net.AddTomes("r", 5);
    (void)net.connector.CreateRingNetwork(ids, ConnectionConfig{});
    Run(state, net, ids[0]);
}
BENCHMARK(BM_NetworkRingOfFiveTracingOff);

// The path that should cost little: routing off, only the origin handles the event.
void BM_NetworkRingOfFiveRoutingOff(benchmark::State& state) {
    Network net({{std::string(tome::toggles::kEventRouting), false}});
    auto ids = net.AddTomes("r", 5);
    (void)net.connector.CreateRingNetwork(ids, ConnectionConfig{});
    Run(state, net, ids[0]);
}
BENCHMARK(BM_NetworkRingOfFiveRoutingOff);

// The same workloads with a real SDK tracer (one span per delivery, batch processor, dropping
// exporter) instead of the global no-op provider.
void BM_NetworkRingOfFiveSdk(benchmark::State& state) {
    auto tracer = SdkTracer();
    Network net({}, WithTracer(tracer));
    auto ids = net.AddTomes("r", 5);
    (void)net.connector.CreateRingNetwork(ids, ConnectionConfig{});
    Run(state, net, ids[0]);
    tracer->Shutdown(std::chrono::seconds(5));
}
BENCHMARK(BM_NetworkRingOfFiveSdk);

void BM_NetworkHubOfTenSdk(benchmark::State& state) {
    auto tracer = SdkTracer();
    Network net({}, WithTracer(tracer));
    auto hub = net.AddTomes("hub", 1);
    auto spokes = net.AddTomes("s", 10);
    (void)net.connector.CreateHubNetwork(hub[0], spokes, ConnectionConfig{});
    Run(state, net, hub[0]);
    tracer->Shutdown(std::chrono::seconds(5));
}
BENCHMARK(BM_NetworkHubOfTenSdk);

// SDK installed but the enable-tracing toggle off: no span is started.
void BM_NetworkRingOfFiveSdkTracingOff(benchmark::State& state) {
    auto tracer = SdkTracer();
    Network net({{std::string(tome::toggles::kTracing), false}}, WithTracer(tracer));
    auto ids = net.AddTomes("r", 5);
    (void)net.connector.CreateRingNetwork(ids, ConnectionConfig{});
    Run(state, net, ids[0]);
    tracer->Shutdown(std::chrono::seconds(5));
}
BENCHMARK(BM_NetworkRingOfFiveSdkTracingOff);

// SDK installed, nothing sampled: spans are non-recording (no SpanData, no allocation).
void BM_NetworkRingOfFiveSdkUnsampled(benchmark::State& state) {
    auto tracer = SdkTracer(false);
    Network net({}, WithTracer(tracer));
    auto ids = net.AddTomes("r", 5);
    (void)net.connector.CreateRingNetwork(ids, ConnectionConfig{});
    Run(state, net, ids[0]);
    tracer->Shutdown(std::chrono::seconds(5));
}
BENCHMARK(BM_NetworkRingOfFiveSdkUnsampled);

/// A real logs SDK at INFO (batch processor into memory): the connector's per-event records
/// (Event forwarded, already-visited drops) are DEBUG, so a healthy ring emits none.
std::shared_ptr<tome::telemetry::logs::LoggerProvider> InfoLogger() {
    namespace logs = tome::telemetry::logs;
    logs::LoggerProviderOptions options;
    options.min_severity = logs::Severity::kInfo;
    options.processors.push_back(std::make_unique<logs::BatchLogProcessor>(
        std::make_unique<logs::InMemoryLogExporter>()));
    return logs::MakeLoggerProvider(std::move(options));
}

// BM_NetworkRingOfFive and ...Sdk with the logs SDK at INFO: must cost nothing measurable.
void BM_NetworkRingOfFiveLogsAtInfo(benchmark::State& state) {
    tome::connector::ConnectorOptions options;
    options.logger_provider = InfoLogger();
    Network net({}, options);
    auto ids = net.AddTomes("r", 5);
    (void)net.connector.CreateRingNetwork(ids, ConnectionConfig{});
    Run(state, net, ids[0]);
}
BENCHMARK(BM_NetworkRingOfFiveLogsAtInfo);

void BM_NetworkRingOfFiveSdkLogsAtInfo(benchmark::State& state) {
    auto tracer = SdkTracer();
    auto options = WithTracer(tracer);
    options.logger_provider = InfoLogger();
    Network net({}, options);
    auto ids = net.AddTomes("r", 5);
    (void)net.connector.CreateRingNetwork(ids, ConnectionConfig{});
    Run(state, net, ids[0]);
    tracer->Shutdown(std::chrono::seconds(5));
}
BENCHMARK(BM_NetworkRingOfFiveSdkLogsAtInfo);

// Baseline: Tome::Send alone, no connector.
void BM_TomeSendAlone(benchmark::State& state) {
    auto def = tome::ParseTomeDefinition(Definition("solo"));
    tome::Tome tome(std::move(def).value());
    const tome::TomeEvent event{"PING"};
    for (auto _ : state) benchmark::DoNotOptimize(tome.Send(event));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TomeSendAlone);

}  // namespace
