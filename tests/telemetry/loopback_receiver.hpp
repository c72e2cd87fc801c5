// Test-only OTLP/HTTP receiver on 127.0.0.1 (ephemeral port), built on Boost.Beast. Answers
// requests from a script of status codes (then 200), records every request, and can be told
// to never answer (a black-holed collector). One io thread; all methods are thread-safe.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tome::telemetry::testing {

class LoopbackReceiver {
public:
    struct Request {
        std::string target;
        std::string content_type;
        std::string content_encoding;
        std::string user_agent;
        std::string custom_header;  ///< Value of "x-api-key".
        std::string body;
    };
    struct Reply {
        int status = 200;  ///< 0: never answer.
        std::string body;
        std::string retry_after;
    };

    explicit LoopbackReceiver(std::deque<Reply> script = {})
        : script_(std::move(script)), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        Accept();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~LoopbackReceiver() {
        ioc_.stop();
        thread_.join();
        held_.clear();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::string url(const std::string& path = "/v1/traces") const {
        return "http://127.0.0.1:" + std::to_string(port()) + path;
    }
    std::vector<Request> requests() const {
        std::lock_guard lock(mu_);
        return requests_;
    }
    /// Waits (bounded) until at least `n` requests arrived.
    bool WaitForRequests(std::size_t n, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
    }

private:
    struct Session : std::enable_shared_from_this<Session> {
        Session(LoopbackReceiver* r, boost::asio::ip::tcp::socket s) : owner(r), socket(std::move(s)) {}
        void Read() {
            request = {};
            boost::beast::http::async_read(
                socket, buffer, request,
                [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                    if (!ec) self->Handle();
                });
        }
        void Handle() {
            Request rec;
            rec.target = std::string(request.target());
            rec.content_type = std::string(request[boost::beast::http::field::content_type]);
            rec.content_encoding =
                std::string(request[boost::beast::http::field::content_encoding]);
            rec.user_agent = std::string(request[boost::beast::http::field::user_agent]);
            rec.custom_header = std::string(request["x-api-key"]);
            rec.body = request.body();
            Reply reply;
            {
                std::lock_guard lock(owner->mu_);
                owner->requests_.push_back(std::move(rec));
                if (!owner->script_.empty()) {
                    reply = owner->script_.front();
                    owner->script_.pop_front();
                }
            }
            owner->cv_.notify_all();
            if (reply.status == 0) {  // black hole: keep the connection open, never answer
                std::lock_guard lock(owner->mu_);
                owner->held_.push_back(shared_from_this());
                return;
            }
            response = {};
            response.version(11);
            response.result(static_cast<unsigned>(reply.status));
            response.set(boost::beast::http::field::content_type, "application/x-protobuf");
            if (!reply.retry_after.empty())
                response.set(boost::beast::http::field::retry_after, reply.retry_after);
            response.body() = reply.body;
            response.keep_alive(request.keep_alive());
            response.prepare_payload();
            boost::beast::http::async_write(
                socket, response,
                [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                    if (!ec) self->Read();
                });
        }
        LoopbackReceiver* owner;
        boost::asio::ip::tcp::socket socket;
        boost::beast::flat_buffer buffer;
        boost::beast::http::request<boost::beast::http::string_body> request;
        boost::beast::http::response<boost::beast::http::string_body> response;
    };

    void Accept() {
        acceptor_.async_accept([this](boost::beast::error_code ec,
                                      boost::asio::ip::tcp::socket socket) {
            if (ec) return;
            std::make_shared<Session>(this, std::move(socket))->Read();
            Accept();
        });
    }

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Reply> script_;         // guarded by mu_
    std::vector<Request> requests_;    // guarded by mu_
    std::vector<std::shared_ptr<void>> held_;  // black-holed sessions; guarded by mu_
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;  // last: runs ioc_
};

}  // namespace tome::telemetry::testing
