// OTLP metrics encodings of a MetricsData snapshot: protobuf written straight to the wire (no
// generated code) and OTLP/JSON (the JSON Protobuf Encoding of OTLP: lowerCamelCase names,
// trace/span ids as hex, enums as integers, 64-bit integers as decimal strings). Both carry the
// same fields, so they decode to equal requests. Pure functions without shared state; safe to
// call from any thread.
#pragma once

#include <string>

#include "tome/telemetry/metrics/metric_data.hpp"

namespace tome::telemetry::metrics {

/// Encodes `data` as an ExportMetricsServiceRequest (which has the same wire form as
/// MetricsData): one ResourceMetrics, one ScopeMetrics per scope. Sums and gauges use as_int
/// or as_double as recorded; histograms carry count, sum, min, max, bounds, bucket counts and
/// exemplars. Returns the serialized bytes.
std::string EncodeOtlpMetricsProto(const MetricsData& data);

/// The same ExportMetricsServiceRequest as EncodeOtlpMetricsProto, as OTLP/JSON (sent with
/// Content-Type application/json). Data point flags are never set (MetricsData has no
/// no-recorded-value points), so they are left out, as in the protobuf form.
std::string EncodeOtlpMetricsJson(const MetricsData& data);

}  // namespace tome::telemetry::metrics
