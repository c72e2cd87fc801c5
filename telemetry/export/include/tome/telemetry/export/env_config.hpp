// Trace SDK configuration from OTEL_* environment variables (read through an EnvLookup so that
// tests never touch the process environment), and building a ready TracerProvider and
// propagator from it. A bad value is an error naming the variable. Pure functions; call from
// any thread.
//
// tome-specific variable: TOME_OTLP_FILE=<path> adds an exporter that appends one OTLP/JSON
// ExportTraceServiceRequest per line to <path> (OtlpFileExporter). When OTEL_TRACES_EXPORTER is
// unset it replaces the default "otlp"; when it is set, the file is written in addition to the
// exporters it names (so OTEL_TRACES_EXPORTER=otlp,console plus TOME_OTLP_FILE gives all three).
// TOME_OTLP_PERSISTENT_QUEUE_DIR=<dir> puts the OTLP/HTTP span exporter's batches in a
// PersistentExportQueue there (TOME_OTLP_PERSISTENT_QUEUE_MAX_BYTES bounds it; default 256 MiB);
// with OTLP/gRPC it is an error.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/export/otlp_file_exporter.hpp"
#include "tome/telemetry/export/otlp_grpc_exporter.hpp"
#include "tome/telemetry/export/otlp_http_exporter.hpp"
#include "tome/telemetry/trace/batch_span_processor.hpp"
#include "tome/telemetry/trace/propagation.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/tail_sampling_options.hpp"
#include "tome/telemetry/trace/tail_sampling_processor.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::exporter {

/// kOtlpFile is selected by TOME_OTLP_FILE, never by OTEL_TRACES_EXPORTER.
enum class TracesExporterKind : std::uint8_t { kOtlp, kConsole, kOtlpFile };
/// How the "otlp" exporter sends: OTLP/HTTP (http/protobuf, http/json) or OTLP/gRPC.
enum class OtlpTransport : std::uint8_t { kHttp, kGrpc };

/// Everything the variables say, with spec defaults for the unset ones.
struct TracesEnvConfig {
    bool sdk_disabled = false;                          ///< OTEL_SDK_DISABLED; default false.
    std::string sampler = "parentbased_always_on";      ///< OTEL_TRACES_SAMPLER (lowercased).
    double sampler_ratio = 1.0;                         ///< OTEL_TRACES_SAMPLER_ARG; default 1.
    trace::BatchSpanProcessorOptions batch;             ///< OTEL_BSP_*.
    trace::SpanLimits limits;                           ///< OTEL_SPAN_*_LIMIT, OTEL_ATTRIBUTE_*.
    OtlpHttpExporterOptions otlp;                       ///< OTEL_EXPORTER_OTLP_[TRACES_]*.
    /// kGrpc when OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL=grpc; then `otlp_grpc` is used and
    /// `otlp.protocol` is left at its default.
    OtlpTransport otlp_transport = OtlpTransport::kHttp;
    /// The same variables for grpc: the endpoint as is (default http://localhost:4317, no
    /// /v1/traces), plus OTEL_EXPORTER_OTLP_[TRACES_]INSECURE.
    OtlpGrpcExporterOptions otlp_grpc;
    OtlpFileExporterOptions otlp_file;                  ///< TOME_OTLP_FILE (see above).
    std::vector<TracesExporterKind> exporters = {TracesExporterKind::kOtlp};  ///< Default otlp.
};

/// Reads and validates every trace-related variable. Signal-specific OTEL_EXPORTER_OTLP_TRACES_*
/// wins over the generic one; for HTTP a generic ENDPOINT gets "v1/traces" appended (after a
/// '/'), a TRACES_ENDPOINT is used as is (an empty path becomes "/"); for grpc both are used as
/// is. PROTOCOL=grpc with "otlp" selected is an error when this build has no gRPC.
Result<TracesEnvConfig> ReadTracesEnvConfig(const EnvLookup& env);

/// The sampler named by `config.sampler` (always_on, always_off, traceidratio and their
/// parentbased_ forms). Unsupported names are errors naming OTEL_TRACES_SAMPLER.
Result<std::unique_ptr<trace::Sampler>> MakeSamplerFromConfig(const TracesEnvConfig& config);

/// A provider and propagator built from the environment.
struct TracesSdk {
    std::shared_ptr<trace::TracerProvider> provider;  ///< No-op when OTEL_SDK_DISABLED=true.
    std::unique_ptr<trace::TextMapPropagator> propagator;
    std::vector<std::string> warnings;  ///< E.g. unknown OTEL_PROPAGATORS entries.
    /// The tail sampler when one was wired (owned by `provider`, valid while it lives), for
    /// its Stats(); null otherwise.
    trace::TailSamplingProcessor* tail_sampler = nullptr;
};

/// Reads the configuration and builds the SDK: batch processor + OTLP/HTTP or OTLP/gRPC
/// exporter for "otlp", simple processor + console exporter for "console", batch processor +
/// OtlpFileExporter for TOME_OTLP_FILE (an unopenable file is an error naming the variable).
/// `resource` options win over OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME.
/// `tail_sampling` (optional, copied): when non-null and at least one exporter is selected, the
/// exporters' processors sit behind one TailSamplingProcessor with these options and the head
/// sampler is AlwaysOn (UseTailSampling's contract); an OTEL_TRACES_SAMPLER that is set is then
/// ignored, with a warning. Null (default): unchanged.
/// `span_attributes` (optional): stamped on every span at start by a SpanAttributesProcessor in
/// front of everything else (what instrumentation sets wins); empty (default): none.
/// `tap` (optional): given the export chain (tail sampler and exporters' processors, or null
/// when nothing is exported), returns the processor that takes every span first (the console's
/// tee); it sits behind the SpanAttributesProcessor. Empty (default): none.
using SpanTap = std::function<std::unique_ptr<trace::SpanProcessor>(std::unique_ptr<trace::SpanProcessor>)>;
Result<TracesSdk> BuildTracesSdkFromEnv(const EnvLookup& env,
                                        const trace::ResourceOptions& resource = {},
                                        SelfStats* stats = nullptr,
                                        const trace::TailSamplingOptions* tail_sampling = nullptr,
                                        std::vector<trace::Attribute> span_attributes = {},
                                        SpanTap tap = {});

}  // namespace tome::telemetry::exporter
