// OTLP/JSON-lines file exporter: appends one OTLP/JSON ExportTraceServiceRequest per Export
// call, as a single line, to a file (the format of the OpenTelemetry "otlp/stdout" exporter and
// of the Collector's file exporter/receiver, so the file can be replayed into a collector).
// Selected from the environment with the tome-specific TOME_OTLP_FILE=<path> (see
// env_config.hpp), because OTEL_TRACES_EXPORTER has no standard value for it.
//
// Threading: Export is never called concurrently (SpanExporter contract); ForceFlush and
// Shutdown may be called from any thread: they wait for a write in progress (a bounded local
// file write), never for the network. Each line is written with one fwrite and flushed, so a
// reader sees whole lines while the process runs.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::exporter {

struct OtlpFileExporterOptions {
    /// File to append to; created if missing (not its directories). Required.
    std::string path;
};

class OtlpFileExporter final : public trace::SpanExporter {
public:
    /// Opens `options.path` for appending. When that fails every Export fails non-retryably
    /// and open_error() says why.
    explicit OtlpFileExporter(OtlpFileExporterOptions options);
    ~OtlpFileExporter() override;

    trace::ExportResult Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                               Clock::time_point deadline) noexcept override;
    bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
    /// Flushes and closes the file. Idempotent.
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    const std::string& open_error() const noexcept { return open_error_; }

private:
    const OtlpFileExporterOptions options_;
    std::string open_error_;
    std::mutex mu_;
    std::FILE* file_ = nullptr;  // guarded by mu_; null once shut down
};

}  // namespace tome::telemetry::exporter
