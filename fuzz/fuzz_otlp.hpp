// What fuzz_otlp_protobuf and fuzz_otlp_json share: OTLP/HTTP requests posted to the real
// console (tome::console::Console's handler: the receiver, gzip, DecodeOtlp, the item checks,
// the ingest thread, the store and its record codec), then read back through the query APIs.
//
// Input: the first byte picks the signal (byte % 3: traces, metrics, logs) and whether the rest
// is sent gzip-compressed by the harness ((byte / 3) % 2; compressed here, so that the fuzzer
// mutates the payload rather than a checksum); the rest is the body.
//
// One Console serves every input (starting one per input would cost more than the input), with
// the smallest store (4 MiB), so eviction runs too. Checked for every request: the status is
// 200, 400, 413 or 415 (429 only if the ingest queue were full); the body is the message the
// OTLP specification names for it (Export*ServiceResponse on 200, google.rpc.Status with a
// message otherwise) in the request's encoding; a body that DecodeOtlp accepts is answered 200
// with exactly the items the checks reject counted as rejected, and re-encodes as protobuf
// to the same bytes after a decode; after the ingest thread has stored it, the query APIs
// answer 200 with a well-formed envelope.
#pragma once

#include <zlib.h>

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "google/rpc/status.pb.h"
#include "otlp_ingest.hpp"
#include "tome/console/console.hpp"
#include "tome/core/clock.hpp"

namespace tome::fuzz {

namespace otlp = tome::console::internal;

inline std::string GzipForFuzzing(std::string_view in) {
    z_stream z{};
    TOME_FUZZ_CHECK(deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK,
                    "deflateInit2");
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    TOME_FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

inline console::Console& FuzzConsole() {
    static console::Console* const console = [] {
        console::ConsoleOptions options;
        options.max_bytes = 4u << 20;
        options.otlp_grpc_port = 0;
        auto created = console::Console::Create(options, SystemClock::Get());
        TOME_FUZZ_CHECK(created.ok(), "Console::Create: " + created.status().message());
        TOME_FUZZ_CHECK((*created)->Start().ok(), "Console::Start");
        return created->release();  // lives for the whole process
    }();
    return *console;
}

inline std::unique_ptr<google::protobuf::Message> NewExportRequest(otlp::OtlpSignal signal) {
    switch (signal) {
        case otlp::OtlpSignal::kTraces: return std::make_unique<otlp::otlp_trace::ExportTraceServiceRequest>();
        case otlp::OtlpSignal::kMetrics: return std::make_unique<otlp::otlp_metrics::ExportMetricsServiceRequest>();
        case otlp::OtlpSignal::kLogs: return std::make_unique<otlp::otlp_logs::ExportLogsServiceRequest>();
    }
    return nullptr;
}

// The partial-success rejected count of a 200 answer; -1 when the body is not the signal's
// Export*ServiceResponse in `encoding`.
inline std::int64_t RejectedIn(const api::HttpResponse& r, otlp::OtlpSignal signal, otlp::OtlpEncoding encoding) {
    auto parse = [&](google::protobuf::Message& m) {
        if (encoding == otlp::OtlpEncoding::kProtobuf) return m.ParseFromString(r.body);
        return google::protobuf::util::JsonStringToMessage(r.body, &m).ok();
    };
    switch (signal) {
        case otlp::OtlpSignal::kTraces: {
            otlp::otlp_trace::ExportTraceServiceResponse m;
            return parse(m) ? m.partial_success().rejected_spans() : -1;
        }
        case otlp::OtlpSignal::kMetrics: {
            otlp::otlp_metrics::ExportMetricsServiceResponse m;
            return parse(m) ? m.partial_success().rejected_data_points() : -1;
        }
        case otlp::OtlpSignal::kLogs: {
            otlp::otlp_logs::ExportLogsServiceResponse m;
            return parse(m) ? m.partial_success().rejected_log_records() : -1;
        }
    }
    return -1;
}

inline std::uint64_t CheckedRejections(const google::protobuf::Message& m, otlp::OtlpSignal signal) {
    switch (signal) {
        case otlp::OtlpSignal::kTraces:
            return otlp::CheckTraces(static_cast<const otlp::otlp_trace::ExportTraceServiceRequest&>(m)).rejected;
        case otlp::OtlpSignal::kMetrics:
            return otlp::CheckMetrics(static_cast<const otlp::otlp_metrics::ExportMetricsServiceRequest&>(m)).rejected;
        case otlp::OtlpSignal::kLogs:
            return otlp::CheckLogs(static_cast<const otlp::otlp_logs::ExportLogsServiceRequest&>(m)).rejected;
    }
    return 0;
}

inline void CheckQuery(console::Console& console, const std::string& target) {
    api::HttpRequest q;
    q.method = "GET";
    q.target = target;
    const std::size_t question = target.find('?');
    q.path = target.substr(0, question);
    if (question != std::string::npos) q.query = target.substr(question + 1);
    const api::HttpResponse r = console.handler().Handle(q);
    TOME_FUZZ_CHECK(r.status == 200, "GET " + target + " -> " + std::to_string(r.status) + ": " + r.body);
    const auto body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    TOME_FUZZ_CHECK(body.is_object() && body.value("success", false) && body.contains("data"),
                    "GET " + target + ": not a success envelope: " + r.body);
}

inline void FuzzOtlpRequest(otlp::OtlpEncoding encoding, const std::uint8_t* data, std::size_t size) {
    if (size == 0) return;
    static const char* const kPaths[] = {"/v1/traces", "/v1/metrics", "/v1/logs"};
    static const otlp::OtlpSignal kSignals[] = {otlp::OtlpSignal::kTraces, otlp::OtlpSignal::kMetrics,
                                                otlp::OtlpSignal::kLogs};
    const otlp::OtlpSignal signal = kSignals[data[0] % 3];
    const bool gzip = (data[0] / 3) % 2 == 1;
    const std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);

    api::HttpRequest request;
    request.method = "POST";
    request.target = request.path = kPaths[data[0] % 3];
    request.headers["content-type"] =
        encoding == otlp::OtlpEncoding::kJson ? "application/json" : "application/x-protobuf";
    if (gzip) request.headers["content-encoding"] = "gzip";
    request.body = gzip ? GzipForFuzzing(payload) : std::string(payload);
    request.client_address = "127.0.0.1";

    console::Console& console = FuzzConsole();
    const api::HttpResponse r = console.handler().Handle(request);
    const std::string what = std::string(request.path) + (gzip ? " (gzip)" : "") + " -> " + std::to_string(r.status);
    TOME_FUZZ_CHECK(r.status == 200 || r.status == 400 || r.status == 413 || r.status == 415 || r.status == 429,
                    what + ": unexpected status: " + r.body);
    TOME_FUZZ_CHECK(r.content_type == (encoding == otlp::OtlpEncoding::kJson ? "application/json"
                                                                             : "application/x-protobuf"),
                    what + ": answered in " + r.content_type);

    auto decoded = NewExportRequest(signal);
    const Status decode = otlp::DecodeOtlp(payload, encoding, signal, *decoded);
    if (r.status != 200) {
        google::rpc::Status status;
        const bool parsed = encoding == otlp::OtlpEncoding::kProtobuf
                                ? status.ParseFromString(r.body)
                                : google::protobuf::util::JsonStringToMessage(r.body, &status).ok();
        TOME_FUZZ_CHECK(parsed && status.code() != 0 && !status.message().empty(),
                        what + ": the error body is not a google.rpc.Status with a message");
        TOME_FUZZ_CHECK(r.status == 429 || !decode.ok(), what + ": refused a body DecodeOtlp accepts");
        return;
    }
    TOME_FUZZ_CHECK(decode.ok(), what + ": accepted a body DecodeOtlp refuses: " + decode.message());
    const std::int64_t rejected = RejectedIn(r, signal, encoding);
    TOME_FUZZ_CHECK(rejected >= 0, what + ": the body is not an Export*ServiceResponse");
    TOME_FUZZ_CHECK(static_cast<std::uint64_t>(rejected) == CheckedRejections(*decoded, signal),
                    what + ": partial_success disagrees with the item checks");

    // What either decoder accepted is a message that protobuf encodes and decodes to itself
    // (e.g. every string is UTF-8, as proto3 requires).
    const std::string bytes = decoded->SerializeAsString();
    auto again = NewExportRequest(signal);
    TOME_FUZZ_CHECK(again->ParseFromString(bytes), what + ": the decoded message does not re-decode");
    TOME_FUZZ_CHECK(again->SerializeAsString() == bytes, what + ": the decoded message does not round-trip");

    TOME_FUZZ_CHECK(console.Flush(std::chrono::seconds(5)), what + ": the ingest thread did not store it in 5 s");
    switch (signal) {
        case otlp::OtlpSignal::kTraces:
            CheckQuery(console, "/console/api/traces?limit=20");
            CheckQuery(console, "/console/api/graph?window=1h");
            break;
        case otlp::OtlpSignal::kMetrics: CheckQuery(console, "/console/api/metrics"); break;
        case otlp::OtlpSignal::kLogs: CheckQuery(console, "/console/api/logs?limit=20"); break;
    }
}

}  // namespace tome::fuzz
