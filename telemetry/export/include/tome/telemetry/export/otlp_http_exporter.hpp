// OTLP/HTTP span exporter: encodes a batch as protobuf or JSON and sends it through the shared
// OtlpHttpTransport (libcurl; optional gzip, custom headers, TLS with system CAs or a CA file,
// retries with exponential backoff plus jitter on 429/502/503/504 and connection failures,
// honouring Retry-After, all capped by the export timeout). Export is never called
// concurrently (SpanExporter contract); Shutdown may be called from any thread and aborts a
// running Export promptly.
//
// With `persistent_queue` set, Export writes each encoded batch to a PersistentExportQueue on
// disk and returns ExportResult::kQueued; the queue's thread sends the batches in order, so a
// Collector outage costs disk space (bounded) instead of spans, and a restart (even after
// kill -9) sends what was left.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tome/telemetry/api/self_stats.hpp"
#include "tome/telemetry/export/otlp_http_transport.hpp"
#include "tome/telemetry/export/persistent_queue.hpp"
#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::exporter {

struct OtlpHttpExporterOptions {
    /// Full URL the batches are POSTed to. Default http://localhost:4318/v1/traces.
    std::string endpoint = "http://localhost:4318/v1/traces";
    /// Default http/protobuf.
    OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;
    /// Extra request headers (e.g. api keys). Default none.
    std::vector<std::pair<std::string, std::string>> headers;
    /// Default none.
    OtlpCompression compression = OtlpCompression::kNone;
    /// Budget for one Export including retries (0 = no limit). Default 10000 ms.
    std::chrono::milliseconds timeout{10000};
    /// PEM CA bundle for https; empty uses the system CAs. Default empty.
    std::string certificate_file;
    /// First retry delay; doubles each attempt up to max_backoff. Default 1000 ms.
    std::chrono::milliseconds initial_backoff{1000};
    /// Default 5000 ms.
    std::chrono::milliseconds max_backoff{5000};
    /// Attempts per Export including the first. Default 5.
    int max_attempts = 5;
    /// Self-observation counters. Default: DefaultSelfStats().
    SelfStats* stats = nullptr;
    /// Keep batches in this on-disk queue and send them from there (TOME_OTLP_PERSISTENT_QUEUE_DIR,
    /// _MAX_BYTES). Its send_timeout is `timeout`. Default none: batches live in memory only.
    std::optional<PersistentQueueOptions> persistent_queue;
};

class OtlpHttpExporter final : public trace::SpanExporter {
public:
    /// Throws std::runtime_error (start-up) when the persistent queue cannot be opened; the
    /// message names the directory and the reason.
    explicit OtlpHttpExporter(OtlpHttpExporterOptions options);
    ~OtlpHttpExporter() override;

    trace::ExportResult Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                               Clock::time_point deadline) noexcept override;
    /// With a persistent queue: waits until what was queued so far is sent or dropped.
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    /// With a persistent queue: keeps sending until `timeout`, then leaves the rest on disk.
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    const OtlpHttpExporterOptions& options() const noexcept { return options_; }

private:
    const OtlpHttpExporterOptions options_;
    SelfStats* const stats_;
    OtlpHttpTransport transport_;
    EncodeBuffer body_;  // Export's, reused
    std::unique_ptr<PersistentExportQueue> queue_;  // after transport_: stopped first
};

}  // namespace tome::telemetry::exporter
