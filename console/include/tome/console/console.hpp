// tome::console::Console: the embedded console's back end, one component with a start / flush /
// shutdown lifecycle. It owns the byte-bounded store of spans, log records and metric points
// (with the service graph and RED derived from spans at ingest), the ingest thread, the taps
// that feed it from this process's SDK (a span tee and a log tee in front of the export chain,
// and a metric reader), and the HTTP handler for the OTLP receiver (POST /v1/traces,
// /v1/metrics, /v1/logs), the query APIs (/console/api/..., /jaeger/api/...) and the UI.
// Thread-safety: every method may be called from any thread; Start once, Shutdown is idempotent.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tome/api/http.hpp"
#include "tome/console/alerts.hpp"
#include "tome/core/clock.hpp"
#include "tome/core/status.hpp"
#include "tome/telemetry/logs/log_exporter.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"
#include "tome/telemetry/trace/span_processor.hpp"

namespace tome::console {

struct ConsoleOptions {
    /// Keep this process's telemetry and serve the console (YAML console.enabled). Default on.
    bool enabled = true;
    /// Everything the store holds: records, indexes and derived data (YAML console.maxBytes).
    /// Oldest data is evicted first. Default 256 MiB; at least 4 MiB.
    std::size_t max_bytes = 256u << 20;
    /// Telemetry accepted but not yet stored (YAML console.ingestQueueBytes); past it OTLP
    /// senders get 429 and this process's spans go on to the exporters without being stored
    /// (both counted). 0 (default): max_bytes / 16.
    std::size_t ingest_queue_bytes = 0;
    /// How often the console's own metric reader collects this process's instruments (YAML
    /// console.metricIntervalMs). Default 5 s.
    std::chrono::milliseconds metric_interval{5000};
    /// Largest OTLP/HTTP request body on the wire, and after gzip decompression. Defaults 16 MiB
    /// and 64 MiB (the OTLP specification's server limit).
    std::size_t otlp_max_request_bytes = 16u << 20;
    std::size_t otlp_max_decompressed_bytes = 64u << 20;
    /// How long a CLIENT span waits for the SERVER span it caused (and the reverse) before the
    /// graph counts it unpaired or gives it a virtual peer. Default 10 s.
    std::chrono::milliseconds pairing_wait{10000};
    /// Show spans that started and have not ended (the /running page). Costs a map insert per
    /// span start. Default on.
    bool track_running_spans = true;
    /// OTLP/gRPC receiver (builds with gRPC only): the address it listens on (the app sets the
    /// server's) and its port (YAML console.otlpGrpcPort, TOME_CONSOLE_GRPC_PORT). Default
    /// 127.0.0.1:4317; port 0 turns it off. A port already in use is a warning, not a failure:
    /// a Collector may hold 4317 on the same machine.
    std::string otlp_grpc_address = "127.0.0.1";
    unsigned short otlp_grpc_port = 4317;
    /// Decides an OTLP/gRPC Export call from its "authorization" metadata ("" when absent):
    /// 0 lets it in, 16 (UNAUTHENTICATED) or 7 (PERMISSION_DENIED) refuses it with `message`.
    /// Empty: every call is let in. (OTLP/HTTP requests are checked by the app's router.)
    std::function<int(std::string_view authorization, std::string& message)> authorize_grpc_export;
    /// Alert rules evaluated over the console's data, anomaly detection, notifications
    /// (GET /api/alerts shows them; tome.alerts.firing counts them).
    AlertingOptions alerting;
};

/// What the console shows of the tome network of this process (tomes, connections, health):
/// the JSON of console/README.md's `Network`. Called from server threads; must be thread-safe.
using NetworkView = std::function<nlohmann::json()>;

class Console {
public:
    /// Checks the options (kInvalidArgument naming the field).
    static Result<std::unique_ptr<Console>> Create(ConsoleOptions options, const Clock& clock);
    /// Shutdown(5 s) if still running.
    ~Console();
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    // --- taps into this process's SDK (wire them before Start) -----------------------------
    /// A span processor that stores every span and then hands it to `next` (may be null) from
    /// the console's thread. Put it in front of the export chain (tail sampling included).
    /// The Console must outlive it.
    std::unique_ptr<telemetry::trace::SpanProcessor> TeeSpans(
        std::unique_ptr<telemetry::trace::SpanProcessor> next);
    /// The same for log records.
    std::unique_ptr<telemetry::logs::LogProcessor> TeeLogs(std::unique_ptr<telemetry::logs::LogProcessor> next);
    /// A cumulative reader to add to the MeterProvider; collected every metric_interval.
    std::shared_ptr<telemetry::metrics::MetricReader> metric_reader() const;
    /// Registers the console's own metrics (tome.console.*: bytes held and budget per signal,
    /// items evicted, dropped and ingested) on `meter`. The Console must outlive them.
    void RegisterSelfMetrics(telemetry::metrics::Meter& meter);
    void SetNetworkView(NetworkView view);
    /// The console's address as people reach it ("http://localhost:3000"), known once the
    /// server listens: alert notifications link to it. Defaults to alerting.external_url.
    void SetExternalUrl(std::string url);

    // --- HTTP ---------------------------------------------------------------------------------
    /// True for the paths the console answers: /v1/{traces,metrics,logs}, /console/..., /jaeger/...,
    /// /api/alerts,
    /// the UI's pages (/, /traces..., /logs, /dashboards, /running, /alerts, /compare/...) and
    /// /assets/...
    static bool Serves(std::string_view path) noexcept;
    /// The handler for those paths (safe to call concurrently; never throws).
    api::RequestHandler& handler() noexcept;
    /// Body limit for `path` (the OTLP receiver's is larger than the API's); 0 = not the console's.
    std::size_t BodyLimitFor(std::string_view path) const noexcept;

    // --- lifecycle ------------------------------------------------------------------------
    /// Starts the ingest thread and the OTLP/gRPC receiver. Errors: kFailedPrecondition after
    /// Shutdown. What did not start but is not fatal (the gRPC port in use) is in warnings().
    Status Start();
    std::vector<std::string> warnings() const;
    /// The OTLP/gRPC receiver's port; 0 when it does not listen.
    unsigned short otlp_grpc_port() const noexcept;
    /// Waits until everything received before the call is stored; false on timeout.
    bool Flush(std::chrono::milliseconds timeout);
    /// Stores what is queued (within `timeout`) and stops. Idempotent.
    void Shutdown(std::chrono::milliseconds timeout);

    /// GET /console/api/stats as JSON (tests, the demo summary).
    nlohmann::json StatsJson() const;

private:
    class Impl;
    explicit Console(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tome::console
