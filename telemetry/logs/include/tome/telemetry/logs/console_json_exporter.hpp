// Console JSON sink: one JSON object per line, the shape log shippers ingest as is:
// {"level":"info","message":"...","attributes":{"service.name":..,"trace.id":..,"span.id":..,
// "timestamp":"2026-11-24T08:00:00.123Z", ...record attributes}}. FormatJsonLogLine is pure;
// the exporter writes each batch with one locked write. Export is never called concurrently.
#pragma once

#include <cstdio>
#include <iosfwd>
#include <mutex>
#include <string>

#include "tome/telemetry/logs/log_exporter.hpp"

namespace tome::telemetry::logs {

/// Appends one line (with '\n') for `record`. level from SeverityLevelName; message is the
/// string body (other bodies as compact JSON text); timestamp is time_unix_nano, else the
/// observed time, in UTC with milliseconds; trace.id/span.id only when valid; service.name
/// only when the resource has it. Record attributes that reuse one of these four keys are
/// left out (the SDK's value wins). Non-finite doubles are written as strings.
void FormatJsonLogLine(const LogRecord& record, std::string& out);

/// Appends `text` JSON-escaped (no quotes): ", \, control characters; each maximal ill-formed
/// UTF-8 subpart becomes U+FFFD (the shared json::AppendEscaped), so every line is valid UTF-8.
void AppendJsonEscaped(std::string_view text, std::string& out);

class ConsoleJsonLogExporter final : public LogExporter {
public:
    /// Writes to `file` (borrowed; default stdout).
    explicit ConsoleJsonLogExporter(std::FILE* file = stdout) noexcept : file_(file) {}
    /// Writes to `stream` (borrowed; must outlive the exporter).
    explicit ConsoleJsonLogExporter(std::ostream& stream) noexcept : stream_(&stream) {}

    ExportResult Export(std::span<const std::unique_ptr<LogRecord>> batch,
                        Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

private:
    std::FILE* file_ = nullptr;
    std::ostream* stream_ = nullptr;
    std::mutex mu_;          // guards the fields below and the output
    bool shut_down_ = false;  // guarded by mu_
    std::string buffer_;     // guarded by mu_, reused across batches
};

}  // namespace tome::telemetry::logs
