// The response envelope every API answer uses, and the one place where failure codes become
// HTTP statuses: {success, data | error, traceId, spanId, timestamp, duration}.
// Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tome/api/http.hpp"
#include "tome/core/clock.hpp"
#include "tome/core/status.hpp"

namespace tome::api {

using Json = nlohmann::json;

/// The ids and timing of one request, fixed when it arrives.
struct RequestContext {
    std::string trace_id;        ///< 32 hex: continued from the caller or new.
    std::string span_id;         ///< 16 hex: this request's own span.
    std::string parent_span_id;  ///< 16 hex of the caller's span, empty when none.
    std::string tracestate;      ///< Kept from the caller, passed on unchanged.
    bool sampled = true;
    std::string operation;  ///< tome.operation of the route ("connection_management", ...).
    std::string route;      ///< Route template ("/api/connections/{id}"), empty when unmatched.
    std::string error_code;  ///< Code of the handler's failure ("unavailable"), empty on success.
    std::string error_message;  ///< Its message, empty on success.
    /// Who asked: the name of the caller's bearer token; empty when auth is off (the audit
    /// trail then names the client address).
    std::string principal;
    std::chrono::steady_clock::time_point started;
    const Clock* clock = nullptr;
};

/// An error the API reports: its HTTP status, a stable code and a message naming the field
/// or thing at fault.
struct ApiError {
    int http_status = 500;
    std::string code;  ///< "not_found", "invalid_argument", "invalid_json", "payload_too_large", ...
    std::string message;
};

/// The single mapping from Status codes to HTTP statuses: invalid_argument 400, not_found 404,
/// already_exists 409, failed_precondition 409, resource_exhausted 429, unavailable 503,
/// deadline_exceeded 504, unimplemented 501, internal 500.
int HttpStatusFor(Code code) noexcept;
ApiError ErrorFromStatus(const Status& status);

/// Transport-level errors that have no Status code of their own. Input they quote (path,
/// method, content type) is cut at a character boundary after kMaxQuotedBytes.
ApiError MethodNotAllowed(std::string_view method, std::string_view path);
ApiError PayloadTooLarge(std::size_t limit_bytes);
ApiError UnsupportedMediaType(std::string_view content_type);
ApiError RouteNotFound(std::string_view method, std::string_view path);
ApiError RateLimited(std::size_t retry_after_seconds);
/// 403 cors_origin_denied: a CORS preflight from an origin the policy does not allow.
ApiError CorsOriginDenied(std::string_view origin);
/// 400 invalid_json: the body is not UTF-8 JSON (RFC 8259). "invalid JSON at byte offset
/// <offset>: <reason>".
ApiError InvalidJson(std::size_t offset, std::string_view reason);

/// How much of a client's input an error message quotes.
inline constexpr std::size_t kMaxQuotedBytes = 256;
/// `input` cut at a character boundary after kMaxQuotedBytes ("..." marks the cut). Invalid
/// UTF-8 is left to the writer, which replaces it (JsonText).
std::string QuoteInput(std::string_view input);

/// {"success":true,"data":...,"traceId","spanId","timestamp","duration"} with `status`.
HttpResponse SuccessResponse(const RequestContext& ctx, int status, Json data);
/// {"success":false,"error":{"code","message"},...} with error.http_status.
/// Both write the body with JsonText: valid UTF-8 whatever the strings hold, never a throw.
HttpResponse ErrorResponse(const RequestContext& ctx, const ApiError& error);

}  // namespace tome::api
