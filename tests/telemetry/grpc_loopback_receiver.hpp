// Test-only OTLP/gRPC receiver: a real grpc::Server on 127.0.0.1 (ephemeral port) with a
// callback generic service, so it sees the exact request bytes. Per-message decompression is
// off, so a gzip-compressed request arrives as gzip bytes (proving compression on the wire) and
// is inflated here. Answers calls from a script of replies (then OK), can be told never to
// answer (a black-holed collector), and records every call. All methods are thread-safe.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <zlib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tome/telemetry/api/tsan.hpp"

namespace tome::telemetry::testing {

class GrpcLoopbackReceiver {
public:
    struct Request {
        std::string method;
        std::string authorization;  ///< Value of the "authorization" metadata.
        std::string user_agent;
        bool gzip = false;          ///< The message arrived gzip-compressed.
        bool has_deadline = false;  ///< The client sent a grpc-timeout.
        std::string body;           ///< The (inflated) ExportTraceServiceRequest bytes.
        std::chrono::steady_clock::time_point arrived;
    };
    struct Reply {
        grpc::StatusCode code = grpc::StatusCode::OK;
        std::string details;   ///< grpc-status-details-bin: a serialized google.rpc.Status.
        std::string response;  ///< ExportTraceServiceResponse bytes for OK.
        bool never_answer = false;
    };

    explicit GrpcLoopbackReceiver(std::deque<Reply> script = {}) : script_(std::move(script)) {
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
        builder.AddChannelArgument(GRPC_ARG_ENABLE_PER_MESSAGE_DECOMPRESSION, 0);
        builder.RegisterCallbackGenericService(&service_);
        server_ = builder.BuildAndStart();
    }
    ~GrpcLoopbackReceiver() {
        // Cancels calls still open (held ones finish in OnCancel), then waits for all of them.
        server_->Shutdown(std::chrono::system_clock::now());
        server_->Wait();
    }
    bool ok() const { return server_ != nullptr && port_ > 0; }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<Request> requests() const {
        std::lock_guard lock(mu_);
        return requests_;
    }
    /// Waits (bounded) until at least `n` calls arrived.
    bool WaitForRequests(std::size_t n, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
    }

private:
    static bool Inflate(const std::string& in, std::string& out) {
        z_stream zs{};
        if (inflateInit2(&zs, 15 + 16) != Z_OK) return false;
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        zs.avail_in = static_cast<uInt>(in.size());
        int rc = Z_OK;
        char buf[16384];
        while (rc == Z_OK) {
            zs.next_out = reinterpret_cast<Bytef*>(buf);
            zs.avail_out = sizeof buf;
            rc = inflate(&zs, Z_NO_FLUSH);
            out.append(buf, sizeof buf - zs.avail_out);
        }
        inflateEnd(&zs);
        return rc == Z_STREAM_END;
    }

    // One call. gRPC runs its reactions on its own threads, one after another except that
    // OnCancel may overlap OnReadDone, and OnDone after all others have returned. It orders
    // them with synchronisation inside libgrpc, which ThreadSanitizer cannot see (Debian's
    // libgrpc is not instrumented), so each reaction declares that order itself (Reaction).
    class Reactor final : public grpc::ServerGenericBidiReactor {
    public:
        Reactor(GrpcLoopbackReceiver* owner, grpc::GenericCallbackServerContext* ctx)
            : owner_(owner), ctx_(ctx) {
            StartRead(&request_);  // gRPC starts it once the reactor is bound, after we return
            telemetry::tsan::Release(this);
        }
        void OnReadDone(bool ok) override {
            Reaction reaction(this);
            if (!ok) return FinishOnce(grpc::Status(grpc::StatusCode::INTERNAL, "no message"));
            Request rec;
            rec.arrived = std::chrono::steady_clock::now();
            rec.method = ctx_->method();
            const auto& md = ctx_->client_metadata();
            if (auto it = md.find("authorization"); it != md.end())
                rec.authorization.assign(it->second.data(), it->second.size());
            if (auto it = md.find("user-agent"); it != md.end())
                rec.user_agent.assign(it->second.data(), it->second.size());
            rec.has_deadline = ctx_->deadline() < std::chrono::system_clock::now() +
                                                      std::chrono::hours(24);
            std::vector<grpc::Slice> slices;
            std::string raw;
            if (request_.Dump(&slices).ok())
                for (const auto& s : slices)
                    raw.append(reinterpret_cast<const char*>(s.begin()), s.size());
            rec.gzip = raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x1f &&
                       static_cast<unsigned char>(raw[1]) == 0x8b;
            if (!rec.gzip || !Inflate(raw, rec.body)) rec.body = raw;
            Reply reply;
            {
                std::lock_guard lock(owner_->mu_);
                owner_->requests_.push_back(std::move(rec));
                if (!owner_->script_.empty()) {
                    reply = owner_->script_.front();
                    owner_->script_.pop_front();
                }
            }
            owner_->cv_.notify_all();
            if (reply.never_answer) {
                std::lock_guard lock(mu_);
                held_ = true;
                if (!cancelled_) return;
            } else if (reply.code == grpc::StatusCode::OK) {
                grpc::Slice slice(reply.response.data(), reply.response.size());
                response_ = grpc::ByteBuffer(&slice, 1);
                if (!MarkFinished()) return;
                StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
                return;
            }
            FinishOnce(reply.never_answer
                           ? grpc::Status::CANCELLED
                           : grpc::Status(reply.code, "scripted failure", reply.details));
        }
        void OnCancel() override {
            Reaction reaction(this);
            std::unique_lock lock(mu_);
            cancelled_ = true;
            if (!held_) return;
            lock.unlock();
            FinishOnce(grpc::Status::CANCELLED);
        }
        void OnDone() override {
            telemetry::tsan::Acquire(this);  // every other reaction has returned
            delete this;
        }

    private:
        // For the length of a reaction: it happens after the constructor and the reactions
        // that returned before it started, and before OnDone. The reactor is alive until OnDone,
        // which gRPC runs only after this reaction returns.
        class Reaction {
        public:
            explicit Reaction(const Reactor* reactor) : reactor_(reactor) {
                telemetry::tsan::Acquire(reactor_);
            }
            ~Reaction() { telemetry::tsan::Release(reactor_); }
            Reaction(const Reaction&) = delete;
            Reaction& operator=(const Reaction&) = delete;

        private:
            const Reactor* reactor_;
        };

        // The first caller wins. Finish is called without mu_ held: gRPC may call back from it.
        bool MarkFinished() {
            std::lock_guard lock(mu_);
            if (finished_) return false;
            finished_ = true;
            return true;
        }
        void FinishOnce(const grpc::Status& status) {
            if (MarkFinished()) Finish(status);
        }
        GrpcLoopbackReceiver* owner_;
        grpc::GenericCallbackServerContext* ctx_;
        grpc::ByteBuffer request_;
        grpc::ByteBuffer response_;
        std::mutex mu_;
        bool held_ = false;       // guarded by mu_
        bool cancelled_ = false;  // guarded by mu_
        bool finished_ = false;   // guarded by mu_
    };

    class Service final : public grpc::CallbackGenericService {
    public:
        explicit Service(GrpcLoopbackReceiver* owner) : owner_(owner) {}
        grpc::ServerGenericBidiReactor* CreateReactor(
            grpc::GenericCallbackServerContext* ctx) override {
            return new Reactor(owner_, ctx);
        }

    private:
        GrpcLoopbackReceiver* owner_;
    };

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Reply> script_;       // guarded by mu_
    std::vector<Request> requests_;  // guarded by mu_
    int port_ = 0;
    Service service_{this};
    std::unique_ptr<grpc::Server> server_;  // last: stopped first
};

}  // namespace tome::telemetry::testing
