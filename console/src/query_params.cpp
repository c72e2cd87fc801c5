#include "query_params.hpp"

#include <charconv>
#include <cmath>

namespace tome::console::internal {
namespace {

int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> Decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = Hex(s[i + 1]);
            const int lo = Hex(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>((hi << 4) | lo));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> DecodePathSegment(std::string_view segment) { return Decode(segment, false); }

Result<QueryParams> QueryParams::Parse(std::string_view query) {
    QueryParams p;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto key = Decode(pair.substr(0, eq), true);
        if (!key) return InvalidArgument("query: malformed percent-escape in a parameter name");
        auto value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!value) return InvalidArgument("query parameter '" + *key + "': malformed percent-escape");
        p.values_.emplace(std::move(*key), std::move(*value));
    }
    return p;
}

std::optional<std::string> QueryParams::Get(std::string_view key) const {
    auto it = values_.find(std::string(key));
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::vector<std::string> QueryParams::All(std::string_view key) const {
    std::vector<std::string> out;
    auto [from, to] = values_.equal_range(std::string(key));
    for (auto it = from; it != to; ++it) out.push_back(it->second);
    return out;
}

Status QueryParams::RejectUnknown(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : values_) {
        bool ok = false;
        for (auto k : known) ok = ok || key == k;
        if (!ok) {
            std::string list;
            for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            return InvalidArgument("unknown query parameter '" + key + "' (expected: " + list + ")");
        }
    }
    return Status::Ok();
}

Result<std::optional<std::uint64_t>> QueryParams::Duration(std::string_view key,
                                                           std::uint64_t bare_unit_ns) const {
    auto raw = Get(key);
    if (!raw || raw->empty()) return std::optional<std::uint64_t>();
    const std::string& s = *raw;
    double number = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
    const std::string_view unit(ptr, static_cast<std::size_t>(s.data() + s.size() - ptr));
    auto bad = [&] {
        return InvalidArgument("query parameter '" + std::string(key) + "': '" + s +
                               "' is not a duration (a number with ns, us, ms, s, m or h, e.g. 250ms or 1.5s)");
    };
    if (ec != std::errc() || ptr == s.data() || !std::isfinite(number) || number < 0) return bad();
    double scale = 0;
    if (unit.empty()) scale = static_cast<double>(bare_unit_ns);
    else if (unit == "ns") scale = 1;
    else if (unit == "us" || unit == "\xC2\xB5s") scale = 1e3;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "s") scale = 1e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else return bad();
    const double ns = number * scale;
    if (ns > 1e18) return bad();
    return std::optional<std::uint64_t>(static_cast<std::uint64_t>(ns));
}

Result<std::int64_t> QueryParams::Integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                          std::int64_t max) const {
    auto raw = Get(key);
    if (!raw || raw->empty()) return fallback;
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
    if (ec != std::errc() || ptr != raw->data() + raw->size()) {
        return InvalidArgument("query parameter '" + std::string(key) + "': '" + *raw + "' is not an integer");
    }
    if (v < min || v > max) {
        return InvalidArgument("query parameter '" + std::string(key) + "': " + *raw + " is out of range [" +
                               std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    return v;
}

Result<bool> QueryParams::Flag(std::string_view key) const {
    auto raw = Get(key);
    if (!raw || raw->empty() || *raw == "false" || *raw == "0") return false;
    if (*raw == "true" || *raw == "1") return true;
    return InvalidArgument("query parameter '" + std::string(key) + "': '" + *raw + "' is not true or false");
}

Result<std::vector<std::pair<std::string, std::string>>> QueryParams::KeyValues(std::string_view key) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& v : All(key)) {
        const auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0) {
            return InvalidArgument("query parameter '" + std::string(key) + "': '" + v +
                                   "' must be key=value (e.g. business.customer_tier=premium)");
        }
        out.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    }
    return out;
}

}  // namespace tome::console::internal
