// HttpServer graceful shutdown: in-flight requests finish, idle connections and the acceptor close.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "test_client.hpp"
#include "tome/server/http_server.hpp"

namespace tome::server::testing {
namespace {

using namespace std::chrono_literals;

TEST(HttpServerShutdownTest, InFlightRequestCompletesAndNewConnectionsAreRefused) {
    std::promise<void> entered;
    std::promise<void> release;
    auto released = release.get_future().share();
    FunctionHandler handler([&](const api::HttpRequest& request) {
        if (request.path != "/slow") return TextResponse(200, "fast");
        entered.set_value();
        bool ok = released.wait_for(10s) == std::future_status::ready;
        return TextResponse(ok ? 200 : 500, "slow done");
    });
    HttpServerOptions options;
    options.worker_threads = 2;
    auto server = StartServer(options, handler);
    ASSERT_NE(server, nullptr);
    const unsigned short port = server->port();

    TestClient idle(port);  // becomes an idle keep-alive connection
    auto fast = idle.Exchange(MakeRequest(http::verb::get, "/fast"));
    ASSERT_TRUE(fast);
    EXPECT_TRUE(fast->keep_alive());

    auto slow = std::async(std::launch::async, [&] {
        TestClient client(port);
        return client.Exchange(MakeRequest(http::verb::get, "/slow"));
    });
    entered.get_future().wait();
    // >= 1: the /fast write may not have reported completion yet even though the client has it.
    EXPECT_GE(server->InFlightForTesting(), 1u);

    auto shutdown = std::async(std::launch::async, [&] { return server->Shutdown(10s); });
    // The idle connection is closed while the slow request is still being handled; the server
    // closes the acceptor before idle connections, so new connections now fail.
    EXPECT_TRUE(idle.ReadsEof());
    EXPECT_FALSE(TestClient(port).connected());
    EXPECT_EQ(shutdown.wait_for(0s), std::future_status::timeout);

    release.set_value();
    auto response = slow.get();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
    EXPECT_EQ(response->body(), "slow done");
    EXPECT_EQ((*response)[http::field::connection], "close");

    EXPECT_TRUE(shutdown.get());
    EXPECT_EQ(server->InFlightForTesting(), 0u);
    server->Wait();
    EXPECT_TRUE(server->Shutdown(0ms));  // idempotent
    EXPECT_FALSE(TestClient(port).connected());
    EXPECT_EQ(server->Start().code(), Code::kFailedPrecondition);
}

TEST(HttpServerShutdownTest, WaitReturnsOnceAnotherThreadShutsDown) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "x"); });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    std::promise<void> waiting;
    auto waiter = std::async(std::launch::async, [&] {
        waiting.set_value();
        server->Wait();
    });
    waiting.get_future().wait();
    auto first = std::async(std::launch::async, [&] { return server->Shutdown(5s); });
    bool second = server->Shutdown(5s);
    EXPECT_TRUE(first.get());
    EXPECT_TRUE(second);
    EXPECT_EQ(waiter.wait_for(10s), std::future_status::ready);
}

TEST(HttpServerShutdownTest, DestructorClosesIdleConnectionsAndListener) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "x"); });
    auto server = StartServer({}, handler);
    ASSERT_NE(server, nullptr);
    const unsigned short port = server->port();
    TestClient idle(port);
    ASSERT_TRUE(idle.Exchange(MakeRequest(http::verb::get, "/")));
    server.reset();
    EXPECT_TRUE(idle.ReadsEof());
    EXPECT_FALSE(TestClient(port).connected());
}

TEST(HttpServerShutdownTest, ShutdownWithoutStartIsFine) {
    FunctionHandler handler([](const api::HttpRequest&) { return TextResponse(200, "x"); });
    HttpServer server({}, handler);
    EXPECT_TRUE(server.Shutdown(0ms));
    EXPECT_TRUE(server.Shutdown(0ms));
    server.Wait();
    EXPECT_EQ(server.Start().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace tome::server::testing
