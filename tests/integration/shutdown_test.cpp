// Graceful shutdown: SIGTERM while a request is in flight; that request still gets its whole
// answer, new connections are refused, and the process exits 0. With a collector that never
// answers and 10,000 spans queued, the process still exits 0 within its shutdown deadline plus
// one second and says how many spans it dropped.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <future>
#include <regex>
#include <thread>

#include "api_test_util.hpp"
#include "tome/testing/sanitizer_scale.hpp"
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


// A collector that never answers: its socket listens, so the kernel completes connections into
// the backlog and the exporters send their requests, but nothing ever reads or answers them.
class BlackHoleCollector {
public:
    BlackHoleCollector() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {}
    std::string endpoint() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }

private:
    asio::io_context io_;
    tcp::acceptor acceptor_;
};

// Spans the SDK holds for export: ended minus exported and dropped, from GET /api/telemetry.
std::int64_t QueuedSpans(HttpClient& client, std::int64_t* dropped) {
    const auto data = CheckEnvelope(client.Get("/api/telemetry"), true);
    const auto& spans = data.at("spans");
    *dropped = spans.at("dropped").at("total").get<std::int64_t>();
    return spans.at("ended").get<std::int64_t>() - spans.at("exported").get<std::int64_t>() -
           *dropped;
}

TEST(GracefulShutdown, BlackHoledCollectorCannotHoldExitPastTheDeadline) {
    using Clock = std::chrono::steady_clock;
    constexpr std::int64_t kQueuedSpans = 10'000;
    const std::chrono::milliseconds deadline(3000);
    BlackHoleCollector collector;
    TomeProcess process({}, {{"OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()},
                             {"OTEL_BSP_MAX_QUEUE_SIZE", "20000"},
                             // One export never ends by itself: only the shutdown deadline can.
                             {"OTEL_BSP_EXPORT_TIMEOUT", "600000"},
                             {"OTEL_BLRP_EXPORT_TIMEOUT", "600000"},
                             {"OTEL_METRIC_EXPORT_TIMEOUT", "600000"},
                             {"TOME_RATE_LIMIT_ENABLED", "false"},
                             {"TOME_LOG_LEVEL", "warn"},
                             {"TOME_SHUTDOWN_TIMEOUT_MS", std::to_string(deadline.count())}});
    HttpClient client(process.port());
    // The first batch's export hangs on the collector; every later span waits in the queue.
    std::int64_t queued = 0;
    std::int64_t dropped = 0;
    const auto fill_until = Clock::now() + Scaled(std::chrono::seconds(60));
    for (int order = 0; queued < kQueuedSpans && Clock::now() < fill_until; ++order) {
        for (int i = 0; i < 50; ++i) {
            const auto r = client.Post("/api/tomes/OrderService/events",
                                       {{"type", "ORDER_PLACED"},
                                        {"data", {{"orderId", order * 50 + i}, {"total", 10}}}});
            ASSERT_EQ(r.status, 200) << r.body;
        }
        queued = QueuedSpans(client, &dropped);
    }
    ASSERT_GE(queued, kQueuedSpans);
    ASSERT_EQ(dropped, 0) << "the queue has room for every span sent";
    client.Close();

    const auto signalled = Clock::now();
    process.Terminate();
    const std::optional<int> exit_code =
        process.WaitForExit(deadline + Scaled(std::chrono::seconds(5)));
    const auto took = Clock::now() - signalled;
    ASSERT_EQ(exit_code, std::optional<int>(0)) << process.output();
    EXPECT_LE(took, deadline + Scaled(std::chrono::seconds(1))) << process.output();

    static const std::regex kReport(
        R"(telemetry at exit: (\d+) spans exported, (\d+) dropped \((\d+) queue full, (\d+) )"
        R"(export failed, (\d+) at shutdown\))");
    std::smatch m;
    const std::string& out = process.output();
    ASSERT_TRUE(std::regex_search(out, m, kReport)) << out;
    const auto count = [&m](int i) { return std::stoll(m[i].str()); };
    EXPECT_EQ(count(1), 0) << "nothing can reach a collector that never answers";
    EXPECT_GE(count(2), queued) << "every queued span is counted as dropped: " << m[0];
    EXPECT_EQ(count(2), count(3) + count(4) + count(5)) << m[0];
    EXPECT_EQ(count(3), 0) << m[0];
    EXPECT_NE(out.find("not everything was exported before the deadline"), std::string::npos)
        << out;
}

}  // namespace
}  // namespace tome::testing
