#include "tome/telemetry/metrics/self_metrics.hpp"

namespace tome::telemetry::metrics {
namespace {

using C = SelfStats::Counter;

void Keep(std::vector<ObservableInstrument>& out, Created<ObservableInstrument> created) {
    if (created.ok()) out.push_back(std::move(created.instrument));
}

ObservableCallback One(const SelfStats& stats, C counter) {
    return [&stats, counter](ObserverResult& r) {
        r.Observe(static_cast<std::int64_t>(stats.Get(counter)));
    };
}

}  // namespace

std::vector<ObservableInstrument> RegisterSelfMetrics(Meter& meter, const SelfStats& stats,
                                                      const MeterProvider* provider) {
    std::vector<ObservableInstrument> out;
    Keep(out,
         meter.CreateObservableCounter<std::int64_t>(
             "otel.sdk.span.started", One(stats, C::kSpansStarted),
             {.description = "Spans started on a live SDK tracer provider", .unit = "{span}"}));
    Keep(out, meter.CreateObservableCounter<std::int64_t>(
                  "otel.sdk.exporter.span.exported", One(stats, C::kSpansExported),
                  {.description = "Spans an exporter accepted", .unit = "{span}"}));
    Keep(out,
         meter.CreateObservableCounter<std::int64_t>(
             "otel.sdk.span.dropped",
             [&stats](ObserverResult& r) {
                 auto obs = [&](const char* reason, C c) {
                     r.Observe(static_cast<std::int64_t>(stats.Get(c)), {{"reason", reason}});
                 };
                 obs("queue_full", C::kDroppedQueueFull);
                 obs("export_failed", C::kDroppedExportFailed);
                 obs("shutdown", C::kDroppedShutdown);
                 obs("persistent_queue_full", C::kDroppedPersistentQueueFull);
                 obs("rejected", C::kRejectedByReceiver);
             },
             {.description = "Spans lost before or during export, by reason", .unit = "{span}"}));
    Keep(out, meter.CreateObservableCounter<std::int64_t>(
                  "otel.sdk.exporter.failures", One(stats, C::kExportFailures),
                  {.description = "Export calls that failed", .unit = "{failure}"}));
    Keep(out, meter.CreateObservableCounter<std::int64_t>(
                  "otel.sdk.exporter.retries", One(stats, C::kExportRetries),
                  {.description = "Transport-level export retries", .unit = "{retry}"}));
    Keep(out, meter.CreateObservableUpDownCounter<std::int64_t>(
                  "otel.sdk.span.queued", One(stats, C::kSpansQueued),
                  {.description = "Spans waiting for export: in queues, in an export in flight "
                                  "or in the persistent queue on disk",
                   .unit = "{span}"}));
    Keep(out, meter.CreateObservableUpDownCounter<std::int64_t>(
                  "otel.sdk.persistent_queue.size", One(stats, C::kPersistentQueueBytes),
                  {.description = "Bytes of span batches in the persistent export queue on disk",
                   .unit = "By"}));
    if (provider != nullptr) {
        Keep(out, meter.CreateObservableCounter<std::int64_t>(
                      "otel.sdk.metric.overflowed",
                      [provider](ObserverResult& r) {
                          r.Observe(static_cast<std::int64_t>(provider->overflowed_measurements()));
                      },
                      {.description = "Measurements recorded into an otel.metric.overflow series "
                                      "because an instrument reached its cardinality limit",
                       .unit = "{measurement}"}));
    }
    return out;
}

}  // namespace tome::telemetry::metrics
