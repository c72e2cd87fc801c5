// HttpServer request/response behaviour over real loopback sockets.
#include "tome/server/http_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_client.hpp"

namespace tome::server::testing {
namespace {

using namespace std::chrono_literals;

TEST(HttpServerTest, GetRoundTripConvertsRequestAndResponse) {
    std::mutex mutex;
    api::HttpRequest seen;
    FunctionHandler handler([&](const api::HttpRequest& request) {
        std::lock_guard lock(mutex);
        seen = request;
        api::HttpResponse response = TextResponse(201, "hello");
        response.headers.emplace_back("X-Extra", "yes");
        return response;
    });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    ASSERT_NE(server->port(), 0);

    TestClient client(server->port());
    ASSERT_TRUE(client.connected()) << client.connect_error().message();
    WireRequest request = MakeRequest(http::verb::get, "/api/tomes?x=1&y=two");
    request.set("X-Custom-Header", "Value");
    auto response = client.Exchange(request);
    ASSERT_TRUE(response);

    EXPECT_EQ(response->result_int(), 201u);
    EXPECT_EQ(response->body(), "hello");
    EXPECT_EQ((*response)[http::field::content_type], "text/plain");
    EXPECT_EQ((*response)[http::field::content_length], "5");
    EXPECT_EQ((*response)[http::field::server], "tome");
    EXPECT_EQ((*response)["X-Extra"], "yes");
    EXPECT_TRUE(response->keep_alive());

    std::lock_guard lock(mutex);
    EXPECT_EQ(seen.method, "GET");
    EXPECT_EQ(seen.target, "/api/tomes?x=1&y=two");
    EXPECT_EQ(seen.path, "/api/tomes");
    EXPECT_EQ(seen.query, "x=1&y=two");
    EXPECT_EQ(seen.Header("x-custom-header"), "Value");
    EXPECT_EQ(seen.Header("host"), "127.0.0.1");
    EXPECT_EQ(seen.headers.count("X-Custom-Header"), 0u);
    EXPECT_EQ(seen.client_address, "127.0.0.1");
    EXPECT_EQ(seen.local_port, server->port());
    EXPECT_FALSE(seen.body_too_large);
    EXPECT_TRUE(seen.body.empty());
}

TEST(HttpServerTest, KeepAliveServesThreeRequestsOnOneConnection) {
    FunctionHandler handler([](const api::HttpRequest& request) {
        return TextResponse(200, request.method + " " + request.path + " " + request.body);
    });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    TestClient client(server->port());

    auto first = client.Exchange(MakeRequest(http::verb::get, "/one"));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body(), "GET /one ");
    EXPECT_TRUE(first->keep_alive());

    auto second = client.Exchange(MakeRequest(http::verb::post, "/two", "payload"));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->body(), "POST /two payload");
    EXPECT_TRUE(second->keep_alive());

    WireRequest last = MakeRequest(http::verb::get, "/three");
    last.keep_alive(false);  // Connection: close
    auto third = client.Exchange(last);
    ASSERT_TRUE(third);
    EXPECT_EQ(third->body(), "GET /three ");
    EXPECT_FALSE(third->keep_alive());
    EXPECT_TRUE(client.ReadsEof());
    EXPECT_EQ(handler.calls(), 3u);
}

TEST(HttpServerTest, Http10WithoutKeepAliveIsClosedAfterResponse) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "old"); });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    TestClient client(server->port());
    auto response = client.Exchange(MakeRequest(http::verb::get, "/", {}, 10));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->version(), 10u);
    EXPECT_EQ(response->body(), "old");
    EXPECT_TRUE(client.ReadsEof());
}

class HttpServerBodyLimitTest : public ::testing::Test {
  protected:
    static constexpr std::size_t kLimit = 1024;

    void SetUp() override {
        HttpServerOptions options;
        options.max_body_bytes = kLimit;
        server_ = StartServer(options, handler_);
        ASSERT_NE(server_, nullptr);
    }

    std::mutex mutex_;
    std::vector<api::HttpRequest> seen_;
    FunctionHandler handler_{[this](const api::HttpRequest& request) {
        std::lock_guard lock(mutex_);
        seen_.push_back(request);
        return TextResponse(request.body_too_large ? 413 : 200,
                            "size " + std::to_string(request.body.size()));
    }};
    std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerBodyLimitTest, BodyAtLimitIsDeliveredWhole) {
    TestClient client(server_->port());
    std::string body(kLimit, 'a');
    body.back() = 'z';
    auto response = client.Exchange(MakeRequest(http::verb::post, "/upload", body));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_TRUE(response->keep_alive());
    std::lock_guard lock(mutex_);
    ASSERT_EQ(seen_.size(), 1u);
    EXPECT_FALSE(seen_[0].body_too_large);
    EXPECT_EQ(seen_[0].body, body);
}

TEST_F(HttpServerBodyLimitTest, ContentLengthOverLimitIsNotReadAndConnectionCloses) {
    TestClient client(server_->port());
    auto response =
        client.Exchange(MakeRequest(http::verb::post, "/upload", std::string(kLimit + 1, 'b')));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 413u);
    EXPECT_EQ(response->body(), "size 0");
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(client.ReadsEof());
    std::lock_guard lock(mutex_);
    ASSERT_EQ(seen_.size(), 1u);
    EXPECT_TRUE(seen_[0].body_too_large);
    EXPECT_TRUE(seen_[0].body.empty());
    EXPECT_EQ(seen_[0].path, "/upload");
}

TEST_F(HttpServerBodyLimitTest, ChunkedBodyOverLimitIsRejected) {
    TestClient client(server_->port());
    std::string chunk(800, 'c');
    std::string raw =
        "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "320\r\n" +
        chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n";
    ASSERT_TRUE(client.WriteRaw(raw));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 413u);
    EXPECT_FALSE(response->keep_alive());
    std::lock_guard lock(mutex_);
    ASSERT_EQ(seen_.size(), 1u);
    EXPECT_TRUE(seen_[0].body_too_large);
    EXPECT_TRUE(seen_[0].body.empty());
}

TEST_F(HttpServerBodyLimitTest, ExpectContinueGetsInterimResponse) {
    TestClient client(server_->port());
    ASSERT_TRUE(client.WriteRaw(
        "PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
    auto interim = client.Read();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->result_int(), 100u);
    ASSERT_TRUE(client.WriteRaw("hello"));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), "size 5");
}

TEST(HttpServerTest, MalformedRequestGets400AndClose) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "no"); });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    TestClient client(server->port());
    ASSERT_TRUE(client.WriteRaw("GET /path HTTP/1.1\r\nBad Header Without Colon\r\n\r\n"));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 400u);
    EXPECT_EQ((*response)[http::field::content_type], "application/json");
    EXPECT_EQ(response->body().rfind(
                  R"({"success":false,"error":{"code":"bad_request","message":"malformed HTTP )"
                  R"(request: )",
                  0),
              0u)
        << response->body();
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(client.ReadsEof());
    EXPECT_EQ(handler.calls(), 0u);
}

TEST(HttpServerTest, ConcurrentClientsAreAllAnswered) {
    constexpr int kClients = 8;
    constexpr int kRequests = 200;
    FunctionHandler handler(
        [](const api::HttpRequest& request) { return TextResponse(200, request.query); });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    std::atomic<int> correct{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
            TestClient client(server->port());
            for (int i = 0; i < kRequests; ++i) {
                std::string query = std::to_string(c) + "-" + std::to_string(i);
                auto response = client.Exchange(MakeRequest(http::verb::get, "/n?" + query));
                if (!response) return;
                if (response->result_int() == 200 && response->body() == query) ++correct;
            }
        });
    }
    for (auto& thread : clients) thread.join();
    EXPECT_EQ(correct.load(), kClients * kRequests);
    EXPECT_EQ(handler.calls(), static_cast<std::size_t>(kClients * kRequests));
}

TEST(HttpServerTest, HandlersRunConcurrentlyOnWorkerThreads) {
    // The handler for /a only returns once /b has been handled: with one worker this deadlocks
    // until the 10 s safety deadline and /a answers 500.
    std::promise<void> b_handled;
    auto b_future = b_handled.get_future().share();
    std::promise<void> a_entered;
    FunctionHandler handler([&](const api::HttpRequest& request) {
        if (request.path == "/a") {
            a_entered.set_value();
            bool ok = b_future.wait_for(10s) == std::future_status::ready;
            return TextResponse(ok ? 200 : 500, "a");
        }
        b_handled.set_value();
        return TextResponse(200, "b");
    });
    HttpServerOptions options;
    options.worker_threads = 2;
    auto server = StartServer(options, handler);
    ASSERT_NE(server, nullptr);
    auto a = std::async(std::launch::async, [&] {
        TestClient client(server->port());
        return client.Exchange(MakeRequest(http::verb::get, "/a"));
    });
    a_entered.get_future().wait();
    TestClient client_b(server->port());
    auto b = client_b.Exchange(MakeRequest(http::verb::get, "/b"));
    ASSERT_TRUE(b);
    auto a_response = a.get();
    ASSERT_TRUE(a_response);
    EXPECT_EQ(a_response->result_int(), 200u);
}

TEST(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "x"); });
    HttpServerOptions options;
    options.idle_timeout = 50ms;
    auto server = StartServer(options, handler);
    ASSERT_NE(server, nullptr);
    TestClient client(server->port());
    auto response = client.Exchange(MakeRequest(http::verb::get, "/"));
    ASSERT_TRUE(response);
    EXPECT_TRUE(response->keep_alive());
    EXPECT_TRUE(client.ReadsEof());  // blocks until the server's idle timer closes it
}

TEST(HttpServerTest, ConnectionsBeyondMaxAreClosedAtOnce) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "x"); });
    HttpServerOptions options;
    options.max_connections = 1;
    auto server = StartServer(options, handler);
    ASSERT_NE(server, nullptr);
    TestClient first(server->port());
    ASSERT_TRUE(first.Exchange(MakeRequest(http::verb::get, "/")));  // registered, kept alive
    TestClient second(server->port());
    EXPECT_TRUE(second.ReadsEof());
    ASSERT_TRUE(first.Exchange(MakeRequest(http::verb::get, "/")));
    EXPECT_EQ(handler.calls(), 2u);
}

TEST(HttpServerTest, StartOnPortInUseFailsNamingThePort) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "x"); });
    auto first = StartServer({}, handler);
    ASSERT_NE(first, nullptr);
    HttpServerOptions options;
    options.port = first->port();
    HttpServer second(options, handler);
    Status status = second.Start();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), Code::kUnavailable);
    EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(first->port())),
              std::string::npos)
        << status.message();
    EXPECT_TRUE(second.Shutdown(1s));
    second.Wait();  // not running: returns at once
}

TEST(HttpServerTest, StartWithInvalidAddressIsInvalidArgument) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "x"); });
    HttpServerOptions options;
    options.address = "not-an-ip";
    options.port = 0;
    HttpServer server(options, handler);
    Status status = server.Start();
    EXPECT_EQ(status.code(), Code::kInvalidArgument);
    EXPECT_NE(status.message().find("not-an-ip"), std::string::npos);
}

TEST(HttpServerTest, StartTwiceIsFailedPrecondition) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "x"); });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(server->Start().code(), Code::kFailedPrecondition);
}

TEST(HttpServerSignalTest, WaitForTerminationSignalReturnsSignalNumber) {
    std::promise<void> armed;
    auto waiter = std::async(std::launch::async,
                             [&] { return WaitForTerminationSignal([&] { armed.set_value(); }); });
    armed.get_future().wait();
    ASSERT_EQ(std::raise(SIGTERM), 0);
    EXPECT_EQ(waiter.get(), SIGTERM);
}

}  // namespace
}  // namespace tome::server::testing

namespace tome::server::testing {
namespace {

// A stream whose pieces the test hands over one by one (Offer), recording Close.
class ScriptedStream final : public api::ResponseStream {
public:
    void Next(Writer write) override {
        std::lock_guard lock(mu_);
        waiting_ = std::move(write);
        cv_.notify_all();
    }
    void Close() noexcept override {
        std::lock_guard lock(mu_);
        closed_ = true;
        waiting_ = nullptr;
        cv_.notify_all();
    }
    /// Waits until the server asks for a piece, then gives it.
    bool Offer(std::string piece, bool last = false) {
        Writer w;
        {
            std::unique_lock lock(mu_);
            if (!cv_.wait_for(lock, 5s, [&] { return waiting_ != nullptr || closed_; }) || closed_) return false;
            w = std::move(waiting_);
            waiting_ = nullptr;
        }
        w(std::move(piece), last);
        return true;
    }
    bool WaitClosed() {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, 5s, [&] { return closed_; });
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    Writer waiting_;
    bool closed_ = false;
};

// Reads from the socket until `needle` has arrived (or 5 s pass); returns everything read.
std::string ReadUntil(tcp::socket& socket, std::string& seen, const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (seen.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        char buf[4096];
        beast::error_code ec;
        const std::size_t n = socket.read_some(net::buffer(buf), ec);
        if (ec) break;
        seen.append(buf, n);
    }
    return seen;
}

TEST(HttpServerStreamTest, StreamsPiecesAsTheyComeAndClosesWhenTheClientGoes) {
    auto stream = std::make_shared<ScriptedStream>();
    FunctionHandler handler([&](const api::HttpRequest&) {
        api::HttpResponse r;
        r.content_type = "text/event-stream";
        r.body = ": hello\n\n";
        r.stream = stream;
        return r;
    });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::address_v4::loopback(), server->port()));
    const std::string request = "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    net::write(socket, net::buffer(request));
    std::string seen;
    ReadUntil(socket, seen, ": hello\n\n");
    EXPECT_EQ(seen.rfind("HTTP/1.1 200", 0), 0u) << seen;
    EXPECT_NE(seen.find("Content-Type: text/event-stream"), std::string::npos) << seen;
    EXPECT_EQ(seen.find("Content-Length"), std::string::npos) << "the body runs until the connection closes";
    ASSERT_TRUE(stream->Offer("event: a\ndata: 1\n\n"));
    ReadUntil(socket, seen, "data: 1\n\n");
    ASSERT_TRUE(stream->Offer("event: b\ndata: 2\n\n"));
    ReadUntil(socket, seen, "data: 2\n\n");
    EXPECT_NE(seen.find("event: b"), std::string::npos);
    EXPECT_EQ(server->InFlightForTesting(), 0u) << "an open stream is not a request in flight";
    socket.close();  // the client goes away
    EXPECT_TRUE(stream->WaitClosed()) << "the server tells the stream";
    EXPECT_TRUE(server->Shutdown(2s));
}

TEST(HttpServerStreamTest, ShutdownClosesOpenStreamsAtOnce) {
    auto stream = std::make_shared<ScriptedStream>();
    FunctionHandler handler([&](const api::HttpRequest&) {
        api::HttpResponse r;
        r.content_type = "text/event-stream";
        r.stream = stream;
        return r;
    });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::address_v4::loopback(), server->port()));
    const std::string request = "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    net::write(socket, net::buffer(request));
    std::string seen;
    ReadUntil(socket, seen, "\r\n\r\n");
    const auto started = std::chrono::steady_clock::now();
    EXPECT_TRUE(server->Shutdown(5s));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "a stream does not hold up shutdown";
    EXPECT_TRUE(stream->WaitClosed());
}

}  // namespace
}  // namespace tome::server::testing
