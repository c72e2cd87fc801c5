#include "tome/telemetry/export/otlp_http_exporter.hpp"

#include <stdexcept>

#include "tome/telemetry/export/otlp_encoder.hpp"
#include "trace_send_result.hpp"

namespace tome::telemetry::exporter {

using trace::ExportResult;

namespace {

OtlpHttpTransportOptions TransportOptions(const OtlpHttpExporterOptions& o, SelfStats* stats) {
    OtlpHttpTransportOptions t;
    t.endpoint = o.endpoint;
    t.headers = o.headers;
    t.compression = o.compression;
    t.timeout = o.timeout;
    t.certificate_file = o.certificate_file;
    t.initial_backoff = o.initial_backoff;
    t.max_backoff = o.max_backoff;
    // A persistent queue retries itself, at most max_retry_delay apart, keeping the batch on
    // disk meanwhile: retries inside one send would only hold its thread.
    t.max_attempts = o.persistent_queue ? 1 : o.max_attempts;
    t.stats = stats;
    return t;
}

}  // namespace

OtlpHttpExporter::OtlpHttpExporter(OtlpHttpExporterOptions options)
    : options_(std::move(options)),
      stats_(options_.stats ? options_.stats : &DefaultSelfStats()),
      transport_(TransportOptions(options_, stats_)) {
    if (!options_.persistent_queue) return;
    PersistentQueueOptions q = *options_.persistent_queue;
    // One send's budget; "no limit" (0) would let a black-holed receiver hold the queue.
    q.send_timeout = options_.timeout.count() > 0 ? options_.timeout : std::chrono::seconds(30);
    auto opened = PersistentExportQueue::Open(
        std::move(q),
        [this](std::string_view body, std::string_view content_type,
               PersistentExportQueue::Clock::time_point deadline) {
            return transport_.Send(body, content_type, deadline);
        },
        [this] { transport_.Shutdown(); }, stats_);
    if (!opened.ok()) throw std::runtime_error(opened.message());
    queue_ = std::move(opened).value();
}

OtlpHttpExporter::~OtlpHttpExporter() {
    queue_.reset();  // stops its thread, which sends through transport_
    transport_.Shutdown();
}

ExportResult OtlpHttpExporter::Export(std::span<const std::unique_ptr<trace::SpanData>> batch,
                                      Clock::time_point deadline) noexcept {
    if (transport_.is_shutdown()) return ExportResult::kFailureNonRetryable;
    if (batch.empty()) return ExportResult::kSuccess;
    try {
        const bool json = options_.protocol == OtlpProtocol::kHttpJson;
        std::string& body = body_.Begin();
        if (json) {
            EncodeOtlpJson(batch, body);
        } else {
            EncodeOtlpProto(batch, body);
        }
        ExportResult result;
        if (queue_) {
            result = queue_->Enqueue(body, batch.size(), json) ? ExportResult::kQueued
                                                                : ExportResult::kFailureNonRetryable;
        } else {
            result = internal::TraceSendResult(
                transport_.Send(body, json ? kOtlpJsonContentType : kOtlpProtobufContentType,
                                deadline),
                json, *stats_);
        }
        body_.End();
        return result;
    } catch (...) {
    }
    return ExportResult::kFailureNonRetryable;
}

bool OtlpHttpExporter::ForceFlush(std::chrono::milliseconds timeout) noexcept {
    return queue_ ? queue_->Flush(Clock::now() + timeout) : true;
}

bool OtlpHttpExporter::Shutdown(std::chrono::milliseconds timeout) noexcept {
    bool flushed = true;
    if (queue_) {
        const auto deadline = Clock::now() + timeout;
        flushed = queue_->Flush(deadline);
        queue_->Shutdown(deadline);
    }
    transport_.Shutdown();
    return flushed;
}

}  // namespace tome::telemetry::exporter
