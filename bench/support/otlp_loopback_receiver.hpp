// bench/support: what several benchmark programs share. OtlpReceiver: a loopback OTLP/HTTP
// receiver for benchmarks that export. It reads every request, answers 200 with an empty body
// and counts the requests and body bytes, in all and per signal (its path: /v1/traces, /v1/metrics,
// /v1/logs), on one io thread of its own; Stop (or the destructor) ends it. Not for tests: it
// checks nothing.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <pthread.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>

namespace tome::bench {

namespace otlp_receiver_detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class OtlpReceiver {
  public:
    enum class Signal { kTraces, kMetrics, kLogs, kOther };

    OtlpReceiver() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        Accept();
        thread_ = std::thread([this] {
            pthread_setname_np(pthread_self(), "otlp-receiver");  // apart from tome's in a profile
            ioc_.run();
        });
    }
    ~OtlpReceiver() { Stop(); }

    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::uint64_t bytes() const { return Sum(signal_bytes_); }
    std::uint64_t requests() const { return Sum(signal_requests_); }
    std::uint64_t bytes(Signal signal) const { return signal_bytes_[Index(signal)].load(); }
    std::uint64_t requests(Signal signal) const {
        return signal_requests_[Index(signal)].load();
    }

    void Stop() {
        if (!thread_.joinable()) return;
        asio::post(ioc_, [this] {
            beast::error_code ec;
            acceptor_.close(ec);
        });
        ioc_.stop();
        thread_.join();
    }

  private:
    // Reads each body through one fixed buffer and throws it away (counting its bytes): what a
    // Collector on another machine would cost this process is nothing, so the receiver should
    // cost as little of the shared cores as it can (no per-request body allocation).
    struct Session : std::enable_shared_from_this<Session> {
        Session(tcp::socket s, OtlpReceiver& r) : socket(std::move(s)), owner(r) {}
        void Read() {
            parser.emplace();
            parser->body_limit(256u << 20);
            body_bytes = 0;
            http::async_read_header(socket, buffer, *parser,
                                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                        if (ec) return;
                                        self->ReadBody();
                                    });
        }
        void ReadBody() {
            if (parser->is_done()) return OnRequest();
            parser->get().body().data = chunk;
            parser->get().body().size = sizeof(chunk);
            http::async_read(socket, buffer, *parser,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                 if (ec == http::error::need_buffer) ec = {};
                                 if (ec) return;
                                 self->body_bytes +=
                                     sizeof(self->chunk) - self->parser->get().body().size;
                                 self->ReadBody();
                             });
        }
        void OnRequest() {
            const auto& req = parser->get();
            const std::size_t signal = Index(SignalOf(req.target()));
            owner.signal_bytes_[signal] += body_bytes;
            ++owner.signal_requests_[signal];
            response = {};
            response.result(http::status::ok);
            response.version(req.version());
            response.keep_alive(req.keep_alive());
            response.prepare_payload();
            http::async_write(socket, response,
                              [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec || !self->response.keep_alive()) return;
                                  self->Read();
                              });
        }
        tcp::socket socket;
        OtlpReceiver& owner;
        beast::flat_buffer buffer;
        std::optional<http::request_parser<http::buffer_body>> parser;
        http::response<http::empty_body> response;
        char chunk[64 * 1024];
        std::size_t body_bytes = 0;
    };

    using Counts = std::array<std::atomic<std::uint64_t>, 4>;  // by Signal

    static std::size_t Index(Signal signal) { return static_cast<std::size_t>(signal); }
    static std::uint64_t Sum(const Counts& counts) {
        std::uint64_t total = 0;
        for (const auto& c : counts) total += c.load();
        return total;
    }
    static Signal SignalOf(beast::string_view target) {
        if (target == "/v1/traces") return Signal::kTraces;
        if (target == "/v1/metrics") return Signal::kMetrics;
        if (target == "/v1/logs") return Signal::kLogs;
        return Signal::kOther;
    }

    void Accept() {
        acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
            if (ec) return;
            std::make_shared<Session>(std::move(s), *this)->Read();
            Accept();
        });
    }

    asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    Counts signal_bytes_{};
    Counts signal_requests_{};
};

}  // namespace otlp_receiver_detail

using otlp_receiver_detail::OtlpReceiver;

}  // namespace tome::bench
