#include "tome/connector/business_context.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>

#include "tome/telemetry/api/utf8.hpp"

namespace tome::connector {
namespace {

namespace trace = telemetry::trace;

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// A business baggage entry as an attribute value (views into `e`).
trace::AttributeView BusinessValue(const trace::Baggage::Entry& e) noexcept {
    const std::string_view type = Trim(e.metadata);
    const std::string_view v = e.value;
    if (type == "type=int") {
        std::int64_t i = 0;
        const auto r = std::from_chars(v.data(), v.data() + v.size(), i);
        if (r.ec == std::errc() && r.ptr == v.data() + v.size()) return i;
    } else if (type == "type=double") {
        char* end = nullptr;
        const double d = std::strtod(e.value.c_str(), &end);
        if (!v.empty() && end == e.value.c_str() + e.value.size()) return d;
    } else if (type == "type=bool" && (v == "true" || v == "false")) {
        return v == "true";
    }
    return telemetry::utf8::TruncateAtBoundary(v, kMaxBusinessValueChars);
}

}  // namespace

std::size_t BusinessAttributes(const trace::Baggage& baggage,
                               std::span<trace::AttributeKV> out) noexcept {
    const std::size_t max = std::min(out.size(), kMaxBusinessAttributes);
    std::size_t n = 0;
    for (const auto& e : baggage.entries()) {
        if (n == max) break;
        if (e.key.size() <= kBusinessPrefix.size() || !e.key.starts_with(kBusinessPrefix)) {
            continue;
        }
        out[n++] = {std::string_view(e.key), BusinessValue(e)};
    }
    return n;
}

}  // namespace tome::connector
