// OTLP/HTTP receiver: POST /v1/traces, /v1/metrics, /v1/logs, protobuf or JSON by Content-Type,
// optionally gzip-compressed, answered as the OTLP specification prescribes.
#include <google/protobuf/util/json_util.h>
#include <zlib.h>

#include "google/rpc/status.pb.h"
#include "http_context.hpp"
#include "views.hpp"

namespace tome::console::internal {
namespace {

// google.rpc.Code values used in error bodies.
constexpr int kInvalidArgument = 3;
constexpr int kResourceExhausted = 8;
constexpr int kUnavailable = 14;
constexpr int kUnimplemented = 12;

std::string_view BaseType(std::string_view content_type) {
    content_type = content_type.substr(0, content_type.find(';'));
    while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
    return content_type;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

api::HttpResponse Serialized(int status, const google::protobuf::Message& message, OtlpEncoding encoding) {
    api::HttpResponse r;
    r.status = status;
    if (encoding == OtlpEncoding::kJson) {
        google::protobuf::util::JsonPrintOptions options;
        options.preserve_proto_field_names = false;
        std::string body;
        (void)google::protobuf::util::MessageToJsonString(message, &body, options);
        r.body = std::move(body);
        r.content_type = "application/json";
    } else {
        r.body = message.SerializeAsString();
        r.content_type = "application/x-protobuf";
    }
    return r;
}

api::HttpResponse StatusResponse(int http_status, int code, const std::string& message, OtlpEncoding encoding) {
    google::rpc::Status status;
    status.set_code(code);
    // A proto3 string must be UTF-8 and the message may quote the sender's bytes: a round trip
    // through the JSON writer replaces invalid sequences with U+FFFD.
    status.set_message(Json::parse(Dump(Json(message))).get<std::string>());
    return Serialized(http_status, status, encoding);
}

// Inflates a gzip body into `out`, at most `limit` bytes. False with `error` set otherwise.
bool Gunzip(std::string_view in, std::size_t limit, std::string& out, std::string& error) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        error = "cannot start gzip decoding";
        return false;
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    char buffer[64 * 1024];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            error = "the body is not valid gzip (" + std::string(z.msg ? z.msg : "inflate failed") + ")";
            inflateEnd(&z);
            return false;
        }
        out.append(buffer, sizeof buffer - z.avail_out);
        if (out.size() > limit) {
            error = "the decompressed body exceeds " + std::to_string(limit) + " bytes";
            inflateEnd(&z);
            return false;
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            error = "the gzip body is truncated";
            inflateEnd(&z);
            return false;
        }
    }
    inflateEnd(&z);
    return true;
}

std::unique_ptr<google::protobuf::Message> NewRequest(OtlpSignal signal) {
    switch (signal) {
        case OtlpSignal::kTraces: return std::make_unique<otlp_trace::ExportTraceServiceRequest>();
        case OtlpSignal::kMetrics: return std::make_unique<otlp_metrics::ExportMetricsServiceRequest>();
        case OtlpSignal::kLogs: return std::make_unique<otlp_logs::ExportLogsServiceRequest>();
    }
    return nullptr;
}

}  // namespace

api::HttpResponse HandleOtlp(HttpContext& ctx, const api::HttpRequest& request, OtlpSignal signal) {
    const std::string type = Lower(BaseType(request.Header("content-type")));
    const OtlpEncoding encoding = type == "application/json" ? OtlpEncoding::kJson : OtlpEncoding::kProtobuf;
    if (request.method != "POST") {
        api::HttpResponse r = StatusResponse(405, kUnimplemented, "OTLP/HTTP takes POST only", encoding);
        r.headers.emplace_back("Allow", "POST");
        return r;
    }
    if (type != "application/x-protobuf" && type != "application/json") {
        return StatusResponse(415, kInvalidArgument,
                              "Content-Type must be application/x-protobuf or application/json, got '" +
                                  std::string(request.Header("content-type")) + "'",
                              OtlpEncoding::kJson);
    }
    if (request.body_too_large) {
        return StatusResponse(413, kInvalidArgument,
                              "request body exceeds the OTLP limit of " +
                                  std::to_string(ctx.options.otlp_max_request_bytes) + " bytes",
                              encoding);
    }
    std::string inflated;
    std::string_view body = request.body;
    const std::string content_encoding = Lower(request.Header("content-encoding"));
    if (content_encoding == "gzip") {
        std::string error;
        if (!Gunzip(request.body, ctx.options.otlp_max_decompressed_bytes, inflated, error)) {
            const bool too_big = error.find("exceeds") != std::string::npos;
            return StatusResponse(too_big ? 413 : 400, kInvalidArgument, error, encoding);
        }
        body = inflated;
    } else if (!content_encoding.empty() && content_encoding != "identity") {
        return StatusResponse(415, kInvalidArgument,
                              "Content-Encoding must be gzip or none, got '" + content_encoding + "'", encoding);
    }
    auto message = NewRequest(signal);
    if (Status st = DecodeOtlp(body, encoding, signal, *message); !st.ok()) {
        return StatusResponse(400, kInvalidArgument, st.message(), encoding);
    }
    OtlpCheck check;
    switch (signal) {
        case OtlpSignal::kTraces:
            check = CheckTraces(static_cast<const otlp_trace::ExportTraceServiceRequest&>(*message));
            break;
        case OtlpSignal::kMetrics:
            check = CheckMetrics(static_cast<const otlp_metrics::ExportMetricsServiceRequest&>(*message));
            break;
        case OtlpSignal::kLogs:
            check = CheckLogs(static_cast<const otlp_logs::ExportLogsServiceRequest&>(*message));
            break;
    }
    if (check.accepted > 0) {
        switch (ctx.ingestor.PushOtlp(message, signal, body.size())) {
            case Ingestor::Push::kQueued: break;
            case Ingestor::Push::kFull: {
                api::HttpResponse r = StatusResponse(
                    429, kResourceExhausted, "the console is storing as fast as it can; retry after 1 s", encoding);
                r.headers.emplace_back("Retry-After", "1");
                return r;
            }
            case Ingestor::Push::kStopped: {
                api::HttpResponse r = StatusResponse(503, kUnavailable, "the console is shutting down", encoding);
                r.headers.emplace_back("Retry-After", "1");
                return r;
            }
        }
    }
    // 200, with partial_success when some items were rejected (the sender must not retry them).
    switch (signal) {
        case OtlpSignal::kTraces: {
            otlp_trace::ExportTraceServiceResponse response;
            if (check.rejected > 0) {
                response.mutable_partial_success()->set_rejected_spans(static_cast<std::int64_t>(check.rejected));
                response.mutable_partial_success()->set_error_message(check.message);
            }
            return Serialized(200, response, encoding);
        }
        case OtlpSignal::kMetrics: {
            otlp_metrics::ExportMetricsServiceResponse response;
            if (check.rejected > 0) {
                response.mutable_partial_success()->set_rejected_data_points(static_cast<std::int64_t>(check.rejected));
                response.mutable_partial_success()->set_error_message(check.message);
            }
            return Serialized(200, response, encoding);
        }
        case OtlpSignal::kLogs: {
            otlp_logs::ExportLogsServiceResponse response;
            if (check.rejected > 0) {
                response.mutable_partial_success()->set_rejected_log_records(static_cast<std::int64_t>(check.rejected));
                response.mutable_partial_success()->set_error_message(check.message);
            }
            return Serialized(200, response, encoding);
        }
    }
    return StatusResponse(500, 13, "unknown signal", encoding);
}

}  // namespace tome::console::internal
