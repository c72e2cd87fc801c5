#include "tome/telemetry/export/otlp_grpc_transport.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "tome/telemetry/api/backoff.hpp"
#include "tome/telemetry/api/tsan.hpp"
#include "tome/telemetry/trace/resource.hpp"

#if defined(TOME_TELEMETRY_WITH_GRPC)
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#endif

namespace tome::telemetry::exporter {

#if defined(TOME_TELEMETRY_WITH_GRPC)

bool OtlpGrpcAvailable() noexcept { return true; }

namespace {

constexpr std::size_t kMaxRequestBytes = 64u << 20;  // OTLP client request limit
constexpr int kMaxResponseBytes = 4 << 20;           // OTLP client response limit
constexpr char kSystemCaBundle[] = "/etc/ssl/certs/ca-certificates.crt";

bool ReadFile(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = std::move(ss).str();
    return true;
}

// gRPC metadata keys are lowercase [0-9a-z_.-]; "grpc-" keys are reserved for the library.
std::optional<std::string> MetadataKey(std::string_view key) {
    std::string k;
    for (char ch : key) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (!(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'z') ||
              c == '_' || c == '.' || c == '-'))
            return std::nullopt;
        k.push_back(c);
    }
    if (k.empty() || k.starts_with("grpc-")) return std::nullopt;
    return k;
}

}  // namespace

struct OtlpGrpcTransport::Impl {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::GenericStub> stub;
    std::vector<std::pair<std::string, std::string>> metadata;
    std::string method;

    std::mutex mu;  // guards active and shutdown for cancellation
    grpc::ClientContext* active = nullptr;
    bool shutdown = false;
    std::condition_variable cv;  // retry waits, notified by Shutdown
    std::atomic<std::uint64_t> sends{0}, successes{0}, failures{0}, retries{0};

    struct Outcome {
        grpc::Status status;
        std::string response;
    };
    Outcome Call(const grpc::ByteBuffer& request, Clock::time_point deadline, bool gzip);
    bool IsShutdown() {
        std::lock_guard lock(mu);
        return shutdown;
    }
};

OtlpGrpcTransport::Impl::Outcome OtlpGrpcTransport::Impl::Call(const grpc::ByteBuffer& request,
                                                                Clock::time_point deadline,
                                                                bool gzip) {
    Outcome out;
    grpc::ClientContext ctx;
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) {
        out.status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "export timeout");
        return out;
    }
    const bool bounded = left < std::chrono::hours(24 * 365);  // else: no limit
    if (bounded)
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::duration_cast<std::chrono::system_clock::duration>(left));
    for (const auto& [k, v] : metadata) ctx.AddMetadata(k, v);
    if (gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);

    struct Done {
        std::mutex mu;
        std::condition_variable cv;
        bool done = false;
        grpc::Status status;
    } done;
    grpc::ByteBuffer response;
    {
        std::lock_guard lock(mu);
        if (shutdown) {
            out.status = grpc::Status(grpc::StatusCode::CANCELLED, "exporter shut down");
            return out;
        }
        active = &ctx;
    }
    // gRPC runs the callback on its own thread, synchronised inside libgrpc (see tsan.hpp).
    tsan::Release(&done);
    stub->UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                    [&done](grpc::Status s) {  // runs on a gRPC thread; never throws
                        tsan::Acquire(&done);
                        std::lock_guard lock(done.mu);
                        done.status = std::move(s);
                        done.done = true;
                        done.cv.notify_all();
                    });
    {
        // gRPC always completes the call by its deadline or on TryCancel; the grace period
        // only guards against a lost completion, after which we cancel and keep waiting
        // because ctx and response must outlive the call.
        std::unique_lock lock(done.mu);
        const auto finished = [&] { return done.done; };
        if (!bounded) done.cv.wait(lock, finished);
        if (bounded && !done.cv.wait_until(lock, deadline + std::chrono::seconds(1), finished)) {
            lock.unlock();
            ctx.TryCancel();
            lock.lock();
            done.cv.wait(lock, finished);
        }
        out.status = std::move(done.status);
    }
    {
        std::lock_guard lock(mu);
        active = nullptr;
    }
    if (out.status.ok()) {
        std::vector<grpc::Slice> slices;
        if (response.Dump(&slices).ok())
            for (const auto& s : slices)
                out.response.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return out;
}

OtlpGrpcTransport::OtlpGrpcTransport(OtlpGrpcTransportOptions options)
    : options_(std::move(options)) {
    auto target = ParseGrpcEndpoint(options_.endpoint, options_.insecure);
    if (!target.ok()) {
        setup_error_ = target.message();
        return;
    }
    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (target.value().tls) {
        grpc::SslCredentialsOptions ssl;
        if (!options_.certificate_file.empty()) {
            if (!ReadFile(options_.certificate_file, ssl.pem_root_certs) ||
                ssl.pem_root_certs.empty()) {
                setup_error_ = "OTLP gRPC: cannot read certificate file '" +
                               options_.certificate_file + "'";
                return;
            }
        } else if (!ReadFile(kSystemCaBundle, ssl.pem_root_certs)) {
            ssl.pem_root_certs.clear();  // gRPC's own default roots
        }
        creds = grpc::SslCredentials(ssl);
    } else {
        creds = grpc::InsecureChannelCredentials();
    }
    grpc::ChannelArguments args;
    args.SetUserAgentPrefix("tome/" + std::string(trace::kSdkVersion) +
                            " OTel-OTLP-Exporter-Cpp/" + std::string(trace::kSdkVersion));
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);  // we retry ourselves, by the OTLP table
    args.SetMaxReceiveMessageSize(kMaxResponseBytes);
    auto impl = std::make_unique<Impl>();
    impl->channel = grpc::CreateCustomChannel(target.value().authority, creds, args);
    impl->stub = std::make_unique<grpc::GenericStub>(impl->channel);
    impl->method = options_.method;
    for (const auto& [k, v] : options_.headers)
        if (auto key = MetadataKey(k)) impl->metadata.emplace_back(std::move(*key), v);
    impl_ = std::move(impl);
}

OtlpGrpcTransport::~OtlpGrpcTransport() { Shutdown(); }

bool OtlpGrpcTransport::WaitBeforeRetry(Clock::time_point until) noexcept {
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait_until(lock, until, [&] { return impl_->shutdown; });
    return !impl_->shutdown;
}

OtlpSendResult OtlpGrpcTransport::Send(std::string_view body, Clock::time_point deadline) noexcept {
    OtlpSendResult r;
    if (impl_ == nullptr || impl_->IsShutdown()) return r;
    auto finish = [&]() -> OtlpSendResult {
        if (r.attempts > 0) impl_->sends.fetch_add(1, std::memory_order_relaxed);
        (r.status == OtlpSendStatus::kSuccess ? impl_->successes : impl_->failures)
            .fetch_add(1, std::memory_order_relaxed);
        return std::move(r);
    };
    try {
        if (options_.timeout.count() > 0)
            deadline = std::min(deadline, Clock::now() + options_.timeout);
        if (body.size() > kMaxRequestBytes) return finish();
        grpc::Slice slice(body.data(), body.size());
        const grpc::ByteBuffer request(&slice, 1);
        const bool gzip = options_.compression == OtlpCompression::kGzip;

        auto backoff = options_.initial_backoff;
        for (;;) {
            Impl::Outcome o = impl_->Call(request, deadline, gzip);
            ++r.attempts;
            r.last_http_status = static_cast<long>(o.status.error_code());
            r.status = OtlpSendStatus::kFailureNonRetryable;
            if (impl_->IsShutdown()) return finish();
            if (o.status.ok()) {
                r.status = OtlpSendStatus::kSuccess;  // partial success is never retried
                r.response = std::move(o.response);
                return finish();
            }
            const auto retry_delay = DecodeGrpcRetryDelay(o.status.error_details());
            const int code = static_cast<int>(o.status.error_code());
            if (!IsRetryableGrpcCode(code, retry_delay.has_value())) return finish();
            r.status = OtlpSendStatus::kFailureRetryable;
            if (r.attempts >= options_.max_attempts) return finish();
            std::chrono::milliseconds delay;
            if (retry_delay) {
                delay = std::chrono::ceil<std::chrono::milliseconds>(*retry_delay);
            } else {
                delay = JitteredWait(backoff);
                backoff = NextBackoff(backoff, options_.max_backoff);
            }
            const auto until = Clock::now() + delay;
            if (until >= deadline) return finish();
            ++r.retries;
            impl_->retries.fetch_add(1, std::memory_order_relaxed);
            if (options_.stats != nullptr) options_.stats->Add(SelfStats::Counter::kExportRetries);
            if (!WaitBeforeRetry(until)) {
                r.status = OtlpSendStatus::kFailureNonRetryable;
                return finish();
            }
        }
    } catch (...) {
        r.status = OtlpSendStatus::kFailureNonRetryable;
        return finish();
    }
}

void OtlpGrpcTransport::Shutdown() noexcept {
    if (impl_ == nullptr) return;
    {
        std::lock_guard lock(impl_->mu);
        impl_->shutdown = true;
        if (impl_->active != nullptr) impl_->active->TryCancel();
    }
    impl_->cv.notify_all();
}

bool OtlpGrpcTransport::is_shutdown() const noexcept {
    return impl_ == nullptr || impl_->IsShutdown();
}

OtlpTransportStats OtlpGrpcTransport::stats() const noexcept {
    if (impl_ == nullptr) return {};
    return {impl_->sends.load(std::memory_order_relaxed),
            impl_->successes.load(std::memory_order_relaxed),
            impl_->failures.load(std::memory_order_relaxed),
            impl_->retries.load(std::memory_order_relaxed)};
}

#else  // !TOME_TELEMETRY_WITH_GRPC

bool OtlpGrpcAvailable() noexcept { return false; }

struct OtlpGrpcTransport::Impl {};

OtlpGrpcTransport::OtlpGrpcTransport(OtlpGrpcTransportOptions options)
    : options_(std::move(options)),
      setup_error_("OTLP gRPC: this build of tome has no gRPC support (configure with "
                   "-DTOME_WITH_GRPC=ON and libgrpc++-dev installed, or use http/protobuf)") {}

OtlpGrpcTransport::~OtlpGrpcTransport() = default;

bool OtlpGrpcTransport::WaitBeforeRetry(Clock::time_point) noexcept { return false; }

OtlpSendResult OtlpGrpcTransport::Send(std::string_view, Clock::time_point) noexcept {
    return {};
}

void OtlpGrpcTransport::Shutdown() noexcept {}

bool OtlpGrpcTransport::is_shutdown() const noexcept { return true; }

OtlpTransportStats OtlpGrpcTransport::stats() const noexcept { return {}; }

#endif

}  // namespace tome::telemetry::exporter
