// Serves the embedded UI: hashed assets under /assets/ (cached for good), and index.html for
// the pages' own paths (so that every view's URL can be reloaded and shared).
#include <array>

#include "http_context.hpp"
#include "ui_assets.hpp"

namespace tome::console::internal {
namespace {

constexpr std::array<std::string_view, 8> kPages = {"/traces", "/compare", "/logs", "/dashboards",
                                                   "/running", "/alerts", "/network", "/audit"};

bool IsPage(std::string_view path) {
    if (path == "/" || path == "/index.html") return true;
    for (auto page : kPages) {
        if (path == page || (path.starts_with(page) && path.size() > page.size() && path[page.size()] == '/')) {
            return true;
        }
    }
    return false;
}

const UiAsset* Find(std::string_view path) {
    for (const UiAsset& a : UiAssets()) {
        if (a.path == path) return &a;
    }
    return nullptr;
}

bool AcceptsGzip(const api::HttpRequest& request) {
    return request.Header("accept-encoding").find("gzip") != std::string_view::npos;
}

}  // namespace

std::optional<api::HttpResponse> HandleUi(const HttpContext&, const api::HttpRequest& request) {
    const std::string_view path = request.path;
    const bool page = IsPage(path);
    const UiAsset* asset = page ? Find("/index.html") : (path.starts_with("/assets/") || path == "/favicon.svg" ||
                                                         path == "/favicon.ico")
                                                            ? Find(path)
                                                            : nullptr;
    if (!page && !path.starts_with("/assets/")) return std::nullopt;
    if (request.method != "GET" && request.method != "HEAD") {
        api::HttpResponse r = JsonResponse(405, Json{{"success", false},
                                                     {"error", {{"code", "method_not_allowed"},
                                                                {"message", "the console's pages take GET"}}}});
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    }
    if (asset == nullptr) {
        return JsonResponse(404, Json{{"success", false},
                                      {"error", {{"code", "not_found"},
                                                 {"message", "no console file " + std::string(path)}}}});
    }
    api::HttpResponse r;
    r.status = 200;
    r.content_type = std::string(asset->content_type);
    const std::string etag = "\"" + std::string(asset->etag) + "\"";
    r.headers.emplace_back("ETag", etag);
    r.headers.emplace_back("Cache-Control", page ? "no-cache" : "public, max-age=31536000, immutable");
    r.headers.emplace_back("Vary", "Accept-Encoding");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (request.Header("if-none-match") == etag) {
        r.status = 304;
        r.content_type.clear();
        return r;
    }
    if (AcceptsGzip(request)) {
        r.body.assign(asset->gzipped);
        r.headers.emplace_back("Content-Encoding", "gzip");
    } else {
        r.body.assign(asset->raw);
    }
    return r;
}

}  // namespace tome::console::internal
