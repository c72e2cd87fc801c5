// OTLP metrics protobuf encoding, written straight to the wire (no generated code). A pure
// function without shared state; safe to call from any thread.
#pragma once

#include <string>

#include "tome/telemetry/metrics/metric_data.hpp"

namespace tome::telemetry::metrics {

/// Encodes `data` as an ExportMetricsServiceRequest (which has the same wire form as
/// MetricsData): one ResourceMetrics, one ScopeMetrics per scope. Sums and gauges use as_int
/// or as_double as recorded; histograms carry count, sum, min, max, bounds, bucket counts and
/// exemplars. Returns the serialized bytes.
std::string EncodeOtlpMetricsProto(const MetricsData& data);

}  // namespace tome::telemetry::metrics
