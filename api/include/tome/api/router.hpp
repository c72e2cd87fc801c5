// Router: matches a method and path against route templates ("/api/connections/{id}") and
// tells apart "no such route" (404) from "route exists, wrong method" (405). Built once at
// start-up, then read-only: Match may be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tome::api {

using PathParams = std::map<std::string, std::string>;

template <typename Handler>
class Router {
public:
    struct Route {
        std::string method;
        std::string pattern;    ///< "/api/tomes/{id}/events"
        std::string operation;  ///< tome.operation attribute value
        Handler handler;
    };

    struct Match {
        const Route* route = nullptr;  ///< Set when method and path matched.
        PathParams params;
        bool path_matched = false;  ///< Path matched some route, perhaps with another method.
        std::string allowed_methods;  ///< For 405: "GET, DELETE".
    };

    void Add(std::string method, std::string pattern, std::string operation, Handler handler) {
        routes_.push_back({std::move(method), std::move(pattern), std::move(operation),
                           std::move(handler)});
    }

    Match Find(std::string_view method, std::string_view path) const {
        Match m;
        for (const Route& r : routes_) {
            PathParams params;
            if (!PathMatches(r.pattern, path, params)) continue;
            m.path_matched = true;
            if (!m.allowed_methods.empty()) m.allowed_methods += ", ";
            m.allowed_methods += r.method;
            if (m.route == nullptr && r.method == method) {
                m.route = &r;
                m.params = std::move(params);
            }
        }
        return m;
    }

    const std::vector<Route>& routes() const { return routes_; }

private:
    static std::vector<std::string_view> Segments(std::string_view path) {
        std::vector<std::string_view> out;
        while (!path.empty()) {
            if (path.front() == '/') {
                path.remove_prefix(1);
                continue;
            }
            const auto slash = path.find('/');
            out.push_back(path.substr(0, slash));
            if (slash == std::string_view::npos) break;
            path.remove_prefix(slash);
        }
        return out;
    }

    static bool PathMatches(std::string_view pattern, std::string_view path, PathParams& params) {
        const auto ps = Segments(pattern);
        const auto xs = Segments(path);
        if (ps.size() != xs.size()) return false;
        for (std::size_t i = 0; i < ps.size(); ++i) {
            if (ps[i].size() > 2 && ps[i].front() == '{' && ps[i].back() == '}') {
                if (xs[i].empty()) return false;
                params[std::string(ps[i].substr(1, ps[i].size() - 2))] = PercentDecode(xs[i]);
            } else if (ps[i] != xs[i]) {
                return false;
            }
        }
        return true;
    }

    static std::string PercentDecode(std::string_view s) {
        std::string out;
        out.reserve(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '%' && i + 2 < s.size()) {
                const auto hex = std::string(s.substr(i + 1, 2));
                char* end = nullptr;
                const long v = std::strtol(hex.c_str(), &end, 16);
                if (end == hex.c_str() + 2) {
                    out.push_back(static_cast<char>(v));
                    i += 2;
                    continue;
                }
            }
            out.push_back(s[i]);
        }
        return out;
    }

    std::vector<Route> routes_;
};

}  // namespace tome::api
