// CORS policy: which browser origins may call the API, and the preflight answer.
// Immutable after construction; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tome/api/envelope.hpp"
#include "tome/api/http.hpp"

namespace tome::api {

struct CorsOptions {
    /// Origins allowed to call the API ("*" allows any). Default: none (no CORS headers sent).
    std::vector<std::string> allowed_origins;
    std::string allowed_methods = "GET, POST, PUT, DELETE, OPTIONS";
    std::string allowed_headers =
        "Content-Type, Authorization, traceparent, tracestate, baggage, x-trace-id, x-span-id";
    std::string exposed_headers = "x-trace-id, x-span-id, traceparent, Retry-After";
    int max_age_seconds = 600;
};

class CorsPolicy {
public:
    explicit CorsPolicy(CorsOptions options) : options_(std::move(options)) {}

    bool IsAllowed(std::string_view origin) const;
    /// True for an OPTIONS request carrying Access-Control-Request-Method.
    static bool IsPreflight(const HttpRequest& request);
    /// 204 with the Access-Control-Allow-* headers when the origin is allowed, else 403 in the
    /// error envelope of `ctx` (CorsOriginDenied).
    HttpResponse Preflight(const HttpRequest& request, const RequestContext& ctx) const;
    /// Adds Access-Control-Allow-Origin (and Vary: Origin) for an allowed origin.
    void Decorate(const HttpRequest& request, HttpResponse& response) const;

private:
    CorsOptions options_;
};

}  // namespace tome::api
