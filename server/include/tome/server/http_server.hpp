// HttpServer: the HTTP/1.1 transport. Owns the listening socket, the worker threads and every
// connection; turns the wire into api::HttpRequest values and calls api::RequestHandler.
// Thread-safety: all member functions may be called from any thread; Start() runs at most once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tome/api/http.hpp"
#include "tome/core/status.hpp"

namespace tome::server {

/// HTTPS instead of HTTP (YAML server.tls). TLS 1.2 and 1.3 only, forward-secret AEAD
/// ciphers (ECDHE with AES-GCM or ChaCha20-Poly1305), no compression or renegotiation.
struct TlsServerOptions {
    std::string cert_file;  ///< PEM: the server's certificate, then its chain.
    std::string key_file;   ///< PEM: its private key.
    /// PEM: the CAs whose client certificates are accepted. Set = mutual TLS: a client without a
    /// certificate signed by one of them fails the handshake (counted). Empty = no client
    /// certificates asked for.
    std::string client_ca_file;
};

struct HttpServerOptions {
    /// IP address to listen on (IPv4 or IPv6 literal, no host names). Default "127.0.0.1".
    std::string address = "127.0.0.1";
    /// TCP port to listen on; 0 picks an ephemeral port, read it back with HttpServer::port().
    /// Default 3000.
    unsigned short port = 3000;
    /// Threads running the io_context; the handler runs on them, so this is also the number of
    /// requests handled concurrently. Must be >= 1. Default 4.
    std::size_t worker_threads = 4;
    /// Largest request body read. A larger body (Content-Length or chunked) is not read: the
    /// handler gets request.body_too_large = true and an empty body, and the connection is
    /// closed after the response. Default 1 MiB.
    std::size_t max_body_bytes = 1 << 20;
    /// Paths (exact, without the query) with a body limit of their own instead of
    /// max_body_bytes, e.g. the OTLP receiver's {"/v1/traces", 16 MiB}. Default none.
    std::vector<std::pair<std::string, std::size_t>> body_limits;
    /// A keep-alive connection with no request started for this long is closed. Default 30 s.
    std::chrono::milliseconds idle_timeout{30000};
    /// Deadline for reading one request (header + body) once its first byte arrived; also bounds
    /// writing its response. On expiry the connection is closed. Default 30 s.
    std::chrono::milliseconds read_timeout{30000};
    /// Open connections allowed; a connection accepted beyond this is closed at once.
    /// Default 1024.
    std::size_t max_connections = 1024;
    /// Serve HTTPS with these; unset = plain HTTP.
    std::optional<TlsServerOptions> tls;
};

/// Start once; Shutdown is idempotent; the destructor calls Shutdown(5 s) if still running.
class HttpServer {
  public:
    /// `handler` must outlive the server and be safe to call concurrently.
    HttpServer(HttpServerOptions options, api::RequestHandler& handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds, listens and starts the worker threads. Errors: kInvalidArgument (bad address,
    /// zero worker_threads, address not local), kUnavailable (port in use, permission, other OS
    /// errors; the message names address:port and the OS error), kFailedPrecondition (called
    /// twice or after Shutdown).
    Status Start();

    /// The bound port (the chosen one when options.port was 0); 0 before a successful Start().
    unsigned short port() const;

    /// Graceful stop: closes the acceptor at once, closes idle keep-alive connections, lets
    /// requests already received finish and their responses (with `Connection: close`) be
    /// written, for up to `grace`; then stops and joins the worker threads (a handler still
    /// running past `grace` is waited for: handlers must return). Returns true when everything
    /// in flight finished within `grace`. Idempotent: later calls return the first result.
    bool Shutdown(std::chrono::milliseconds grace);

    /// Blocks until Shutdown() completed; returns at once if the server is not running.
    void Wait();

    /// Requests received whose response is not yet fully written.
    std::size_t InFlightForTesting() const;

    /// TLS handshakes that failed (a client that does not speak TLS, an untrusted or missing
    /// client certificate, no common protocol version or cipher). 0 without TLS.
    std::uint64_t TlsHandshakeFailures() const;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

/// Blocks the calling thread until SIGINT or SIGTERM arrives and returns the signal number.
/// `on_armed`, when set, is called once the signal handlers are installed (tests use it to know
/// when raising a signal is safe). Used by app/ main().
int WaitForTerminationSignal(const std::function<void()>& on_armed = {});

}  // namespace tome::server
