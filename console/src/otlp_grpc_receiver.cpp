#include "otlp_grpc_receiver.hpp"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <mutex>

#include "otlp_ingest.hpp"
#include "views.hpp"

namespace tome::console::internal {
namespace {

constexpr std::string_view kTraces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr std::string_view kMetrics = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
constexpr std::string_view kLogs = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

std::string Utf8(const std::string& message) {
    // grpc-message must be valid UTF-8 and the message may quote the sender's bytes.
    return Json::parse(Dump(Json(message))).get<std::string>();
}

// One Export call: read the one request message, store it, answer.
class ExportCall final : public grpc::ServerGenericBidiReactor {
public:
    ExportCall(Ingestor& ingestor, grpc::GenericCallbackServerContext* ctx,
               const OtlpGrpcReceiver::Authorize& authorize)
        : ingestor_(ingestor), ctx_(ctx) {
        if (authorize) {
            const auto& metadata = ctx_->client_metadata();
            const auto it = metadata.find("authorization");
            const std::string_view value =
                it == metadata.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
            std::string message;
            if (const int code = authorize(value, message); code != 0) {
                Finish(grpc::Status(static_cast<grpc::StatusCode>(code), message));
                return;
            }
        }
        const std::string& method = ctx_->method();
        if (method == kTraces) signal_ = OtlpSignal::kTraces;
        else if (method == kMetrics) signal_ = OtlpSignal::kMetrics;
        else if (method == kLogs) signal_ = OtlpSignal::kLogs;
        else {
            Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "tome's console serves OTLP Export only"));
            return;
        }
        StartRead(&request_);
    }

    void OnReadDone(bool ok) override {
        if (!ok) {
            Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
            return;
        }
        std::vector<grpc::Slice> slices;
        std::string bytes;
        if (request_.Dump(&slices).ok()) {
            for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
        std::unique_ptr<google::protobuf::Message> message;
        switch (signal_) {
            case OtlpSignal::kTraces: message = std::make_unique<otlp_trace::ExportTraceServiceRequest>(); break;
            case OtlpSignal::kMetrics: message = std::make_unique<otlp_metrics::ExportMetricsServiceRequest>(); break;
            case OtlpSignal::kLogs: message = std::make_unique<otlp_logs::ExportLogsServiceRequest>(); break;
        }
        if (Status st = DecodeOtlp(bytes, OtlpEncoding::kProtobuf, signal_, *message); !st.ok()) {
            Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, Utf8(st.message())));
            return;
        }
        OtlpCheck check;
        std::string response_bytes;
        switch (signal_) {
            case OtlpSignal::kTraces: {
                check = CheckTraces(static_cast<const otlp_trace::ExportTraceServiceRequest&>(*message));
                otlp_trace::ExportTraceServiceResponse response;
                if (check.rejected > 0) {
                    response.mutable_partial_success()->set_rejected_spans(static_cast<std::int64_t>(check.rejected));
                    response.mutable_partial_success()->set_error_message(check.message);
                }
                response_bytes = response.SerializeAsString();
                break;
            }
            case OtlpSignal::kMetrics: {
                check = CheckMetrics(static_cast<const otlp_metrics::ExportMetricsServiceRequest&>(*message));
                otlp_metrics::ExportMetricsServiceResponse response;
                if (check.rejected > 0) {
                    response.mutable_partial_success()->set_rejected_data_points(
                        static_cast<std::int64_t>(check.rejected));
                    response.mutable_partial_success()->set_error_message(check.message);
                }
                response_bytes = response.SerializeAsString();
                break;
            }
            case OtlpSignal::kLogs: {
                check = CheckLogs(static_cast<const otlp_logs::ExportLogsServiceRequest&>(*message));
                otlp_logs::ExportLogsServiceResponse response;
                if (check.rejected > 0) {
                    response.mutable_partial_success()->set_rejected_log_records(
                        static_cast<std::int64_t>(check.rejected));
                    response.mutable_partial_success()->set_error_message(check.message);
                }
                response_bytes = response.SerializeAsString();
                break;
            }
        }
        if (check.accepted > 0) {
            switch (ingestor_.PushOtlp(message, signal_, bytes.size())) {
                case Ingestor::Push::kQueued: break;
                case Ingestor::Push::kFull:
                    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                        "the console is storing as fast as it can; retry with backoff"));
                    return;
                case Ingestor::Push::kStopped:
                    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the console is shutting down"));
                    return;
            }
        }
        grpc::Slice slice(response_bytes.data(), response_bytes.size());
        response_ = grpc::ByteBuffer(&slice, 1);
        if (!MarkFinished()) return;
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }

    void OnCancel() override { Finish(grpc::Status::CANCELLED); }
    void OnDone() override { delete this; }

private:
    bool MarkFinished() {
        std::lock_guard lock(mu_);
        if (finished_) return false;
        finished_ = true;
        return true;
    }
    void Finish(const grpc::Status& status) {
        if (MarkFinished()) grpc::ServerGenericBidiReactor::Finish(status);
    }

    Ingestor& ingestor_;
    grpc::GenericCallbackServerContext* ctx_;
    OtlpSignal signal_ = OtlpSignal::kTraces;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
    std::mutex mu_;
    bool finished_ = false;  // guarded by mu_
};

class Service final : public grpc::CallbackGenericService {
public:
    Service(Ingestor& ingestor, OtlpGrpcReceiver::Authorize authorize)
        : ingestor_(ingestor), authorize_(std::move(authorize)) {}
    grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
        return new ExportCall(ingestor_, ctx, authorize_);
    }

private:
    Ingestor& ingestor_;
    const OtlpGrpcReceiver::Authorize authorize_;
};

}  // namespace

class OtlpGrpcReceiver::Impl {
public:
    Impl(Ingestor& ingestor, std::size_t max_message_bytes, Authorize authorize)
        : service_(ingestor, std::move(authorize)), max_bytes_(max_message_bytes) {}
    Service service_;
    const std::size_t max_bytes_;
    std::mutex mu_;
    std::unique_ptr<grpc::Server> server_;  // guarded by mu_
    int port_ = 0;
};

OtlpGrpcReceiver::OtlpGrpcReceiver(Ingestor& ingestor, std::size_t max_message_bytes, Authorize authorize)
    : impl_(std::make_unique<Impl>(ingestor, max_message_bytes, std::move(authorize))) {}

OtlpGrpcReceiver::~OtlpGrpcReceiver() { Shutdown(std::chrono::seconds(2)); }

Status OtlpGrpcReceiver::Start(const std::string& address, unsigned short port) {
    std::lock_guard lock(impl_->mu_);
    if (impl_->server_) return FailedPrecondition("the OTLP/gRPC receiver is already running");
    const std::string where = (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
                              std::to_string(port);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(where, grpc::InsecureServerCredentials(), &impl_->port_);
    builder.SetMaxReceiveMessageSize(static_cast<int>(std::min<std::size_t>(impl_->max_bytes_, INT32_MAX)));
    builder.RegisterCallbackGenericService(&impl_->service_);
    impl_->server_ = builder.BuildAndStart();
    if (!impl_->server_ || impl_->port_ == 0) {
        impl_->server_.reset();
        impl_->port_ = 0;
        return Unavailable("OTLP/gRPC receiver: cannot listen on " + where + " (in use, or not a local address)");
    }
    return Status::Ok();
}

unsigned short OtlpGrpcReceiver::port() const noexcept { return static_cast<unsigned short>(impl_->port_); }

void OtlpGrpcReceiver::Shutdown(std::chrono::milliseconds timeout) {
    std::unique_ptr<grpc::Server> server;
    {
        std::lock_guard lock(impl_->mu_);
        server = std::move(impl_->server_);
    }
    if (!server) return;
    server->Shutdown(std::chrono::system_clock::now() + timeout);
    server->Wait();
}

}  // namespace tome::console::internal
