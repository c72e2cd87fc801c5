// A real Prometheus server (Debian's `prometheus`) scrapes a running tome server on loopback;
// the test asks Prometheus's HTTP API PromQL questions and checks the answers against what
// the test itself did and measured. Prometheus and tome are stopped by their pids.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api_test_util.hpp"
#include "child_process.hpp"
#include "tome_process.hpp"

namespace tome::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

unsigned short FreeLoopbackPort() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

std::string UrlEncode(const std::string& s) {
    std::string out;
    char buf[4];
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// The scalar value of an instant query, or nullopt while Prometheus has no answer.
std::optional<double> Query(unsigned short prometheus_port, const std::string& promql) {
    try {
        HttpClient client(prometheus_port);
        auto r = client.Get("/api/v1/query?query=" + UrlEncode(promql));
        if (r.status != 200) return std::nullopt;
        json j = r.Json();
        const json& result = j["data"]["result"];
        if (!result.is_array() || result.empty()) return std::nullopt;
        const std::string value = result[0]["value"][1];
        if (value == "NaN") return std::nullopt;
        return std::stod(value);
    } catch (const std::exception&) {
        return std::nullopt;  // not listening yet
    }
}

// Polls a PromQL question until `accept` holds or the deadline passes (an observable
// condition with a deadline, not a fixed sleep).
std::optional<double> QueryUntil(unsigned short port, const std::string& promql,
                                 const std::function<bool(double)>& accept,
                                 std::chrono::seconds deadline = std::chrono::seconds(60)) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    std::optional<double> last;
    while (std::chrono::steady_clock::now() < end) {
        last = Query(port, promql);
        if (last && accept(*last)) return last;
        std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(250));  // poll interval only
    }
    return last;
}

TEST(Prometheus, ScrapesTomeAndAnswersRateAndQuantileQueries) {
    if (!fs::exists("/usr/bin/prometheus")) GTEST_FAIL() << "install Debian's prometheus package";
    TomeProcess tome;
    const unsigned short prom_port = FreeLoopbackPort();
    const fs::path dir = fs::path(::testing::TempDir()) / ("tome-prom-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "data");
    {
        std::ofstream cfg(dir / "prometheus.yml");
        cfg << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            << "scrape_configs:\n  - job_name: tome\n    metrics_path: /metrics\n"
            << "    static_configs:\n      - targets: ['127.0.0.1:" << tome.port() << "']\n";
    }
    ChildProcess prometheus({"/usr/bin/prometheus", "--config.file=" + (dir / "prometheus.yml").string(),
                             "--storage.tsdb.path=" + (dir / "data").string(),
                             "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
                            {});
    prometheus.WaitForOutput(std::regex("Server is ready to receive web requests"),
                             std::chrono::seconds(30));

    const std::string series =
        "http_server_request_duration_seconds_count{job=\"tome\",http_route=\"/api/health\"}";
    // First one request, seen by a scrape, so that the series exists before the burst and
    // rate() can see it grow.
    HttpClient client(tome.port());
    ASSERT_EQ(client.Get("/api/health").status, 200);
    ASSERT_EQ(QueryUntil(prom_port, series, [](double v) { return v >= 1; }),
              std::optional<double>(1))
        << prometheus.output();

    // What the test does and measures itself: N more health checks, timed from the client.
    constexpr int kBurst = 59;
    constexpr int kRequests = kBurst + 1;
    std::vector<double> client_seconds;
    for (int i = 0; i < kBurst; ++i) {
        const auto start = std::chrono::steady_clock::now();
        ASSERT_EQ(client.Get("/api/health").status, 200);
        client_seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }

    // Prometheus holds exactly the number of requests the test made.
    auto count = QueryUntil(prom_port, series, [](double v) { return v >= kRequests; });
    ASSERT_TRUE(count.has_value()) << prometheus.output();
    EXPECT_EQ(*count, kRequests);

    // A rate over a window that covers the requests: positive and, with Prometheus's
    // extrapolation, increase() stays close to what was sent.
    auto rate = QueryUntil(prom_port, "rate(" + series + "[1m])", [](double v) { return v > 0; });
    ASSERT_TRUE(rate.has_value());
    EXPECT_GT(*rate, 0.0);
    auto increase = QueryUntil(prom_port, "increase(" + series + "[1m])",
                               [](double v) { return v > 0; });
    ASSERT_TRUE(increase.has_value());
    EXPECT_GE(*increase, kBurst * 0.5);
    EXPECT_LE(*increase, kBurst * 2.0);

    // The server-side p95 cannot exceed the client-side p95's bucket: each server duration is
    // part of the client's round trip.
    auto q95 = QueryUntil(
        prom_port,
        "histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket"
        "{job=\"tome\",http_route=\"/api/health\"}[1m])))",
        [](double v) { return v > 0; });
    ASSERT_TRUE(q95.has_value());
    std::sort(client_seconds.begin(), client_seconds.end());
    const double client_p95 = client_seconds[static_cast<std::size_t>(0.95 * (kBurst - 1))];
    const std::vector<double> bounds = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                        0.5,   0.75, 1,     2.5,  5,     7.5, 10};
    const double client_bucket =
        *std::lower_bound(bounds.begin(), bounds.end(), client_p95);
    EXPECT_GT(*q95, 0.0);
    EXPECT_LE(*q95, client_bucket) << "client p95 " << client_p95;

    // Prometheus's own view of the target: up, and every scrape parsed.
    auto up = QueryUntil(prom_port, "up{job=\"tome\"}", [](double v) { return v == 1; });
    EXPECT_EQ(up, std::optional<double>(1));

    EXPECT_EQ(prometheus.Stop(std::chrono::seconds(30)), std::optional<int>(0));
    EXPECT_EQ(tome.Stop(), std::optional<int>(0));
    fs::remove_all(dir);
}

}  // namespace
}  // namespace tome::testing

namespace tome::testing {
namespace {

TEST(MetricsEndpoint, PassesPromtoolAndServesOpenMetricsOnRequest) {
    TomeProcess tome;
    HttpClient client(tome.port());
    ASSERT_EQ(client.Get("/api/health").status, 200);
    ASSERT_EQ(client.Post("/api/tomes/OrderService/events", {{"type", "ORDER_PLACED"}}).status, 200);
    ASSERT_EQ(client.Get("/api/nope").status, 404);
    auto text = client.Get("/metrics");
    ASSERT_EQ(text.status, 200);
    EXPECT_NE(text.Header("content-type").find("text/plain; version=0.0.4"), std::string::npos);
    EXPECT_NE(text.body.find("http_server_request_duration_seconds_bucket"), std::string::npos);
    EXPECT_NE(text.body.find("proxy_responses_total"), std::string::npos);
    // proxy.response_time_ms and tome.response_time_ms (milliseconds in OTLP) in base units.
    EXPECT_NE(text.body.find("proxy_response_time_seconds_bucket"), std::string::npos);
    EXPECT_NE(text.body.find("tome_response_time_seconds_bucket"), std::string::npos);
    EXPECT_NE(text.body.find("otel_sdk_span_started_total"), std::string::npos);
    EXPECT_NE(text.body.find("otel_sdk_log_dropped_total{reason=\"queue_full\""), std::string::npos);
    EXPECT_NE(text.body.find("target_info{"), std::string::npos);

    const std::string file = ::testing::TempDir() + "/tome-metrics-" + std::to_string(::getpid());
    {
        std::ofstream out(file);
        out << text.body;
    }
    FILE* pipe = ::popen(("promtool check metrics < " + file + " 2>&1").c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string complaints;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe)) complaints += buf;
    const int status = ::pclose(pipe);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << complaints << "\n" << text.body;
    std::filesystem::remove(file);

    auto om = client.Request("GET", "/metrics", "",
                             {{"accept", "application/openmetrics-text; version=1.0.0"}});
    ASSERT_EQ(om.status, 200);
    EXPECT_NE(om.Header("content-type").find("application/openmetrics-text"), std::string::npos);
    EXPECT_EQ(om.body.substr(om.body.size() - 6), "# EOF\n");
    EXPECT_EQ(client.Request("POST", "/metrics", "{}").status, 405);
    EXPECT_EQ(tome.Stop(), std::optional<int>(0));
}

}  // namespace
}  // namespace tome::testing
