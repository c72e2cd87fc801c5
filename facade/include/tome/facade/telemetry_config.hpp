// TelemetryConfig: everything tome::Telemetry is built from (the fields of the original
// createTomeConnectorOpenTelemetry config, plus tail sampling, logs and OTLP transport
// settings), its validation, and how it turns into OTEL_* defaults under the environment.
// Plain data; the functions are pure and may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tome/core/json_path.hpp"
#include "tome/core/status.hpp"
#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/trace/tail_sampling_options.hpp"

namespace tome::facade {

/// Looks up an environment variable; nullopt when unset. Tests pass a map, never the process
/// environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Limits on header names and values (a collector rejects larger ones anyway).
inline constexpr std::size_t kMaxHeaders = 32;
inline constexpr std::size_t kMaxHeaderValueChars = 8192;

struct TelemetryConfig {
    /// service.name of the resource. OTEL_SERVICE_NAME wins when set. Must not be empty.
    std::string service_name = "tome";
    /// service.version of the resource and version of the instrumentation scopes.
    std::string service_version = "0.1.0";
    /// deployment.environment.name of the resource ("development", "staging", ...).
    std::string environment = "development";
    /// OTLP endpoint of all signals ("http://collector:4318"); OTEL_EXPORTER_OTLP_ENDPOINT.
    /// Empty (default): nothing is exported unless the environment names an endpoint or an
    /// exporter, so an unconfigured process never sends to localhost.
    std::string endpoint;
    /// "http/protobuf" (default), "http/json" or "grpc";
    /// OTEL_EXPORTER_OTLP_PROTOCOL.
    std::string protocol = "http/protobuf";
    /// "gzip" or "none"/empty (default); OTEL_EXPORTER_OTLP_COMPRESSION.
    std::string compression;
    /// Headers sent with every OTLP export. A value may name environment variables as
    /// `${NAME}` ("Bearer ${API_KEY}"); they are expanded once, at Telemetry::Create. Values are
    /// secrets: they never appear in logs, errors or Describe(). At most kMaxHeaders headers,
    /// each value at most kMaxHeaderValueChars after expansion. OTEL_EXPORTER_OTLP_HEADERS,
    /// when set, replaces them all.
    std::map<std::string, std::string> headers;
    /// Export metrics over OTLP (default true). The pull reader behind GET /metrics exists
    /// either way.
    bool enable_metrics = true;
    /// Export log records over OTLP (default true). Console output is `log_console`.
    bool enable_logs = true;
    /// Head sampling: share of new traces recorded, 0..1 (default 1), as
    /// parentbased_traceidratio unless `sampler` names another; OTEL_TRACES_SAMPLER[_ARG] win.
    /// Ignored (always_on) when `tail_sampling` is set.
    double sampling_rate = 1.0;
    /// OTEL_TRACES_SAMPLER name overriding the ratio sampler; empty (default) = none.
    std::string sampler;
    /// Spans and log records per export (OTEL_BSP/BLRP_MAX_EXPORT_BATCH_SIZE). Default 512;
    /// 1..max_queue_size. Larger batches mean fewer, bigger requests.
    std::size_t max_export_batch_size = 512;
    /// Spans and log records held before new ones are dropped (OTEL_BSP/BLRP_MAX_QUEUE_SIZE).
    /// Default 2048; each slot costs a pointer up front.
    std::size_t max_queue_size = 2048;
    /// Deadline of one export of any signal (OTEL_BSP/BLRP_EXPORT_TIMEOUT,
    /// OTEL_METRIC_EXPORT_TIMEOUT). Default 30000 ms; must be positive.
    std::chrono::milliseconds export_timeout{30000};
    /// Longest a span or log record waits before its batch is sent (OTEL_BSP/BLRP_SCHEDULE_DELAY).
    /// Default 1000 ms.
    std::chrono::milliseconds scheduled_delay{1000};
    /// Time between two metric pushes (OTEL_METRIC_EXPORT_INTERVAL). Default 60000 ms.
    std::chrono::milliseconds metric_export_interval{60000};
    /// Tail sampling (the traces part's rules: error, latency, high-value, custom). When set and
    /// spans are exported, every span is recorded and whole traces are kept or dropped once
    /// their root ends. nullopt (default): head sampling only.
    std::optional<telemetry::trace::TailSamplingOptions> tail_sampling;
    /// Minimum severity of log records: trace, debug, info (default), warn, error, fatal.
    std::string log_level = "info";
    /// Also write log records as JSON lines to stdout (default true).
    bool log_console = true;
    /// The OTLP/HTTP span exporter's on-disk sending queue (TOME_OTLP_PERSISTENT_QUEUE_DIR and
    /// _MAX_BYTES; see tome/telemetry/export/persistent_queue.hpp): batches the Collector has
    /// not taken survive its outages and tome's restarts, even kill -9. One process per
    /// directory. nullopt (default): batches live in memory only.
    struct PersistentQueue {
        std::string dir;                       ///< Created when missing; must not be empty.
        std::uint64_t max_bytes = 256ULL << 20;  ///< 64 KiB..64 GiB; oldest dropped past it.
    };
    std::optional<PersistentQueue> persistent_queue;
    /// False turns the whole SDK off (OTEL_SDK_DISABLED): spans are no-ops. Default true.
    bool enabled = true;
    /// Further OTEL_* defaults (e.g. OTEL_PROPAGATORS, OTEL_EXPORTER_OTLP_CERTIFICATE,
    /// OTEL_TRACES_EXPORTER) under the same rule: the environment wins. Values are shown by
    /// Describe() except those of *HEADERS* variables.
    std::map<std::string, std::string> otel;
    /// Where the SDK counts spans and export outcomes, and what Stats() reads. Borrowed; must
    /// outlive the Telemetry. nullptr (default): the process-wide DefaultSelfStats() (what
    /// GET /api/telemetry and the otel.sdk.* metrics show). Tests pass their own.
    telemetry::SelfStats* self_stats = nullptr;
};

/// Checks every field; the error names the field ("telemetry.sampling_rate must be between 0
/// and 1, got 1.5"). Does not expand headers.
Status Validate(const TelemetryConfig& config);

/// `value` with each `${NAME}` replaced from `env`. `header` names the header in errors. An
/// unset variable or an unclosed `${` is kInvalidArgument naming the header and variable,
/// never the value.
Result<std::string> ExpandHeaderValue(const std::string& header, const std::string& value,
                                      const EnvLookup& env);

/// The OTEL_* variable values `config` stands for, with `headers` already expanded (joined as
/// OTEL_EXPORTER_OTLP_HEADERS). Contains secrets: never log it.
std::map<std::string, std::string> ToOtelDefaults(
    const TelemetryConfig& config, const std::map<std::string, std::string>& expanded_headers);

/// The configuration as JSON for logs and GET endpoints: header names with "<redacted>"
/// values, and no *HEADERS* value from `otel`.
Json Describe(const TelemetryConfig& config);

}  // namespace tome::facade
