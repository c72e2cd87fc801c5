// Test helpers for the server suite: a blocking HTTP client over a real loopback socket and a
// RequestHandler built from a lambda. The client is single-threaded (one per test thread); the
// handler is safe to call from the server's worker threads.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "tome/api/http.hpp"
#include "tome/server/http_server.hpp"

namespace tome::server::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using WireRequest = http::request<http::string_body>;
using WireResponse = http::response<http::string_body>;

/// Calls `fn` for each request and counts the calls.
class FunctionHandler : public api::RequestHandler {
  public:
    using Fn = std::function<api::HttpResponse(const api::HttpRequest&)>;
    explicit FunctionHandler(Fn fn) : fn_(std::move(fn)) {}

    api::HttpResponse Handle(const api::HttpRequest& request) noexcept override {
        calls_.fetch_add(1);
        return fn_(request);
    }
    std::size_t calls() const { return calls_.load(); }

  private:
    Fn fn_;
    std::atomic<std::size_t> calls_{0};
};

inline api::HttpResponse TextResponse(int status, std::string body) {
    api::HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.content_type = "text/plain";
    return response;
}

inline WireRequest MakeRequest(http::verb verb, const std::string& target, std::string body = {},
                               unsigned version = 11) {
    WireRequest request(verb, target, version);
    request.set(http::field::host, "127.0.0.1");
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
}

/// Starts a server on an ephemeral loopback port; nullptr (and a test failure) if Start fails.
inline std::unique_ptr<HttpServer> StartServer(HttpServerOptions options,
                                               api::RequestHandler& handler) {
    options.address = "127.0.0.1";
    options.port = 0;
    auto server = std::make_unique<HttpServer>(std::move(options), handler);
    Status status = server->Start();
    if (!status.ok()) {
        ADD_FAILURE() << "Start failed: " << status.ToString();
        return nullptr;
    }
    return server;
}

class TestClient {
  public:
    explicit TestClient(unsigned short port) {
        socket_.connect(tcp::endpoint(net::ip::address_v4::loopback(), port), connect_error_);
    }

    bool connected() const { return !connect_error_; }
    const beast::error_code& connect_error() const { return connect_error_; }

    /// Writes the request and reads one response; nullopt (and a test failure) on any error.
    std::optional<WireResponse> Exchange(const WireRequest& request) {
        if (!Write(request)) return std::nullopt;
        return Read();
    }

    bool Write(const WireRequest& request) {
        beast::error_code ec;
        http::write(socket_, request, ec);
        if (ec) ADD_FAILURE() << "write failed: " << ec.message();
        return !ec;
    }

    bool WriteRaw(std::string_view bytes) {
        beast::error_code ec;
        net::write(socket_, net::buffer(bytes.data(), bytes.size()), ec);
        if (ec) ADD_FAILURE() << "raw write failed: " << ec.message();
        return !ec;
    }

    std::optional<WireResponse> Read() {
        WireResponse response;
        beast::error_code ec;
        http::read(socket_, buffer_, response, ec);
        if (ec) {
            ADD_FAILURE() << "read failed: " << ec.message();
            return std::nullopt;
        }
        return response;
    }

    /// True when the server closed the connection (EOF or reset) before sending more bytes.
    bool ReadsEof() {
        if (buffer_.size() > 0) return false;
        char byte;
        beast::error_code ec;
        socket_.read_some(net::buffer(&byte, 1), ec);
        return ec == net::error::eof || ec == net::error::connection_reset;
    }

  private:
    net::io_context io_context_;
    tcp::socket socket_{io_context_};
    beast::flat_buffer buffer_;
    beast::error_code connect_error_;
};

}  // namespace tome::server::testing
