// LoopbackHttpServer: a tiny HTTP/1.1 server on 127.0.0.1:<ephemeral> for backend tests. It
// records every request it reads and answers it with the handler's response, or never answers
// when the handler is empty (holding the connection open until the server is destroyed).
// Runs its own io_context on one thread; requests() may be read from any thread.
#pragma once

#include <cctype>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace tome::robotcopy::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct RecordedRequest {
    std::string method;
    std::string target;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names lowercased

    std::string Header(const std::string& name) const {
        for (const auto& [key, value] : headers) {
            if (key == name) return value;
        }
        return {};
    }
};

class LoopbackHttpServer {
public:
    using Handler = std::function<http::response<http::string_body>(const RecordedRequest&)>;

    explicit LoopbackHttpServer(Handler handler)
        : handler_(std::move(handler)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
        Accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~LoopbackHttpServer() {
        io_.stop();
        thread_.join();
    }
    LoopbackHttpServer(const LoopbackHttpServer&) = delete;
    LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

    std::vector<RecordedRequest> requests() const {
        std::lock_guard lock(mu_);
        return requests_;
    }

    /// A response with a JSON (or any) body and the given status.
    static http::response<http::string_body> Respond(http::status status, std::string body,
                                                     std::string content_type =
                                                         "application/json") {
        http::response<http::string_body> res{status, 11};
        res.set(http::field::content_type, content_type);
        res.body() = std::move(body);
        res.prepare_payload();
        return res;
    }

private:
    struct Session : std::enable_shared_from_this<Session> {
        explicit Session(tcp::socket s) : socket(std::move(s)) {}
        tcp::socket socket;
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> request;
        http::response<http::string_body> response;
    };

    void Accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec) return;
            Read(std::make_shared<Session>(std::move(socket)));
            Accept();
        });
    }

    void Read(std::shared_ptr<Session> session) {
        http::async_read(session->socket, session->buffer, session->request,
                         [this, session](boost::system::error_code ec, std::size_t) {
                             if (ec) return;
                             Handle(session);
                         });
    }

    void Handle(const std::shared_ptr<Session>& session) {
        RecordedRequest recorded;
        recorded.method = std::string(session->request.method_string());
        recorded.target = std::string(session->request.target());
        recorded.body = session->request.body();
        for (const auto& field : session->request) {
            std::string name(field.name_string());
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            recorded.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        {
            std::lock_guard lock(mu_);
            requests_.push_back(recorded);
        }
        if (!handler_) {
            held_.push_back(session);  // never answer; the socket stays open
            return;
        }
        session->response = handler_(recorded);
        session->response.keep_alive(false);
        http::async_write(session->socket, session->response,
                          [session](boost::system::error_code, std::size_t) {
                              boost::system::error_code ignored;
                              session->socket.shutdown(tcp::socket::shutdown_send, ignored);
                          });
    }

    Handler handler_;
    mutable std::mutex mu_;
    std::vector<RecordedRequest> requests_;  // guarded by mu_
    // Member order matters: sessions and the acceptor die before the io_context they use.
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::vector<std::shared_ptr<Session>> held_;  // io thread only
    std::thread thread_;
};

/// A loopback port with nothing listening (bound, then closed).
inline unsigned short ClosedLoopbackPort() {
    asio::io_context io;
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    const unsigned short port = acceptor.local_endpoint().port();
    acceptor.close();
    return port;
}

}  // namespace tome::robotcopy::testing
