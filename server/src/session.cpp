#include "session.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <limits>
#include <utility>

namespace tome::server::detail {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kFirstReadBytes = 4096;
// Bytes a closing connection may still discard from the client before the socket is closed
// (avoids a TCP reset destroying the response the client has not read yet).
constexpr std::size_t kMaxDrainBytes = 1 << 20;
constexpr std::chrono::milliseconds kMaxDrainTime{2000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// The body limit of a request: its path's own limit if it has one, else the server's.
std::size_t BodyLimitFor(beast::string_view target, const HttpServerOptions& options) {
    const std::string_view path(target.data(), target.substr(0, target.find('?')).size());
    for (const auto& [limited, bytes] : options.body_limits) {
        if (path == limited) return bytes;
    }
    return options.max_body_bytes;
}

bool IsHttpParseError(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace

// ---- ServerState -------------------------------------------------------------------------

bool ServerState::Register(const std::shared_ptr<SessionBase>& session) {
    std::lock_guard lock(mutex);
    if (stopping.load() || sessions.size() >= options.max_connections) return false;
    sessions.emplace(session.get(), session);
    return true;
}

void ServerState::Unregister(const SessionBase* session) {
    std::lock_guard lock(mutex);
    if (sessions.erase(session) > 0 && sessions.empty()) drained.notify_all();
}

std::vector<std::shared_ptr<SessionBase>> ServerState::BeginStopping() {
    std::lock_guard lock(mutex);
    stopping.store(true);
    std::vector<std::shared_ptr<SessionBase>> live;
    for (auto& [ptr, weak] : sessions) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
}

std::vector<std::shared_ptr<SessionBase>> ServerState::LiveSessions() {
    std::lock_guard lock(mutex);
    std::vector<std::shared_ptr<SessionBase>> live;
    for (auto& [ptr, weak] : sessions) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
}

// ---- Session -----------------------------------------------------------------------------

template <class Stream>
template <class... StreamArgs>
Session<Stream>::Session(tcp::socket socket, ServerState& state, StreamArgs&&... stream_args)
    : state_(state), stream_(std::move(socket), std::forward<StreamArgs>(stream_args)...) {
    beast::error_code ec;
    auto remote = Tcp().socket().remote_endpoint(ec);
    if (!ec) client_address_ = remote.address().to_string();
    auto local = Tcp().socket().local_endpoint(ec);
    if (!ec) local_port_ = local.port();
}

template <class Stream>
Session<Stream>::~Session() {
    if (stream_source_) stream_source_->Close();
    state_.Unregister(this);
}

template <class Stream>
void Session<Stream>::Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
        if constexpr (kTls) {
            self->Tcp().expires_after(self->state_.options.read_timeout);
            self->stream_.async_handshake(net::ssl::stream_base::server,
                                          beast::bind_front_handler(&Session<Stream>::OnHandshake, self));
        } else {
            self->WaitForRequest();
        }
    });
}

template <class Stream>
void Session<Stream>::OnHandshake(beast::error_code ec) {
    if (ec) {
        // Not TLS, an untrusted or missing client certificate, no common version or cipher.
        state_.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
        return;  // the destructor closes the socket
    }
    WaitForRequest();
}

template <class Stream>
void Session<Stream>::Stop() {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->OnStop(); });
}

template <class Stream>
void Session<Stream>::ForceClose() {
    beast::error_code ec;
    Tcp().socket().close(ec);
}

template <class Stream>
void Session<Stream>::OnStop() {
    if (phase_ == Phase::kStreaming) {
        CloseStream();
        return;
    }
    if (phase_ != Phase::kIdle) return;  // reading/busy: the response will carry Connection: close
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();  // the pending idle read completes with operation_aborted
}

template <class Stream>
void Session<Stream>::WaitForRequest() {
    phase_ = Phase::kIdle;
    if (state_.stopping.load()) {
        beast::error_code ec;
        Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
        Tcp().close();
        return;
    }
    parser_.emplace();
    // The limit is checked once the header is known. (Not boost::none: Beast 1.74 compares the
    // Content-Length against an empty optional and then fails every body.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    if (buffer_.size() > 0) {
        ReadHeader();
        return;
    }
    Tcp().expires_after(state_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            beast::bind_front_handler(&Session<Stream>::OnFirstBytes, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnFirstBytes(beast::error_code ec, std::size_t n) {
    if (ec) return;  // closed by the peer, idle timeout or shutdown: drop the connection
    buffer_.commit(n);
    ReadHeader();
}

template <class Stream>
void Session<Stream>::ReadHeader() {
    phase_ = Phase::kReading;
    Tcp().expires_after(state_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session<Stream>::OnHeader, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnHeader(beast::error_code ec, std::size_t /*n*/) {
    if (ec) {
        HandleReadError(ec);
        return;
    }
    const std::size_t limit = BodyLimitFor(parser_->get().target(), state_.options);
    auto length = parser_->content_length();
    if (length && *length > limit) {
        Respond(true);
        return;
    }
    parser_->body_limit(std::uint64_t{limit});
    if (parser_->is_done()) {
        Respond(false);
        return;
    }
    const auto& header = parser_->get();
    if (header.version() >= 11 && beast::iequals(header[http::field::expect], "100-continue")) {
        net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                         [self = this->shared_from_this()](beast::error_code wec, std::size_t) {
                             if (!wec) self->ReadBody();
                         });
        return;
    }
    ReadBody();
}

template <class Stream>
void Session<Stream>::ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session<Stream>::OnBody, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnBody(beast::error_code ec, std::size_t /*n*/) {
    if (ec == http::error::body_limit) {
        Respond(true);
    } else if (ec) {
        HandleReadError(ec);
    } else {
        Respond(false);
    }
}

template <class Stream>
bool Session<Stream>::HandleReadError(beast::error_code ec) {
    if (!IsHttpParseError(ec)) return false;  // I/O error, timeout or peer gone: just close
    Write(BadRequestResponse(ec.message()), false);
    return true;
}

template <class Stream>
void Session<Stream>::Respond(bool body_too_large) {
    phase_ = Phase::kBusy;
    state_.in_flight.fetch_add(1);
    auto& wire = parser_->get();
    const unsigned version = wire.version();
    const bool head = wire.method() == http::verb::head;
    const bool keep_alive = !body_too_large && wire.keep_alive();
    api::HttpRequest request = ToApiRequest(wire, client_address_, local_port_, body_too_large);
    api::HttpResponse response = state_.handler.Handle(request);
    if (response.stream) {
        if (head || state_.stopping.load()) {
            response.stream->Close();
            response.stream.reset();
        } else {
            StartStream(std::move(response), version);
            return;
        }
    }
    // Checked after the handler: a shutdown that began meanwhile makes this the last response.
    const bool keep = keep_alive && !state_.stopping.load();
    Write(ToWireResponse(std::move(response), version, keep, head), true);
}

template <class Stream>
void Session<Stream>::Write(WireResponse response, bool counted) {
    phase_ = Phase::kBusy;
    response_ = std::move(response);
    Tcp().expires_after(state_.options.read_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session<Stream>::OnWritten, this->shared_from_this(), counted));
}

template <class Stream>
void Session<Stream>::OnWritten(bool counted, beast::error_code ec, std::size_t /*n*/) {
    if (counted) state_.in_flight.fetch_sub(1);
    if (ec) return;
    if (!response_.keep_alive()) {
        LingeringClose();
        return;
    }
    WaitForRequest();
}

// ---- streamed responses --------------------------------------------------------------------

template <class Stream>
void Session<Stream>::StartStream(api::HttpResponse response, unsigned version) {
    phase_ = Phase::kStreaming;
    stream_source_ = std::move(response.stream);
    WireResponse header = ToWireResponse(std::move(response), version, false, false);
    // No Content-Length: the body runs until the connection closes.
    header.erase(http::field::content_length);
    std::string text = "HTTP/" + std::to_string(version / 10) + "." + std::to_string(version % 10) + " " +
                       std::to_string(header.result_int()) + " " + std::string(header.reason()) + "\r\n";
    for (const auto& field : header) {
        text.append(field.name_string().data(), field.name_string().size());
        text += ": ";
        text.append(field.value().data(), field.value().size());
        text += "\r\n";
    }
    text += "\r\n";
    text += header.body();  // the first piece of the body, when the handler gave one
    stream_piece_ = std::move(text);
    stream_writing_ = true;
    Tcp().expires_after(state_.options.read_timeout);
    net::async_write(stream_, net::buffer(stream_piece_),
                     beast::bind_front_handler(&Session<Stream>::OnStreamWritten, this->shared_from_this()));
    // The request is answered: a stream does not hold up a graceful shutdown.
    state_.in_flight.fetch_sub(1);
    // Notice the peer going away while no piece is being written.
    Tcp().socket().async_read_some(net::buffer(drain_buffer_),
                                     beast::bind_front_handler(&Session<Stream>::OnStreamPeerRead, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::PullStream() {
    if (phase_ != Phase::kStreaming || !stream_source_) return;
    std::weak_ptr<Session> weak = this->shared_from_this();
    auto executor = stream_.get_executor();
    stream_source_->Next([weak, executor](std::string piece, bool last) {
        net::post(executor, [weak, piece = std::move(piece), last]() mutable {
            if (auto self = weak.lock()) self->WriteStreamPiece(std::move(piece), last);
        });
    });
}

template <class Stream>
void Session<Stream>::WriteStreamPiece(std::string piece, bool last) {
    if (phase_ != Phase::kStreaming || stream_writing_) return;
    stream_piece_ = std::move(piece);
    stream_last_ = last;
    stream_writing_ = true;
    Tcp().expires_after(state_.options.read_timeout);
    net::async_write(stream_, net::buffer(stream_piece_),
                     beast::bind_front_handler(&Session<Stream>::OnStreamWritten, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnStreamWritten(beast::error_code ec, std::size_t /*n*/) {
    stream_writing_ = false;
    if (ec || stream_last_ || state_.stopping.load()) {
        CloseStream();
        return;
    }
    PullStream();
}

template <class Stream>
void Session<Stream>::OnStreamPeerRead(beast::error_code ec, std::size_t /*n*/) {
    if (phase_ != Phase::kStreaming) return;
    if (ec) {
        CloseStream();  // the peer closed, the socket was closed, or it timed out
        return;
    }
    Tcp().socket().async_read_some(net::buffer(drain_buffer_),
                                     beast::bind_front_handler(&Session<Stream>::OnStreamPeerRead, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::CloseStream() {
    if (auto source = std::move(stream_source_)) source->Close();
    phase_ = Phase::kClosing;
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();
}

template <class Stream>
void Session<Stream>::LingeringClose() {
    phase_ = Phase::kClosing;
    if constexpr (kTls) {
        // close_notify, then close: a TLS client reads the response to its end without a
        // truncation error. Bounded like the plain drain.
        Tcp().expires_after(std::min<std::chrono::milliseconds>(state_.options.read_timeout, kMaxDrainTime));
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->Tcp().close(); });
        return;
    }
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    Tcp().expires_after(
        std::min<std::chrono::milliseconds>(state_.options.read_timeout, kMaxDrainTime));
    drained_bytes_ = 0;
    stream_.async_read_some(net::buffer(drain_buffer_),
                            beast::bind_front_handler(&Session<Stream>::OnDrained, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnDrained(beast::error_code ec, std::size_t n) {
    drained_bytes_ += n;
    if (ec || drained_bytes_ > kMaxDrainBytes) return;  // the destructor closes the socket
    stream_.async_read_some(net::buffer(drain_buffer_),
                            beast::bind_front_handler(&Session<Stream>::OnDrained, this->shared_from_this()));
}

template class Session<beast::tcp_stream>;
template class Session<beast::ssl_stream<beast::tcp_stream>>;
template PlainSession::Session(tcp::socket, ServerState&);
template TlsSession::Session(tcp::socket, ServerState&, net::ssl::context&);

}  // namespace tome::server::detail
