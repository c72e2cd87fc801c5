// Publishes the SDK's own counters (telemetry/api SelfStats, metric overflow) as observable
// metrics `otel.sdk.*`. The returned handles keep the callbacks registered; thread-safety is
// that of the instruments (callbacks read relaxed atomics).
#pragma once

#include <vector>

#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/metrics/meter.hpp"

namespace tome::telemetry::metrics {

/// Registers on `meter`:
///   otel.sdk.span.started            counter {span}
///   otel.sdk.exporter.span.exported  counter {span}
///   otel.sdk.span.dropped            counter {span}, attribute `reason` = queue_full |
///                                    export_failed | shutdown | rejected
///   otel.sdk.exporter.failures       counter {failure}
///   otel.sdk.exporter.retries        counter {retry}
///   otel.sdk.metric.overflowed       counter {measurement} (only when `provider` is given)
/// `stats` and `provider` must outlive the returned handles. Keep the handles alive as long as
/// the metrics should be published.
std::vector<ObservableInstrument> RegisterSelfMetrics(Meter& meter, const SelfStats& stats,
                                                      const MeterProvider* provider = nullptr);

}  // namespace tome::telemetry::metrics
