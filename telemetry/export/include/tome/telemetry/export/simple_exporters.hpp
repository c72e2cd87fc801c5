// Exporters that need no network: in-memory (for tests; keeps spans in a shared store) and
// console (one JSON line per span). Export is never called concurrently (SpanExporter
// contract); the in-memory store may be read from any thread.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include "tome/telemetry/trace/span_exporter.hpp"

namespace tome::telemetry::exporter {

/// Where InMemorySpanExporter puts spans. All methods may be called concurrently.
class InMemorySpanStore {
public:
    void Add(std::span<const std::unique_ptr<trace::SpanData>> batch);
    /// Copies of the spans exported so far.
    std::vector<trace::SpanData> Spans() const;
    std::size_t size() const;
    void Clear();

private:
    mutable std::mutex mu_;
    std::vector<trace::SpanData> spans_;  // guarded by mu_
};

class InMemorySpanExporter final : public trace::SpanExporter {
public:
    explicit InMemorySpanExporter(std::shared_ptr<InMemorySpanStore> store)
        : store_(std::move(store)) {}
    trace::ExportResult Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                               Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

private:
    std::shared_ptr<InMemorySpanStore> store_;
    bool shutdown_ = false;
};

/// Writes one JSON object per span and line to `out` (default stdout), flushing per batch.
class ConsoleSpanExporter final : public trace::SpanExporter {
public:
    explicit ConsoleSpanExporter(std::FILE* out = stdout) : out_(out) {}
    trace::ExportResult Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                               Clock::time_point deadline) noexcept override;
    bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

    /// The line written for one span (without the newline).
    static std::string FormatSpan(const trace::SpanData& span);

private:
    std::FILE* out_;
    bool shutdown_ = false;
};

}  // namespace tome::telemetry::exporter
