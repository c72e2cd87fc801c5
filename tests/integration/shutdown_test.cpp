// Graceful shutdown: SIGTERM while a request is in flight; that request still gets its whole
// answer, new connections are refused, and the process exits 0.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <future>
#include <thread>

#include "api_test_util.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

// A backend that accepts one request, reports it, and answers only when released.
class HeldBackend {
public:
    HeldBackend() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { Serve(); });
    }
    ~HeldBackend() {
        Release();
        thread_.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::future<std::string> Received() { return received_.get_future(); }
    void Release() {
        std::call_once(released_once_, [this] { release_.set_value(); });
    }

private:
    void Serve() {
        boost::system::error_code ec;
        tcp::socket socket(io_);
        acceptor_.accept(socket, ec);
        if (ec) return;
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        received_.set_value(std::string(req.target()));
        release_.get_future().wait();
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = R"({"accepted":true})";
        res.prepare_payload();
        http::write(socket, res, ec);
    }

    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::promise<std::string> received_;
    std::promise<void> release_;
    std::once_flag released_once_;
    std::thread thread_;
};

TEST(GracefulShutdown, FinishesRequestsInFlightThenExitsZero) {
    HeldBackend backend;
    auto received = backend.Received();
    TomeProcess process({}, {{"TOME_NODE_BACKEND_URL",
                              "http://127.0.0.1:" + std::to_string(backend.port())}});
    auto in_flight = std::async(std::launch::async, [port = process.port()] {
        HttpClient client(port);
        return client.Post("/api/messages", {{"action", "process-order"}, {"data", {{"id", 1}}}});
    });
    ASSERT_EQ(received.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(received.get(), "/api/process-order");

    process.Terminate();
    // New connections are refused once the server has stopped accepting.
    bool refused = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!refused && std::chrono::steady_clock::now() < deadline) {
        asio::io_context io;
        tcp::socket s(io);
        boost::system::error_code ec;
        s.connect({asio::ip::make_address("127.0.0.1"), process.port()}, ec);
        refused = static_cast<bool>(ec);
        if (!refused) std::this_thread::yield();
    }
    EXPECT_TRUE(refused);
    backend.Release();

    ClientResponse r = in_flight.get();
    EXPECT_EQ(r.status, 200) << r.body;
    auto data = CheckEnvelope(r, true);
    EXPECT_EQ(data["response"]["accepted"], true);
    EXPECT_EQ(process.WaitForExit(std::chrono::seconds(15)), std::optional<int>(0))
        << process.output();
    EXPECT_NE(process.output().find("stopped"), std::string::npos) << process.output();
}

TEST(GracefulShutdown, IdleServerExitsZeroOnSigint) {
    TomeProcess process;
    HttpClient client(process.port());
    ASSERT_EQ(client.Get("/api/health").status, 200);  // leaves an idle keep-alive connection
    ::kill(process.pid(), SIGINT);
    EXPECT_EQ(process.WaitForExit(std::chrono::seconds(15)), std::optional<int>(0))
        << process.output();
}

}  // namespace
}  // namespace tome::testing
