#include "tome/telemetry/export/otlp_file_exporter.hpp"

#include <cerrno>
#include <cstring>

#include "tome/telemetry/export/otlp_encoder.hpp"

namespace tome::telemetry::exporter {

using trace::ExportResult;

OtlpFileExporter::OtlpFileExporter(OtlpFileExporterOptions options)
    : options_(std::move(options)) {
    file_ = std::fopen(options_.path.c_str(), "ab");
    if (file_ == nullptr)
        open_error_ = "OTLP file exporter: cannot open '" + options_.path + "' for appending: " +
                      std::strerror(errno);
}

OtlpFileExporter::~OtlpFileExporter() { Shutdown(std::chrono::milliseconds(0)); }

ExportResult OtlpFileExporter::Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                                      Clock::time_point) noexcept {
    try {
        if (batch.empty()) {
            std::lock_guard lock(mu_);
            return file_ != nullptr ? ExportResult::kSuccess : ExportResult::kFailureNonRetryable;
        }
        std::string line = EncodeOtlpJson(batch);  // JSON strings escape '\n': one line
        line.push_back('\n');
        std::lock_guard lock(mu_);
        if (file_ == nullptr) return ExportResult::kFailureNonRetryable;
        const bool written = std::fwrite(line.data(), 1, line.size(), file_) == line.size();
        const bool flushed = std::fflush(file_) == 0;
        return written && flushed ? ExportResult::kSuccess : ExportResult::kFailureRetryable;
    } catch (...) {
        return ExportResult::kFailureNonRetryable;
    }
}

bool OtlpFileExporter::ForceFlush(std::chrono::milliseconds) noexcept {
    std::lock_guard lock(mu_);
    return file_ == nullptr || std::fflush(file_) == 0;
}

bool OtlpFileExporter::Shutdown(std::chrono::milliseconds) noexcept {
    std::lock_guard lock(mu_);
    if (file_ == nullptr) return true;
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    return ok;
}

}  // namespace tome::telemetry::exporter
