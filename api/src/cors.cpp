#include "tome/api/cors.hpp"

#include <algorithm>

namespace tome::api {

bool CorsPolicy::IsAllowed(std::string_view origin) const {
    if (origin.empty()) return false;
    return std::any_of(options_.allowed_origins.begin(), options_.allowed_origins.end(),
                       [&](const std::string& o) { return o == "*" || o == origin; });
}

bool CorsPolicy::IsPreflight(const HttpRequest& request) {
    return request.method == "OPTIONS" && !request.Header("access-control-request-method").empty();
}

HttpResponse CorsPolicy::Preflight(const HttpRequest& request, const RequestContext& ctx) const {
    HttpResponse r;
    const auto origin = request.Header("origin");
    if (!IsAllowed(origin)) return ErrorResponse(ctx, CorsOriginDenied(origin));
    r.status = 204;
    r.content_type.clear();
    r.headers = {{"Access-Control-Allow-Origin", std::string(origin)},
                 {"Access-Control-Allow-Methods", options_.allowed_methods},
                 {"Access-Control-Allow-Headers", options_.allowed_headers},
                 {"Access-Control-Max-Age", std::to_string(options_.max_age_seconds)},
                 {"Vary", "Origin"}};
    return r;
}

void CorsPolicy::Decorate(const HttpRequest& request, HttpResponse& response) const {
    const auto origin = request.Header("origin");
    if (!IsAllowed(origin)) return;
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    response.headers.emplace_back("Access-Control-Expose-Headers", options_.exposed_headers);
    response.headers.emplace_back("Vary", "Origin");
}

}  // namespace tome::api
