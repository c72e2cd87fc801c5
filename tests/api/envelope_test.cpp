#include "tome/api/envelope.hpp"

#include <gtest/gtest.h>

#include "tome/testing/fake_clock.hpp"

namespace tome::api {
namespace {

struct Mapping {
    Code code;
    int http;
};

class StatusMapping : public ::testing::TestWithParam<Mapping> {};

TEST_P(StatusMapping, MapsEachCodeToOneHttpStatus) {
    EXPECT_EQ(HttpStatusFor(GetParam().code), GetParam().http);
    const ApiError e = ErrorFromStatus(Status(GetParam().code, "why"));
    EXPECT_EQ(e.http_status, GetParam().http);
    EXPECT_EQ(e.code, std::string(CodeName(GetParam().code)));
    EXPECT_EQ(e.message, "why");
}

INSTANTIATE_TEST_SUITE_P(Table, StatusMapping,
                         ::testing::Values(Mapping{Code::kInvalidArgument, 400},
                                           Mapping{Code::kNotFound, 404},
                                           Mapping{Code::kAlreadyExists, 409},
                                           Mapping{Code::kFailedPrecondition, 409},
                                           Mapping{Code::kResourceExhausted, 429},
                                           Mapping{Code::kUnavailable, 503},
                                           Mapping{Code::kDeadlineExceeded, 504},
                                           Mapping{Code::kUnimplemented, 501},
                                           Mapping{Code::kInternal, 500}));

TEST(Envelope, TransportErrorsHaveTheirOwnStatuses) {
    EXPECT_EQ(MethodNotAllowed("PATCH", "/api/x").http_status, 405);
    EXPECT_EQ(PayloadTooLarge(10).http_status, 413);
    EXPECT_NE(PayloadTooLarge(10).message.find("10 bytes"), std::string::npos);
    EXPECT_EQ(UnsupportedMediaType("text/plain").http_status, 415);
    EXPECT_EQ(RouteNotFound("GET", "/nope").http_status, 404);
    EXPECT_EQ(RateLimited(3).http_status, 429);
}

TEST(Envelope, SuccessAndErrorCarryIdsTimestampAndDuration) {
    testing::FakeClock clock;
    RequestContext ctx;
    ctx.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    ctx.span_id = "00f067aa0ba902b7";
    ctx.clock = &clock;
    ctx.started = std::chrono::steady_clock::now();
    HttpResponse ok = SuccessResponse(ctx, 201, {{"x", 1}});
    EXPECT_EQ(ok.status, 201);
    Json body = Json::parse(ok.body);
    EXPECT_EQ(body["success"], true);
    EXPECT_EQ(body["data"]["x"], 1);
    EXPECT_EQ(body["traceId"], ctx.trace_id);
    EXPECT_EQ(body["spanId"], ctx.span_id);
    EXPECT_EQ(body["timestamp"], FormatRfc3339(clock.Now()));
    EXPECT_TRUE(body["duration"].is_number());
    EXPECT_FALSE(body.contains("error"));

    HttpResponse bad = ErrorResponse(ctx, ErrorFromStatus(NotFound("tome 'X' does not exist")));
    body = Json::parse(bad.body);
    EXPECT_EQ(bad.status, 404);
    EXPECT_EQ(body["success"], false);
    EXPECT_EQ(body["error"]["code"], "not_found");
    EXPECT_FALSE(body.contains("data"));
}

TEST(Envelope, FormatsRfc3339InUtc) {
    const Clock::TimePoint t{std::chrono::milliseconds(1'795'000'000'123LL)};
    EXPECT_EQ(FormatRfc3339(t), "2026-11-18T11:06:40.123Z");
}

}  // namespace
}  // namespace tome::api
