// OtlpHttpLogExporter: encodes a batch as protobuf or OTLP/JSON and sends it through the shared
// OtlpHttpTransport; ReadOtlpHttpLogExporterOptions.
#include <algorithm>

#include "tome/telemetry/export/otlp_signal_env.hpp"
#include "tome/telemetry/logs/otlp_log_exporter.hpp"

namespace tome::telemetry::logs {
namespace {

exporter::OtlpHttpTransportOptions TransportOptions(const OtlpHttpLogExporterOptions& o) {
    exporter::OtlpHttpTransportOptions t;
    t.endpoint = o.endpoint;
    t.headers = o.headers;
    t.compression = o.gzip ? exporter::OtlpCompression::kGzip : exporter::OtlpCompression::kNone;
    t.timeout = o.timeout;
    t.certificate_file = o.certificate_file;
    t.initial_backoff = o.initial_backoff;
    t.max_backoff = o.max_backoff;
    t.max_attempts = o.max_attempts;
    return t;
}

}  // namespace

std::uint64_t DecodeRejectedLogRecords(std::string_view in) noexcept {
    return exporter::DecodeOtlpRejectedCount(in);
}

Result<OtlpHttpLogExporterOptions> ReadOtlpHttpLogExporterOptions(const EnvLookup& env) {
    const exporter::OtlpSignal signal{"LOGS", "v1/logs", exporter::kOtlpGrpcLogsExportMethod,
                                      /*json_supported=*/true};
    auto r = exporter::ReadOtlpSignalEnv(env, signal);
    if (!r.ok()) return r.error();
    if (r.value().protocol == exporter::OtlpSignalProtocol::kGrpc) {
        const char* var = GetNonEmpty(env, "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL")
                              ? "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL"
                              : "OTEL_EXPORTER_OTLP_PROTOCOL";
        return Error{std::string(var) + ": only http/protobuf and http/json are supported by "
                                        "the OTLP/HTTP log exporter (use ReadLogsEnvConfig for "
                                        "grpc)"};
    }
    const exporter::OtlpHttpTransportOptions& h = r.value().http;
    OtlpHttpLogExporterOptions o;
    o.protocol = r.value().protocol == exporter::OtlpSignalProtocol::kHttpJson
                     ? exporter::OtlpProtocol::kHttpJson
                     : exporter::OtlpProtocol::kHttpProtobuf;
    o.endpoint = h.endpoint;
    o.headers = h.headers;
    o.gzip = h.compression == exporter::OtlpCompression::kGzip;
    o.timeout = h.timeout;
    o.certificate_file = h.certificate_file;
    return o;
}

OtlpHttpLogExporter::OtlpHttpLogExporter(OtlpHttpLogExporterOptions options)
    : options_(std::move(options)), transport_(TransportOptions(options_)) {}

OtlpHttpLogExporter::~OtlpHttpLogExporter() { transport_.Shutdown(); }

ExportResult OtlpHttpLogExporter::Export(std::span<const std::unique_ptr<LogRecord>> batch,
                                         Clock::time_point deadline) noexcept {
    if (transport_.is_shutdown()) return ExportResult::kFailureNonRetryable;
    if (batch.empty()) return ExportResult::kSuccess;
    try {
        const exporter::OtlpProtocol protocol = options_.protocol;
        std::string& body = body_.Begin();
        if (protocol == exporter::OtlpProtocol::kHttpJson) {
            EncodeOtlpLogsJson(batch, body);
        } else {
            EncodeOtlpLogs(batch, body);
        }
        const ExportResult result = exporter::AccountOtlpSend(
            transport_.Send(body, exporter::OtlpContentType(protocol), deadline), batch.size(),
            exported_, rejected_, failures_, protocol);
        body_.End();
        return result;
    } catch (...) {
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    return ExportResult::kFailureNonRetryable;
}

bool OtlpHttpLogExporter::Shutdown(std::chrono::milliseconds) noexcept {
    transport_.Shutdown();
    return true;
}

OtlpHttpLogExporterStats OtlpHttpLogExporter::stats() const noexcept {
    return {exported_.load(std::memory_order_relaxed), rejected_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed), transport_.stats().retries};
}

}  // namespace tome::telemetry::logs
