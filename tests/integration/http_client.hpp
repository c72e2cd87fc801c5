// HttpClient: a small blocking HTTP/1.1 client over one keep-alive connection to
// 127.0.0.1, for the integration tests. Confine each instance to one thread.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace tome::testing {

struct ClientResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    nlohmann::json Json() const { return nlohmann::json::parse(body); }
    std::string Header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

class HttpClient {
public:
    explicit HttpClient(unsigned short port) : port_(port), socket_(io_) {}

    ClientResponse Request(const std::string& method, const std::string& target,
                           const std::string& body = "",
                           std::map<std::string, std::string> headers = {}) {
        namespace http = boost::beast::http;
        if (!socket_.is_open()) Connect();
        http::request<http::string_body> req;
        req.method_string(method);
        req.target(target);
        req.version(11);
        req.set(http::field::host, "127.0.0.1");
        if (!body.empty() && !headers.count("content-type")) {
            req.set(http::field::content_type, "application/json");
        }
        for (auto& [k, v] : headers) req.set(k, v);
        req.body() = body;
        req.prepare_payload();
        http::write(socket_, req);
        boost::beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        http::read(socket_, buffer, parser);
        auto res = parser.release();
        ClientResponse out;
        out.status = static_cast<int>(res.result_int());
        for (const auto& f : res) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(c));
            out.headers[name] = std::string(f.value());
        }
        out.body = res.body();
        if (!res.keep_alive()) Close();
        return out;
    }

    ClientResponse Get(const std::string& target) { return Request("GET", target); }
    ClientResponse Post(const std::string& target, const nlohmann::json& body) {
        return Request("POST", target, body.dump());
    }
    ClientResponse Delete(const std::string& target) { return Request("DELETE", target); }

    void Close() {
        boost::system::error_code ec;
        socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        socket_.close(ec);
    }

private:
    void Connect() {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    }

    unsigned short port_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
};

}  // namespace tome::testing
