#include "tome/server/http_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>
#include <pthread.h>

#include "session.hpp"

namespace tome::server {
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string EndpointText(const std::string& address, unsigned short port) {
    const bool v6 = address.find(':') != std::string::npos;
    return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

/// The server's TLS context: TLS 1.2+, forward-secret AEAD ciphers, no compression or
/// renegotiation; the certificate and key; with a client CA, client certificates required.
Result<std::unique_ptr<net::ssl::context>> MakeTlsContext(const TlsServerOptions& tls) {
    auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // TLS 1.2; TLS 1.3's suites are all AEAD and forward-secret already.
    SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20");
    boost::system::error_code ec;
    const auto failed = [&](const std::string& what, const std::string& file) {
        return InvalidArgument("server.tls: cannot use " + what + " " + file + ": " + ec.message());
    };
    if (tls.cert_file.empty() || tls.key_file.empty()) {
        return InvalidArgument("server.tls needs certFile and keyFile");
    }
    ctx->use_certificate_chain_file(tls.cert_file, ec);
    if (ec) return failed("the certificate", tls.cert_file);
    ctx->use_private_key_file(tls.key_file, net::ssl::context::pem, ec);
    if (ec) return failed("the private key", tls.key_file);
    if (SSL_CTX_check_private_key(native) != 1) {
        return InvalidArgument("server.tls: the private key " + tls.key_file + " does not match the certificate " +
                               tls.cert_file);
    }
    if (!tls.client_ca_file.empty()) {
        ctx->load_verify_file(tls.client_ca_file, ec);
        if (ec) return failed("the client CA file", tls.client_ca_file);
        ctx->set_verify_mode(net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert);
    }
    return ctx;
}
constexpr std::chrono::seconds kDestructorGrace{5};

}  // namespace

class HttpServer::Impl {
  public:
    Impl(HttpServerOptions options, api::RequestHandler& handler)
        : state_(std::move(options), handler) {}

    ~Impl() { Shutdown(kDestructorGrace); }

    Status Start();
    bool Shutdown(std::chrono::milliseconds grace);
    void Wait() {
        std::unique_lock lock(mutex_);
        done_cv_.wait(lock, [&] { return !running_; });
    }
    unsigned short port() const { return port_.load(); }
    std::size_t InFlight() const { return state_.in_flight.load(); }
    std::uint64_t TlsHandshakeFailures() const { return state_.tls_handshake_failures.load(); }

  private:
    Status Listen();
    void DoAccept();
    void OnAccept(const boost::system::error_code& ec, tcp::socket socket);
    void RunWorker();

    // Declared before io_context_: sessions destroyed with the io_context unregister here.
    detail::ServerState state_;
    std::atomic<unsigned short> port_{0};

    std::mutex shutdown_mutex_;  // serialises Start and Shutdown
    std::mutex mutex_;           // guards the three flags below
    std::condition_variable done_cv_;
    bool started_ = false;
    bool running_ = false;
    std::optional<bool> shutdown_result_;

    std::vector<std::thread> threads_;
    net::io_context io_context_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
    std::mutex acceptor_mutex_;  // guards acceptor_ and retry_timer_
    tcp::acceptor acceptor_{io_context_};
    net::steady_timer retry_timer_{io_context_};
    std::unique_ptr<net::ssl::context> tls_;  // set by Start when options.tls is
};

Status HttpServer::Impl::Start() {
    std::lock_guard shutdown_lock(shutdown_mutex_);
    {
        std::lock_guard lock(mutex_);
        if (started_ || shutdown_result_) {
            return FailedPrecondition("HttpServer::Start called twice or after Shutdown");
        }
    }
    if (state_.options.worker_threads == 0) {
        return InvalidArgument("HttpServer: worker_threads must be at least 1");
    }
    if (state_.options.tls) {
        auto ctx = MakeTlsContext(*state_.options.tls);
        if (!ctx.ok()) return ctx.status();
        tls_ = std::move(*ctx);
    }
    if (Status status = Listen(); !status.ok()) return status;

    work_.emplace(net::make_work_guard(io_context_));
    DoAccept();
    try {
        threads_.reserve(state_.options.worker_threads);
        for (std::size_t i = 0; i < state_.options.worker_threads; ++i) {
            threads_.emplace_back([this] {
                pthread_setname_np(pthread_self(), "tome-http");
                RunWorker();
            });
        }
    } catch (const std::exception& e) {
        io_context_.stop();
        for (auto& thread : threads_) thread.join();
        threads_.clear();
        std::lock_guard lock(acceptor_mutex_);
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        return Unavailable(std::string("HttpServer: cannot start worker threads: ") + e.what());
    }
    std::lock_guard lock(mutex_);
    started_ = true;
    running_ = true;
    return Status::Ok();
}

Status HttpServer::Impl::Listen() {
    const auto& opts = state_.options;
    const std::string where = EndpointText(opts.address, opts.port);
    boost::system::error_code ec;
    auto address = net::ip::make_address(opts.address, ec);
    if (ec) {
        return InvalidArgument("cannot listen on " + where + ": invalid IP address '" +
                               opts.address + "'");
    }
    tcp::endpoint endpoint(address, opts.port);
    std::lock_guard lock(acceptor_mutex_);
    auto fail = [&](const char* step) {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        std::string message = "cannot listen on " + where + ": " + step + ": " + ec.message();
        if (ec == boost::system::errc::address_not_available)
            return InvalidArgument(std::move(message));
        return Unavailable(std::move(message));
    };
    if (acceptor_.open(endpoint.protocol(), ec)) return fail("open");
    if (acceptor_.set_option(net::socket_base::reuse_address(true), ec)) return fail("setsockopt");
    if (acceptor_.bind(endpoint, ec)) return fail("bind");
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
    auto local = acceptor_.local_endpoint(ec);
    if (ec) return fail("getsockname");
    port_.store(local.port());
    return Status::Ok();
}

void HttpServer::Impl::DoAccept() {
    std::lock_guard lock(acceptor_mutex_);
    if (!acceptor_.is_open()) return;
    acceptor_.async_accept(net::make_strand(io_context_),
                           [this](const boost::system::error_code& ec, tcp::socket socket) {
                               OnAccept(ec, std::move(socket));
                           });
}

void HttpServer::Impl::OnAccept(const boost::system::error_code& ec, tcp::socket socket) {
    if (ec) {
        if (ec == net::error::operation_aborted || state_.stopping.load()) return;
        // E.g. out of file descriptors: report and retry later instead of spinning.
        std::fprintf(stderr, "tome server: accept failed: %s\n", ec.message().c_str());
        std::lock_guard lock(acceptor_mutex_);
        if (!acceptor_.is_open()) return;
        retry_timer_.expires_after(kAcceptRetryDelay);
        retry_timer_.async_wait([this](const boost::system::error_code& wait_ec) {
            if (!wait_ec) DoAccept();
        });
        return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::shared_ptr<detail::SessionBase> session;
    if (tls_) session = std::make_shared<detail::TlsSession>(std::move(socket), state_, *tls_);
    else session = std::make_shared<detail::PlainSession>(std::move(socket), state_);
    // When refused (stopping or max_connections) the session dies here, closing the socket.
    if (state_.Register(session)) session->Start();
    DoAccept();
}

void HttpServer::Impl::RunWorker() {
    for (;;) {
        try {
            io_context_.run();
            return;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "tome server: worker caught exception: %s\n", e.what());
        } catch (...) {
            std::fprintf(stderr, "tome server: worker caught unknown exception\n");
        }
    }
}

bool HttpServer::Impl::Shutdown(std::chrono::milliseconds grace) {
    std::lock_guard shutdown_lock(shutdown_mutex_);
    {
        std::lock_guard lock(mutex_);
        if (shutdown_result_) return *shutdown_result_;
        if (!started_) {
            shutdown_result_ = true;
            return true;
        }
    }
    const auto deadline = std::chrono::steady_clock::now() + grace;
    auto live = state_.BeginStopping();
    {
        std::lock_guard lock(acceptor_mutex_);
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        retry_timer_.cancel();
    }
    for (auto& session : live) session->Stop();
    live.clear();  // sessions must be free to die so the registry can drain

    bool drained;
    {
        std::unique_lock lock(state_.mutex);
        drained =
            state_.drained.wait_until(lock, deadline, [&] { return state_.sessions.empty(); });
    }
    work_.reset();
    io_context_.stop();
    for (auto& thread : threads_) thread.join();  // handlers must return (see header)
    threads_.clear();
    // Connections still open past the grace: no thread runs now, so close them directly.
    for (auto& session : state_.LiveSessions()) session->ForceClose();

    {
        std::lock_guard lock(mutex_);
        shutdown_result_ = drained;
        running_ = false;
    }
    done_cv_.notify_all();
    return drained;
}

// ---- HttpServer --------------------------------------------------------------------------

HttpServer::HttpServer(HttpServerOptions options, api::RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }
unsigned short HttpServer::port() const { return impl_->port(); }
bool HttpServer::Shutdown(std::chrono::milliseconds grace) { return impl_->Shutdown(grace); }
void HttpServer::Wait() { impl_->Wait(); }
std::size_t HttpServer::InFlightForTesting() const { return impl_->InFlight(); }
std::uint64_t HttpServer::TlsHandshakeFailures() const { return impl_->TlsHandshakeFailures(); }

}  // namespace tome::server
