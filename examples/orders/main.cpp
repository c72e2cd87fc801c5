// orders: an example service that uses tome's telemetry the way a user's service would. Each
// order is a SERVER span with a child span per step, a log record that carries the trace ids,
// a counter and a histogram. It exports over OTLP to OTEL_EXPORTER_OTLP_ENDPOINT (and obeys
// the other OTEL_* variables); with no endpoint set nothing is exported.
//
// Usage: orders [COUNT]   places COUNT orders (default 5), prints each order's trace id, flushes.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <tome/facade/telemetry.hpp>
#include <tome/telemetry/api/env.hpp>
#include <tome/version.hpp>

namespace trace = tome::telemetry::trace;
using tome::telemetry::logs::Severity;

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 5;

    tome::TelemetryConfig config;
    config.service_name = "orders-example";
    config.service_version = ORDERS_VERSION;
    config.log_console = false;
    auto created = tome::Telemetry::Create(config, tome::telemetry::ProcessEnv());
    if (!created.ok()) {
        std::fprintf(stderr, "orders: %s\n", created.status().ToString().c_str());
        return 2;
    }
    tome::Telemetry& telemetry = **created;
    telemetry.InstallGlobal();

    auto placed = telemetry.CreateCounter<std::uint64_t>("orders.placed", "Orders placed", "{order}");
    auto duration = telemetry.CreateHistogram<double>("orders.duration", "Time to place an order", "s");
    if (!placed.ok() || !duration.ok()) return 2;

    for (int i = 1; i <= count; ++i) {
        const std::string id = "o-" + std::to_string(i);
        const auto start = std::chrono::steady_clock::now();
        auto order = telemetry.StartSpan("order.place", {{"business.order_id", id}},
                                         {.kind = trace::SpanKind::kServer});
        {
            tome::facade::SpanScope scope(order);
            telemetry.StartSpan("inventory.reserve", {{"inventory.items", std::int64_t{2}}}).End();
            telemetry.StartSpan("payment.charge", {{"payment.method", "card"}}).End();
            telemetry.Log(Severity::kInfo, "order placed", {{"business.order_id", id}});
        }
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        placed->Add(1, {{"payment.method", "card"}});
        duration->Record(took.count());
        std::printf("order %s trace %s\n", id.c_str(), order.GetContext().trace_id.ToHex().c_str());
        order.End();
    }

    const bool flushed = telemetry.Shutdown(std::chrono::seconds(10));
    const tome::facade::TelemetryStats stats = telemetry.Stats();
    std::printf("orders (tome %s): %llu spans and %llu log records exported, %llu dropped%s\n",
                TOME_VERSION_STRING, static_cast<unsigned long long>(stats.spans_exported),
                static_cast<unsigned long long>(stats.logs_exported),
                static_cast<unsigned long long>(stats.spans_dropped + stats.logs_dropped),
                flushed ? "" : " (not everything flushed in time)");
    return flushed ? 0 : 1;
}
