#include "tome/api/envelope.hpp"

#include "tome/core/json_text.hpp"
#include "tome/telemetry/api/utf8.hpp"

namespace tome::api {
namespace {

Json EnvelopeBase(const RequestContext& ctx, bool success) {
    const Clock& clock = ctx.clock ? *ctx.clock : SystemClock::Get();
    const auto elapsed = std::chrono::steady_clock::now() - ctx.started;
    const double ms =
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / 1000.0;
    return Json{{"success", success},
                {"traceId", ctx.trace_id},
                {"spanId", ctx.span_id},
                {"timestamp", FormatRfc3339(clock.Now())},
                {"duration", ms}};
}

HttpResponse Finish(const RequestContext& ctx, int status, Json body) {
    HttpResponse r;
    r.status = status;
    r.body = JsonText(body);
    r.headers.emplace_back("x-trace-id", ctx.trace_id);
    r.headers.emplace_back("x-span-id", ctx.span_id);
    r.headers.emplace_back("traceparent",
                           "00-" + ctx.trace_id + "-" + ctx.span_id + (ctx.sampled ? "-01" : "-00"));
    return r;
}

}  // namespace

int HttpStatusFor(Code code) noexcept {
    switch (code) {
        case Code::kOk: return 200;
        case Code::kInvalidArgument: return 400;
        case Code::kNotFound: return 404;
        case Code::kAlreadyExists: return 409;
        case Code::kFailedPrecondition: return 409;
        case Code::kResourceExhausted: return 429;
        case Code::kUnavailable: return 503;
        case Code::kDeadlineExceeded: return 504;
        case Code::kUnimplemented: return 501;
        case Code::kInternal: return 500;
        case Code::kAborted: return 502;
    }
    return 500;
}

ApiError ErrorFromStatus(const Status& status) {
    return {HttpStatusFor(status.code()), std::string(CodeName(status.code())), status.message()};
}

std::string QuoteInput(std::string_view input) {
    const std::string_view head = telemetry::utf8::TruncateAtBoundary(input, kMaxQuotedBytes);
    return head.size() == input.size() ? std::string(input) : std::string(head) + "...";
}

ApiError MethodNotAllowed(std::string_view method, std::string_view path) {
    return {405, "method_not_allowed",
            "method " + QuoteInput(method) + " is not allowed on " + QuoteInput(path)};
}

ApiError PayloadTooLarge(std::size_t limit_bytes) {
    return {413, "payload_too_large",
            "request body exceeds the limit of " + std::to_string(limit_bytes) + " bytes"};
}

ApiError UnsupportedMediaType(std::string_view content_type) {
    return {415, "unsupported_media_type",
            "Content-Type must be application/json, got '" + QuoteInput(content_type) + "'"};
}

ApiError CorsOriginDenied(std::string_view origin) {
    return {403, "cors_origin_denied", "origin '" + QuoteInput(origin) + "' is not allowed"};
}

ApiError RouteNotFound(std::string_view method, std::string_view path) {
    return {404, "route_not_found", "no route for " + QuoteInput(method) + " " + QuoteInput(path)};
}

ApiError InvalidJson(std::size_t offset, std::string_view reason) {
    return {400, "invalid_json",
            "invalid JSON at byte offset " + std::to_string(offset) + ": " + std::string(reason)};
}

ApiError RateLimited(std::size_t retry_after_seconds) {
    return {429, "rate_limited",
            "too many requests from this client; retry after " +
                std::to_string(retry_after_seconds) + " s"};
}

HttpResponse SuccessResponse(const RequestContext& ctx, int status, Json data) {
    Json body = EnvelopeBase(ctx, true);
    body["data"] = std::move(data);
    return Finish(ctx, status, std::move(body));
}

HttpResponse ErrorResponse(const RequestContext& ctx, const ApiError& error) {
    Json body = EnvelopeBase(ctx, false);
    body["error"] = {{"code", error.code}, {"message", error.message}};
    return Finish(ctx, error.http_status, std::move(body));
}

}  // namespace tome::api
