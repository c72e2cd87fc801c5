// HostileRequestGenerator: seeded, reproducible requests a hostile client would send to every
// route of `tome serve`: random bytes, mutated valid bodies, invalid and truncated UTF-8, overlong
// encodings, surrogates, NUL, huge strings, deep nesting, odd traceparent/tracestate/baggage/
// user-agent headers, wrong content types, unknown routes and methods. The same seed gives the
// same requests. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "raw_http.hpp"

namespace tome::testing {

class HostileRequestGenerator {
  public:
    explicit HostileRequestGenerator(std::uint64_t seed) : rng_(seed) {}

    /// The next request and, in `kind`, a name for what was generated (for the summary).
    RawRequest Next(std::string& kind) {
        RawRequest r;
        // Routes with a body are where parsing happens: most requests go there.
        const Route* route_ptr = &kRoutes[Below(std::size(kRoutes))];
        while (Chance(60) && route_ptr->body == nullptr)
            route_ptr = &kRoutes[Below(std::size(kRoutes))];
        const Route& route = *route_ptr;
        r.method = route.method;
        r.target = Target(route.path);
        const int pick = static_cast<int>(Below(100));
        if (route.body == nullptr) {
            kind = "no-body route";
            if (Chance(10)) {
                r.body = RandomBytes(Below(64));
                kind = "no-body route with junk body";
            }
        } else if (pick < 25) {
            r.body = Mutate(route.body);
            kind = "mutated valid body";
        } else if (pick < 40) {
            r.body = WithBadStrings(route.body);
            kind = "valid body with strings that are not UTF-8";
        } else if (pick < 50) {
            r.body = RandomBytes(Below(512));
            kind = "random bytes";
        } else if (pick < 58) {
            r.body = Truncate(route.body);
            kind = "truncated body";
        } else if (pick < 64) {
            r.body = WithEscapes(route.body);
            kind = "valid body with \\u escapes (surrogates, NUL)";
        } else if (pick < 68) {
            r.body = Deep(route.body);
            kind = "deep nesting";
        } else if (pick < 71) {
            r.body = Huge(route.body);
            kind = "huge string";
        } else {
            r.body = route.body;
            kind = "valid body";
        }
        if (!r.body.empty() || route.body != nullptr) {
            r.headers.emplace_back("Content-Type", ContentType());
        }
        AddOddHeaders(r);
        // Now and then: a method the route does not have, or an unknown or malformed route.
        if (Chance(4)) {
            static const char* kMethods[] = {"PATCH", "PUT", "POST", "OPTIONS", "FOO", "G\xC3T"};
            r.method = kMethods[Below(std::size(kMethods))];
            kind = "wrong method";
        } else if (Chance(4)) {
            r.target = "/api/" + Text(1 + Below(24), true) + (Chance(50) ? "/x" : "");
            kind = "unknown route";
        }
        return r;
    }

  private:
    struct Route {
        const char* method;
        const char* path;  ///< {id}, {name}, {traceId}: a parameter to fill.
        const char* body;  ///< A valid body, or nullptr when the route takes none.
    };
    // Every route of the API (README "HTTP API") and /metrics. DELETE only ever names ids made
    // up here, so that the demo network stays for the other requests.
    static constexpr Route kRoutes[] = {
        {"GET", "/api/tomes", nullptr},
        {"GET", "/api/tomes/{tome}", nullptr},
        {"DELETE", "/api/tomes/{id}", nullptr},
        {"POST", "/api/tomes",
         R"({"id":"F1","initial":"a","context":{"n":0},"states":{"a":{"on":{"GO":{"target":"b","assign":{"n":"n"}}}},"b":{"on":{"GO":"a"}}}})"},
        {"POST", "/api/tomes", R"({"id":"R1","remote":"http://127.0.0.1:1"})"},
        {"POST", "/api/tomes/{tome}/events",
         R"({"type":"ORDER_PLACED","payload":{"orderId":"o-1","total":10,"business":{"order_value":5,"customer_tier":"gold"}}})"},
        {"POST", "/api/connections",
         R"({"sourceTome":"OrderService","targetTome":"AnalyticsService","config":{"bidirectional":false,"filters":{"events":["ORDER_PLACED"]}}})"},
        {"GET", "/api/connections", nullptr},
        {"GET", "/api/connections?tome={tome}", nullptr},
        {"GET", "/api/connections/{id}", nullptr},
        {"DELETE", "/api/connections/{id}", nullptr},
        {"POST", "/api/networks/ring", R"({"tomes":["F1","F2","F3"],"config":{}})"},
        {"POST", "/api/networks/hub", R"({"hubTome":"F1","spokeTomes":["F2","F3"]})"},
        {"POST", "/api/broadcast",
         R"({"sourceTome":"OrderService","event":{"type":"PING","payload":{"k":"v"}}})"},
        {"GET", "/api/topology", nullptr},
        {"POST", "/api/validate", R"({})"},
        {"GET", "/api/health", nullptr},
        {"GET", "/api/metrics", nullptr},
        {"GET", "/api/toggles", nullptr},
        {"GET", "/api/toggles/{name}", nullptr},
        {"PUT", "/api/toggles/{name}", R"({"enabled":true})"},
        {"PUT", "/api/toggles", R"({"toggles":{"enable-advanced-validation":true}})"},
        {"GET", "/api/traces/{traceId}", nullptr},
        {"GET", "/api/machines", nullptr},
        {"GET", "/api/telemetry", nullptr},
        {"POST", "/api/messages", R"({"action":"charge","data":{"amount":3,"note":"caf\u00e9"}})"},
        {"POST", "/api/remote/events",
         R"({"tomeId":"AnalyticsService","event":{"type":"ORDER_PLACED","payload":{"orderId":"o-2"}},"eventId":"e-1","origin":"OrderService","path":{"tomes":["OrderService"],"visited":["OrderService"]}})"},
        {"GET", "/metrics", nullptr},
    };

    std::size_t Below(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
    }
    bool Chance(int percent) { return static_cast<int>(Below(100)) < percent; }

    // Sequences that are not UTF-8: lone and truncated leads, stray continuations, overlongs,
    // surrogates, past U+10FFFF, bytes never used; and NUL.
    std::string BadSequence() {
        static const std::string kBad[] = {"\xFF",
                                           "\xFE",
                                           "\xC3",
                                           "\x80",
                                           "\xBF",
                                           "\xC0\x80",
                                           "\xC0\xAF",
                                           "\xC1\xBF",
                                           "\xE0\x80\xAF",
                                           "\xE0\x9F\xBF",
                                           "\xED\xA0\x80",
                                           "\xED\xBF\xBF",
                                           "\xF0\x80\x80\x80",
                                           "\xF4\x90\x80\x80",
                                           "\xF5\x80\x80\x80",
                                           "\xF8\x88\x80\x80\x80",
                                           "\xE2\x82",
                                           "\xF0\x9F\x98",
                                           "\xCC",
                                           std::string("\0", 1)};
        return kBad[Below(std::size(kBad))];
    }
    std::string GoodSequence() {
        static const char* kGood[] = {"\xC3\xA9",        "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                      "\xCC\x89",        "\xE4\xB8\xAD", "\xEF\xBF\xBD",
                                      "\xF4\x8F\xBF\xBF"};
        return kGood[Below(std::size(kGood))];
    }
    // Letters, good and bad sequences; `bad` false keeps it UTF-8.
    std::string Text(std::size_t pieces, bool bad) {
        std::string s;
        for (std::size_t i = 0; i < pieces; ++i) {
            const int p = static_cast<int>(Below(10));
            if (bad && p < 3)
                s += BadSequence();
            else if (p < 5)
                s += GoodSequence();
            else
                s.push_back(static_cast<char>('a' + Below(26)));
        }
        return s;
    }
    std::string RandomBytes(std::size_t n) {
        std::string s(n, '\0');
        for (auto& c : s) c = static_cast<char>(Below(256));
        return s;
    }
    static std::string PercentEncode(const std::string& bytes) {
        static const char* kHex = "0123456789ABCDEF";
        std::string out;
        for (unsigned char c : bytes) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_') {
                out.push_back(static_cast<char>(c));
            } else {
                out += '%';
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
            }
        }
        return out;
    }
    // Raw bytes that can stand in a request target: no space, no control characters.
    std::string RawPathBytes(std::size_t pieces) {
        std::string s;
        for (char c : Text(pieces, true)) {
            const auto u = static_cast<unsigned char>(c);
            if (u > 0x20 && u != 0x7F && c != '?' && c != '#' && c != '/' && c != '%')
                s.push_back(c);
        }
        return s.empty() ? "x" : s;
    }
    std::string Param(const std::string& name) {
        static const char* kTomes[] = {"OrderService",
                                       "PaymentService",
                                       "InventoryService",
                                       "NotificationService",
                                       "AnalyticsService",
                                       "F1",
                                       "F2"};
        static const char* kToggles[] = {"enable-advanced-validation", "enable-event-routing",
                                         "enable-teleport"};
        const int p = static_cast<int>(Below(10));
        if (name == "tome" && p < 4) return kTomes[Below(std::size(kTomes))];
        if (name == "name" && p < 4) return kToggles[Below(std::size(kToggles))];
        if (name == "traceId" && p < 2) return "4bf92f3577b34da6a3ce929d0e0e4736";
        if (p < 6) return PercentEncode(Text(1 + Below(12), true));  // %FF%FE, %ED%A0%80, %00...
        if (p < 8) return RawPathBytes(1 + Below(12));               // raw bytes in the target
        if (p < 9) return PercentEncode(std::string(2000 + Below(4000), 'x'));
        return "%" + std::string(1, "GZ%"[Below(3)]) + "1";  // broken percent-encoding
    }
    std::string Target(std::string path) {
        for (const char* name : {"tome", "id", "name", "traceId"}) {
            const std::string slot = std::string("{") + name + "}";
            for (auto at = path.find(slot); at != std::string::npos; at = path.find(slot)) {
                path.replace(at, slot.size(), Param(name));
            }
        }
        if (Chance(5)) path += "?q=" + PercentEncode(Text(4, true));
        return path;
    }

    std::string Mutate(std::string s) {
        const std::size_t n = 1 + Below(4);
        for (std::size_t i = 0; i < n && !s.empty(); ++i) {
            const std::size_t at = Below(s.size());
            switch (Below(6)) {
                case 0:
                    s[at] = static_cast<char>(Below(256));
                    break;
                case 1:
                    s.insert(at, BadSequence());
                    break;
                case 2:
                    s.erase(at, 1 + Below(3));
                    break;
                case 3:
                    s.insert(at, GoodSequence());
                    break;
                case 4:
                    s.insert(at, s.substr(at, Below(16)));
                    break;
                default:
                    s.insert(at, std::string(1, "{}[]\",:\\0-e."[Below(13)]));
                    break;
            }
        }
        return s;
    }
    // Each string value of the body gets a sequence that is not UTF-8 spliced in.
    std::string WithBadStrings(std::string s) {
        std::string out;
        bool in_string = false;
        for (char c : s) {
            out.push_back(c);
            if (c == '"') {
                in_string = !in_string;
                if (in_string && Chance(60)) out += Text(1 + Below(4), true);
            }
        }
        return out;
    }
    // JSON escapes that decode to what JSON text itself may not carry as UTF-8.
    std::string WithEscapes(std::string s) {
        static const char* kEscapes[] = {"\\ud800", "\\udfff", "\\ud83d",        "\\ud83d\\ude00",
                                         "\\u0000", "\\uFFFF", "\\ud800\\u0041", "\\x41",
                                         "\\u12",   "\\uZZZZ"};
        const auto at = s.find("\":\"");
        if (at == std::string::npos) return s + kEscapes[Below(std::size(kEscapes))];
        s.insert(at + 3, kEscapes[Below(std::size(kEscapes))]);
        return s;
    }
    std::string Truncate(const std::string& s) {
        std::string t = s;
        const std::size_t at = t.find("\":\"");
        if (at != std::string::npos && Chance(50)) t.insert(at + 3, "\xF0\x9F\x98\x80");
        return t.substr(0, Below(t.size()));  // may end inside the four-byte character
    }
    std::string Deep(const std::string& s) {
        const std::size_t depth = Chance(50) ? 60 + Below(10) : 1000 + Below(100000);
        const std::size_t at = s.find(":") == std::string::npos ? 0 : s.find(":") + 1;
        std::string open(depth, Chance(50) ? '[' : '{');
        if (open[0] == '{') {
            open.clear();
            for (std::size_t i = 0; i < depth; ++i) open += "{\"a\":";
        }
        return s.substr(0, at) + open + (Chance(50) ? s.substr(at) : "");
    }
    std::string Huge(const std::string& s) {
        // Over the 1 MiB limit now and then (413; by as much as the server drains before it
        // closes, like bad_input_test's OversizedBody), else up to just under it.
        if (Chance(15)) return std::string(1024 * 1024 + 10, 'x');
        const std::size_t n = 100 * 1024 + Below(800 * 1024);
        std::string big;
        big.reserve(n + 8);
        const bool bad = Chance(50);
        while (big.size() < n) big += bad ? Text(64, true) : Text(64, false);
        const auto at = s.find("\":\"");
        if (at == std::string::npos) return "{\"k\":\"" + big + "\"}";
        std::string out = s;
        out.insert(at + 3, big);
        return out;
    }
    std::string ContentType() {
        if (Chance(80)) return "application/json";  // so that most bodies reach the parser
        static const std::string kTypes[] = {"application/json; charset=utf-8",
                                             "application/json; charset=latin1",
                                             "text/plain",
                                             "application/x-www-form-urlencoded",
                                             "APPLICATION/JSON",
                                             "",
                                             "application/json\xFF",
                                             "application/\xC3"};
        return kTypes[Below(std::size(kTypes))];
    }
    // Header text: NUL is refused by the HTTP parser before routing, so only sometimes.
    std::string HeaderText(std::size_t pieces) {
        std::string s = Text(pieces, true);
        if (!Chance(5)) s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
        return s;
    }
    void AddOddHeaders(RawRequest& r) {
        if (Chance(25)) {
            static const std::string kTraceparents[] = {
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e47\xC3\xA9-00f067aa0ba902b7-01",
                "00-\xFF\xFE",
                "",
                "-",
                std::string(3000, '0')};
            r.headers.emplace_back("traceparent", kTraceparents[Below(std::size(kTraceparents))]);
        }
        if (Chance(20)) {
            r.headers.emplace_back("tracestate",
                                   Chance(50) ? "a=1,b=2" : HeaderText(1 + Below(40)));
        }
        if (Chance(30)) {
            static const std::string kBaggage[] = {"business.customer_id=%FF%FE",
                                                   "business.order_id=%C3",
                                                   "business.tier=%ED%A0%80;type=string",
                                                   "business.x=%F0%9F%98",
                                                   "business.ok=caf%C3%A9,business.bad=%C0%AF",
                                                   "business.v=%00",
                                                   "business.customer_id=\xFF\xFE",
                                                   "k\xC3=v",
                                                   "=,;,=",
                                                   "business.a=%G1"};
            std::string b = kBaggage[Below(std::size(kBaggage))];
            if (Chance(10)) {
                for (int i = 0; i < 200; ++i) b += ",business.k" + std::to_string(i) + "=%FF";
            }
            r.headers.emplace_back("baggage", b);
        }
        if (Chance(20)) r.headers.emplace_back("User-Agent", HeaderText(1 + Below(30)));
        if (Chance(10)) r.headers.emplace_back("x-trace-id", HeaderText(1 + Below(40)));
        if (Chance(5)) r.headers.emplace_back("Origin", "http://" + HeaderText(8));
    }

    std::mt19937_64 rng_;
};

}  // namespace tome::testing
