// tome::Telemetry: the one object a process builds its telemetry from, the C++ counterpart of
// the original createTomeConnectorOpenTelemetry(proxy, config). It owns the tracer, meter and
// logger providers, the propagator, the pull reader behind GET /metrics, the OTLP push readers
// and the SDK's self metrics, and offers spans, events, instruments, logs, the HTTP request
// hooks, real statistics and a bounded Shutdown. All methods may be called concurrently from
// any thread unless a comment says otherwise.
//
// Relation to the Proxy: in C++ the Proxy is built *from* the facade, not the other way
// round. The api layer cannot see the facade (dependencies run facade -> api), so the Proxy
// takes the facade's providers and its RequestInstrumentation at construction
// (ProxyServices{..., tracer_provider(), propagator(), meter_provider(), scrape_reader(),
// &request_instrumentation()}); every request the Proxy serves then goes through the same
// code as StartRequest/EndRequest and is counted by Stats().
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tome/api/request_instrumentation.hpp"
#include "tome/core/status.hpp"
#include "tome/facade/instruments.hpp"
#include "tome/facade/telemetry_config.hpp"
#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/logs/batch_log_processor.hpp"
#include "tome/telemetry/logs/log_record.hpp"
#include "tome/telemetry/logs/logger.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/trace/tail_sampling_processor.hpp"
#include "tome/telemetry/metrics/periodic_reader.hpp"
#include "tome/telemetry/trace/propagation.hpp"
#include "tome/telemetry/trace/tracer.hpp"

namespace tome::facade {

/// Taps through which another component of the process (the console) sees everything this
/// facade's SDK records, in front of the export chain. All optional.
struct TelemetryTaps {
    /// Given the span export chain (tail sampling and exporters; null when nothing is exported),
    /// returns the processor that receives every ended span first and hands it on.
    std::function<std::unique_ptr<telemetry::trace::SpanProcessor>(
        std::unique_ptr<telemetry::trace::SpanProcessor>)>
        spans;
    /// The same for log records (after the level check and the count of Stats().logs_emitted).
    std::function<std::unique_ptr<telemetry::logs::LogProcessor>(std::unique_ptr<telemetry::logs::LogProcessor>)>
        logs;
    /// Added to the MeterProvider beside the Prometheus and OTLP readers.
    std::shared_ptr<telemetry::metrics::MetricReader> metric_reader;
};

/// Real counts since Create (relaxed reads; each field is exact, the set is not one instant).
struct TelemetryStats {
    // Spans (the SelfStats the facade's SDK counts into).
    std::uint64_t spans_started = 0;   ///< StartSpan calls on the live provider.
    std::uint64_t spans_sampled = 0;   ///< Spans created with the sampled flag.
    std::uint64_t spans_ended = 0;     ///< Recording spans ended ("processed").
    std::uint64_t spans_exported = 0;  ///< Spans an exporter accepted.
    std::uint64_t spans_dropped = 0;   ///< The sum of the three reasons below.
    std::uint64_t spans_dropped_queue_full = 0;  ///< The export queue or the tail sampler's
                                                 ///< buffer was full.
    std::uint64_t spans_dropped_export_failed = 0;  ///< In a batch the exporter failed.
    std::uint64_t spans_dropped_shutdown = 0;  ///< Ended after shutdown or still queued at its
                                               ///< deadline (tail sampler's buffer included).
    std::uint64_t spans_dropped_persistent_queue_full = 0;  ///< Deleted from a full persistent
                                                            ///< queue to make room.
    std::uint64_t spans_sampled_out = 0;  ///< Spans of traces the tail sampler decided to drop.
    /// Spans waiting: in the tail sampler's buffer, the export queue, an export in flight or the
    /// persistent queue on disk. With one exporter, at any moment (up to the spans that move
    /// while the counters are read): processed + recovered = exported + dropped + sampled_out +
    /// queued.
    std::uint64_t spans_queued = 0;
    /// The persistent queue (zero without one): batches, spans and bytes on disk now, and the
    /// spans found there at start (left by an earlier run).
    bool persistent_queue = false;
    std::uint64_t persistent_queue_batches = 0;
    std::uint64_t persistent_queue_spans = 0;
    std::uint64_t persistent_queue_bytes = 0;
    std::uint64_t spans_recovered = 0;
    std::uint64_t export_failures = 0; ///< Span export calls that failed.
    // Metrics.
    std::uint64_t metric_measurements = 0;  ///< Through the facade's instruments and request hooks.
    std::uint64_t requests = 0;             ///< Requests ended (hooks and the Proxy).
    // Logs.
    std::uint64_t logs_emitted = 0;   ///< Records at or above the level handed to processors.
    std::uint64_t logs_exported = 0;  ///< Records an OTLP or console exporter accepted.
    std::uint64_t logs_dropped = 0;   ///< Queue full + export failed + at/after shutdown.
    std::uint64_t logs_dropped_queue_full = 0;
    std::uint64_t logs_dropped_export_failed = 0;
    std::uint64_t logs_dropped_shutdown = 0;
    /// In export queues or exports in flight. Per exporter: emitted = exported + dropped + queued
    /// (summed over exporters when there are several, e.g. OTLP and the console's JSON lines).
    std::uint64_t logs_queued = 0;

    Json ToJson() const;
};

/// What a request hook needs to know about one HTTP request.
struct RequestInfo {
    std::string method;          ///< "GET", ... (upper case).
    std::string route;           ///< Template ("/api/tomes/{id}"); empty when none matched.
    std::string path;            ///< "/api/tomes/a" (no query).
    api::HeaderMap headers;      ///< Lower-cased names; traceparent/baggage are read from here.
    std::string client_address;  ///< Peer IP.
    std::string user_agent;      ///< Overrides headers["user-agent"] when not empty.
    std::string server_address;  ///< Overrides the Host header when not empty.
    unsigned short server_port = 0;
};

/// One request between StartRequest and EndRequest: its SERVER span is current on the thread
/// (so AddEvent, Log and child spans attach to it) until EndRequest. Move-only; confine to the
/// starting thread and end in reverse order of start.
class RequestScope {
public:
    RequestScope() = default;
    RequestScope(RequestScope&&) noexcept = default;
    RequestScope& operator=(RequestScope&&) noexcept = default;
    ~RequestScope();

    /// 32 hex digits: continued from the caller or new. Empty when inactive.
    std::string trace_id() const;
    std::string span_id() const;
    /// The SERVER span (add attributes here; EndRequest ends it).
    telemetry::trace::Span& span() noexcept { return request_.span(); }
    bool active() const noexcept { return request_.active(); }

private:
    friend class Telemetry;
    api::InstrumentedRequest request_;
    std::unique_ptr<telemetry::trace::Scope> current_;
};

/// Makes a span current on the calling thread for its lifetime, so that AddEvent, Log and
/// StartSpan children find it. Create and destroy on one thread, nested like scopes. The span
/// must outlive the SpanScope.
class SpanScope {
public:
    explicit SpanScope(telemetry::trace::Span& span);
    ~SpanScope();
    SpanScope(const SpanScope&) = delete;
    SpanScope& operator=(const SpanScope&) = delete;

    /// The innermost SpanScope's span on this thread, or null.
    static telemetry::trace::Span* CurrentSpan() noexcept;

private:
    telemetry::trace::Span& span_;
    telemetry::trace::Scope scope_;
    SpanScope* previous_;
};

class Telemetry {
public:
    /// Validates `config`, expands its header values from `env`, and builds the SDK. The OTEL_*
    /// variables of `env` win over the config. Errors (kInvalidArgument) name the field or the
    /// variable: "telemetry.max_export_batch_size ...", "telemetry header 'authorization':
    /// environment variable API_KEY is not set", "OTEL_TRACES_SAMPLER: ...". Does not install
    /// the global providers (see InstallGlobal).
    /// `taps` (optional) are wired in front of the export chains (see TelemetryTaps).
    static Result<std::unique_ptr<Telemetry>> Create(TelemetryConfig config,
                                                     const EnvLookup& env,
                                                     TelemetryTaps taps = {});

    /// Shutdown(5 s) if not done yet; then uninstalls the global providers if this installed
    /// them and they are still its own.
    ~Telemetry();
    Telemetry(const Telemetry&) = delete;
    Telemetry& operator=(const Telemetry&) = delete;

    /// Makes this facade's tracer, meter and logger providers the process-wide ones (what code
    /// instrumented through telemetry/api sees). Call once, during start-up wiring.
    void InstallGlobal();

    // --- spans ------------------------------------------------------------------------------
    /// Starts a span on the "tome" scope; the parent is options.parent, else the current
    /// Context (a SpanScope, a RequestScope or any telemetry::trace::Scope). The caller owns
    /// the span; End it (or let it go out of scope). Never fails: a no-op span when disabled,
    /// shut down or not sampled.
    telemetry::trace::Span StartSpan(std::string_view name,
                                     std::initializer_list<telemetry::trace::AttributeKV> attributes = {},
                                     telemetry::trace::StartSpanOptions options = {}) const noexcept;
    /// Adds an event to the current span: the innermost SpanScope's or the current request's
    /// SERVER span, whichever is the current Context's span. Returns false (nothing added) when
    /// there is no such span or it is not recording.
    bool AddEvent(std::string_view name,
                  std::initializer_list<telemetry::trace::AttributeKV> attributes = {}) noexcept;

    // --- metrics ----------------------------------------------------------------------------
    /// Instruments on the "tome" meter. T: Counter and Histogram std::uint64_t or double;
    /// Gauge (synchronous, last value) std::int64_t or double. A bad name or unit, or a name
    /// already used with another kind, is kInvalidArgument naming the instrument. Each
    /// measurement is counted in Stats().metric_measurements.
    template <class T>
    Result<Counter<T>> CreateCounter(std::string_view name, std::string_view description = {},
                                     std::string_view unit = {});
    template <class T>
    Result<Histogram<T>> CreateHistogram(std::string_view name, std::string_view description = {},
                                         std::string_view unit = {},
                                         std::vector<double> boundaries = {});
    template <class T>
    Result<Gauge<T>> CreateGauge(std::string_view name, std::string_view description = {},
                                 std::string_view unit = {});

    // --- logs -------------------------------------------------------------------------------
    /// Emits a record on the "tome" logger, carrying the current span's trace and span ids and
    /// the business.* entries of the current baggage as attributes (as the connector's and
    /// RobotCopy's logs do). Below the configured level it is one compare. Never throws.
    void Log(telemetry::logs::Severity severity, std::string_view message,
             std::initializer_list<telemetry::trace::AttributeKV> attributes = {}) noexcept;

    // --- request hooks ----------------------------------------------------------------------
    /// Starts the SERVER span of a request exactly as the Proxy does (same code:
    /// api::RequestInstrumentation) and makes it current on the calling thread. Throws only on
    /// allocation failure.
    RequestScope StartRequest(const RequestInfo& info);
    /// Records the outcome as the Proxy does: the span's status code (and error.type, error
    /// status at >= 500), then http.server.request.duration, proxy.responses.total and
    /// proxy.response_time_ms with `operation` as tome.operation. Ends the scope; later calls
    /// are ignored. Call on the thread that started it.
    void EndRequest(RequestScope& scope, int status, std::string_view operation,
                    std::string_view error_type = {}) noexcept;

    // --- statistics and lifecycle ----------------------------------------------------------
    TelemetryStats Stats() const noexcept;
    /// The configuration this was built from, secrets redacted (see Describe).
    Json DescribeConfig() const { return Describe(config_); }

    /// Flushes and shuts down traces, then metrics (one last collection pushed to each OTLP
    /// reader), then logs, sharing `timeout` between them in that order. Bounded even when the
    /// endpoint is down (what is left at the deadline is dropped and counted). Idempotent: later
    /// calls return the first result at once. True when everything flushed.
    bool Shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(5)) noexcept;

    // --- what the Proxy and other layers are built with -------------------------------------
    telemetry::trace::TracerProvider* tracer_provider() const noexcept { return tracer_provider_.get(); }
    const telemetry::trace::TextMapPropagator* propagator() const noexcept { return propagator_.get(); }
    telemetry::metrics::MeterProvider* meter_provider() const noexcept { return meter_provider_.get(); }
    /// The cumulative pull reader behind GET /metrics.
    telemetry::metrics::MetricReader* scrape_reader() const noexcept { return scrape_reader_.get(); }
    telemetry::logs::LoggerProvider& logger_provider() const noexcept { return *logger_provider_; }
    const api::RequestInstrumentation& request_instrumentation() const noexcept {
        return *requests_;
    }
    const std::shared_ptr<telemetry::trace::TracerProvider>& shared_tracer_provider() const noexcept {
        return tracer_provider_;
    }
    const std::shared_ptr<telemetry::metrics::MeterProvider>& shared_meter_provider() const noexcept {
        return meter_provider_;
    }
    const std::shared_ptr<telemetry::logs::LoggerProvider>& shared_logger_provider() const noexcept {
        return logger_provider_;
    }

private:
    struct Parts;
    explicit Telemetry(TelemetryConfig config, Parts parts);
    std::shared_ptr<detail::MeasurementCount> NewMeasurementCount();

    // Member order is lifetime order: instruments and readers that read the providers are
    // declared after them, so they go first.
    TelemetryConfig config_;
    telemetry::SelfStats* stats_;
    std::shared_ptr<telemetry::trace::TracerProvider> tracer_provider_;
    const telemetry::trace::TailSamplingProcessor* tail_sampler_;  // owned by tracer_provider_
    bool persistent_queue_;  // the span exporter keeps its batches on disk
    std::unique_ptr<telemetry::trace::TextMapPropagator> propagator_;
    std::shared_ptr<telemetry::metrics::MeterProvider> meter_provider_;
    std::shared_ptr<telemetry::metrics::MetricReader> scrape_reader_;
    std::shared_ptr<telemetry::logs::LoggerProvider> logger_provider_;
    std::shared_ptr<const std::atomic<std::uint64_t>> logs_emitted_;
    std::vector<std::function<telemetry::logs::BatchLogProcessorStats()>> log_stats_;
    std::vector<telemetry::metrics::ObservableInstrument> self_metrics_;
    std::vector<std::unique_ptr<telemetry::metrics::PeriodicExportingMetricReader>> metric_push_;
    std::unique_ptr<api::RequestInstrumentation> requests_;
    telemetry::trace::Tracer tracer_;
    telemetry::metrics::Meter meter_;
    std::shared_ptr<telemetry::logs::Logger> logger_;
    mutable std::mutex counts_mu_;
    std::vector<std::shared_ptr<detail::MeasurementCount>> counts_;  // guarded by counts_mu_
    std::mutex shutdown_mu_;
    bool shut_down_ = false;       // guarded by shutdown_mu_
    bool shutdown_result_ = true;  // guarded by shutdown_mu_
    bool installed_global_ = false;
};

}  // namespace tome::facade

namespace tome {
/// `tome::Telemetry` and `tome::TelemetryConfig`, as users write them.
using Telemetry = facade::Telemetry;
using TelemetryConfig = facade::TelemetryConfig;
}  // namespace tome
