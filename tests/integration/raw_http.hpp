// RawHttp: sends bytes exactly as given (a request line, headers and body a well-behaved client
// would refuse to write: bytes that are not UTF-8 in the target or in header values, lying
// Content-Types) to 127.0.0.1 on a new connection and reads one response. For the hostile-input
// tests; each call is independent, so it may be used from one thread at a time per call.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tome::testing {

struct RawRequest {
    std::string method = "GET";
    std::string target = "/";
    std::vector<std::pair<std::string, std::string>> headers;  ///< Written as given.
    std::string body;

    /// The request as it goes on the wire (Host and Content-Length added).
    std::string Wire() const {
        std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
        if (!body.empty() || method == "POST" || method == "PUT") {
            out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        }
        return out + "\r\n" + body;
    }

    /// A printable form for failure messages: bytes outside printable ASCII as \xHH, and long
    /// bodies shortened.
    std::string Printable(std::size_t max_body = 300) const {
        std::string wire = Wire();
        const std::size_t head = wire.size() - body.size();
        if (body.size() > max_body) {
            wire =
                wire.substr(0, head + max_body) + "...(" + std::to_string(body.size()) + " bytes)";
        }
        std::string out;
        for (unsigned char c : wire) {
            if (c == '\r') continue;
            if (c == '\n' || (c >= 0x20 && c < 0x7F)) {
                out.push_back(static_cast<char>(c));
            } else {
                static const char* kHex = "0123456789ABCDEF";
                out += "\\x";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
            }
        }
        return out;
    }
};

struct RawResponse {
    int status = 0;     ///< 0 when no response could be read (see error).
    std::string error;  ///< The transport error, empty when a response was read.
    std::string content_type;
    std::string body;
};

/// Sends `request` on a new connection to 127.0.0.1:`port` and reads one response (each read
/// and write gives up after `timeout_seconds`).
inline RawResponse SendRaw(unsigned short port, const RawRequest& request,
                           int timeout_seconds = 15) {
    namespace net = boost::asio;
    namespace http = boost::beast::http;
    RawResponse out;
    net::io_context io;
    net::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) {
        out.error = "connect: " + ec.message();
        return out;
    }
    timeval tv{timeout_seconds, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    // A write error is not the end: the server may answer (413, 400) before reading everything.
    net::write(socket, net::buffer(request.Wire()), ec);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(socket, buffer, parser, ec);
    if (ec) {
        out.error = "read: " + ec.message();
        return out;
    }
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    out.body = res.body();
    socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
    return out;
}

}  // namespace tome::testing
