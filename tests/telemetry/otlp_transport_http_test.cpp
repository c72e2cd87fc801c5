// OtlpHttpTransport against the in-suite loopback receiver: headers, gzip, retries on
// 503/429 honouring Retry-After, no retry on 400, shutdown, and the partial_success decoder.
#include <gtest/gtest.h>
#include <zlib.h>

#include <thread>

#include "loopback_receiver.hpp"
#include "tome/telemetry/export/otlp_http_transport.hpp"

namespace tome::telemetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::LoopbackReceiver;
using Clock = OtlpHttpTransport::Clock;

OtlpHttpTransportOptions To(const LoopbackReceiver& rx, const std::string& path) {
    OtlpHttpTransportOptions o;
    o.endpoint = rx.url(path);
    o.headers = {{"x-api-key", "k1"}};
    o.initial_backoff = 1ms;
    o.max_backoff = 2ms;
    return o;
}

std::string Gunzip(const std::string& in) {
    std::string out(1 << 20, '\0');
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return {};
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? out : std::string("<bad gzip>");
}

TEST(OtlpHttpTransport, PostsBodyWithContentTypeAndHeaders) {
    LoopbackReceiver rx({{200, "resp-bytes", ""}});
    OtlpHttpTransport t(To(rx, "/v1/metrics"));
    const auto r = t.Send("payload", kOtlpProtobufContentType, Clock::now() + 10s);
    EXPECT_EQ(r.status, OtlpSendStatus::kSuccess);
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(r.last_http_status, 200);
    EXPECT_EQ(r.response, "resp-bytes");
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].target, "/v1/metrics");
    EXPECT_EQ(reqs[0].content_type, "application/x-protobuf");
    EXPECT_EQ(reqs[0].custom_header, "k1");
    EXPECT_EQ(reqs[0].body, "payload");
    EXPECT_NE(reqs[0].user_agent.find("OTel-OTLP-Exporter-Cpp/"), std::string::npos);
    EXPECT_EQ(t.stats().successes, 1u);
}

TEST(OtlpHttpTransport, GzipsWhenConfigured) {
    LoopbackReceiver rx;
    auto o = To(rx, "/v1/logs");
    o.compression = OtlpCompression::kGzip;
    OtlpHttpTransport t(o);
    const std::string body(5000, 'x');
    EXPECT_EQ(t.Send(body, kOtlpProtobufContentType, Clock::now() + 10s).status,
              OtlpSendStatus::kSuccess);
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].content_encoding, "gzip");
    EXPECT_LT(reqs[0].body.size(), body.size());
    EXPECT_EQ(Gunzip(reqs[0].body), body);
}

TEST(OtlpHttpTransport, RetriesRetryableStatusesWithRetryAfterCappedByTimeout) {
    // The 1 h backoff would overrun the deadline: only Retry-After: 0 allows the retries.
    LoopbackReceiver rx({{503, "", "0"}, {429, "", "0"}, {502, "", "0"}});
    auto o = To(rx, "/v1/x");
    o.initial_backoff = 1h;
    o.max_backoff = 1h;
    OtlpHttpTransport t(o);
    const auto r = t.Send("b", kOtlpProtobufContentType, Clock::now() + 10s);
    EXPECT_EQ(r.status, OtlpSendStatus::kSuccess);
    EXPECT_EQ(r.attempts, 4);
    EXPECT_EQ(r.retries, 3);
    EXPECT_EQ(rx.requests().size(), 4u);
    EXPECT_EQ(t.stats().retries, 3u);
}

TEST(OtlpHttpTransport, RetryAfterBeyondTheTimeoutGivesUpRetryable) {
    LoopbackReceiver rx({{503, "", "3600"}});
    auto o = To(rx, "/v1/x");
    o.timeout = 5s;
    OtlpHttpTransport t(o);
    const auto start = Clock::now();
    const auto r = t.Send("b", kOtlpProtobufContentType, Clock::now() + 60s);
    EXPECT_EQ(r.status, OtlpSendStatus::kFailureRetryable);
    EXPECT_EQ(r.attempts, 1);
    EXPECT_LT(Clock::now() - start, 5s);
}

TEST(OtlpHttpTransport, DoesNotRetry400AndRefusesAfterShutdown) {
    LoopbackReceiver rx({{400, "", ""}});
    OtlpHttpTransport t(To(rx, "/v1/x"));
    const auto r = t.Send("b", kOtlpProtobufContentType, Clock::now() + 10s);
    EXPECT_EQ(r.status, OtlpSendStatus::kFailureNonRetryable);
    EXPECT_EQ(r.last_http_status, 400);
    t.Shutdown();
    t.Shutdown();
    EXPECT_EQ(t.Send("b", kOtlpProtobufContentType, Clock::now() + 10s).status,
              OtlpSendStatus::kFailureNonRetryable);
    EXPECT_EQ(rx.requests().size(), 1u);
}

TEST(OtlpHttpTransport, ShutdownAbortsAHangingSend) {
    LoopbackReceiver rx({{0, "", ""}});  // never answers
    OtlpHttpTransport t(To(rx, "/v1/x"));
    std::thread stopper([&] {
        ASSERT_TRUE(rx.WaitForRequests(1, 10s));
        t.Shutdown();
    });
    const auto start = Clock::now();
    EXPECT_EQ(t.Send("b", kOtlpProtobufContentType, Clock::now() + 60s).status,
              OtlpSendStatus::kFailureNonRetryable);
    stopper.join();
    EXPECT_LT(Clock::now() - start, 30s);
}

TEST(OtlpRejectedCount, ReadsPartialSuccessFieldOne) {
    // partial_success { rejected = 300, error_message = "e" }
    const std::string msg = std::string("\x08\xac\x02\x12\x01" "e", 6);
    const std::string resp = std::string("\x0a") + static_cast<char>(msg.size()) + msg;
    EXPECT_EQ(DecodeOtlpRejectedCount(resp), 300u);
    EXPECT_EQ(DecodeOtlpRejectedCount(""), 0u);
    EXPECT_EQ(DecodeOtlpRejectedCount("\x0a\x05\x08"), 0u);  // truncated
}

}  // namespace
}  // namespace tome::telemetry::exporter
