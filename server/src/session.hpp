// Session: one accepted connection (read request, call handler, write response, repeat), and
// ServerState: what sessions share with the server. A Session's methods run on its own strand;
// only Stop() and ForceClose() are called from outside. ServerState is guarded by its mutex.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tome/server/http_server.hpp"
#include "wire.hpp"

namespace tome::server::detail {

/// What the server and ServerState see of a session, whatever its stream (TCP or TLS).
class SessionBase {
  public:
    virtual ~SessionBase() = default;
    virtual void Start() = 0;
    /// Any thread: closes the connection if idle, otherwise makes the current response the last.
    virtual void Stop() = 0;
    /// Only when no worker thread runs: closes the socket so its file descriptor is released.
    virtual void ForceClose() = 0;
};

struct ServerState {
    ServerState(HttpServerOptions opts, api::RequestHandler& h)
        : options(std::move(opts)), handler(h) {}

    /// Adds a live session; false (and not added) when stopping or at max_connections.
    bool Register(const std::shared_ptr<SessionBase>& session);
    /// Called from ~Session; wakes Shutdown when the last session is gone.
    void Unregister(const SessionBase* session);
    /// Sets `stopping` and returns the live sessions (under the lock, so Register cannot race).
    std::vector<std::shared_ptr<SessionBase>> BeginStopping();
    std::vector<std::shared_ptr<SessionBase>> LiveSessions();

    const HttpServerOptions options;
    api::RequestHandler& handler;
    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> in_flight{0};
    std::atomic<std::uint64_t> tls_handshake_failures{0};

    std::mutex mutex;
    std::condition_variable drained;  ///< Notified when `sessions` becomes empty.
    std::unordered_map<const SessionBase*, std::weak_ptr<SessionBase>> sessions;  ///< Guarded by mutex.
};

/// One connection over `Stream`: beast::tcp_stream (HTTP) or beast::ssl_stream<tcp_stream>
/// (HTTPS: the handshake first, then the same exchange; close_notify before a lingering close).
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  public:
    /// `stream_args`: what Stream is built from after the socket (the SSL context for TLS).
    template <class... StreamArgs>
    Session(boost::asio::ip::tcp::socket socket, ServerState& state, StreamArgs&&... stream_args);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void Start() override;
    void Stop() override;
    void ForceClose() override;

  private:
    static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;
    boost::beast::tcp_stream& Tcp() { return boost::beast::get_lowest_layer(stream_); }
    void OnHandshake(boost::beast::error_code ec);
    enum class Phase { kIdle, kReading, kBusy, kStreaming, kClosing };

    void WaitForRequest();
    void OnFirstBytes(boost::beast::error_code ec, std::size_t n);
    void ReadHeader();
    void OnHeader(boost::beast::error_code ec, std::size_t n);
    void ReadBody();
    void OnBody(boost::beast::error_code ec, std::size_t n);
    bool HandleReadError(boost::beast::error_code ec);
    void Respond(bool body_too_large);
    void Write(WireResponse response, bool counted);
    void OnWritten(bool counted, boost::beast::error_code ec, std::size_t n);
    void LingeringClose();
    // Streamed responses (api::ResponseStream): header and first piece, then piece by piece.
    void StartStream(api::HttpResponse response, unsigned version);
    void PullStream();
    void WriteStreamPiece(std::string piece, bool last);
    void OnStreamWritten(boost::beast::error_code ec, std::size_t n);
    void OnStreamPeerRead(boost::beast::error_code ec, std::size_t n);
    void CloseStream();
    void OnDrained(boost::beast::error_code ec, std::size_t n);
    void OnStop();

    ServerState& state_;
    Stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    WireResponse response_;
    Phase phase_ = Phase::kIdle;
    std::string client_address_;
    unsigned short local_port_ = 0;
    std::array<char, 16 * 1024> drain_buffer_{};
    std::shared_ptr<api::ResponseStream> stream_source_;  // while streaming
    std::string stream_piece_;                            // the piece being written
    bool stream_last_ = false;
    bool stream_writing_ = false;
    std::size_t drained_bytes_ = 0;
};

using PlainSession = Session<boost::beast::tcp_stream>;
using TlsSession = Session<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

}  // namespace tome::server::detail
