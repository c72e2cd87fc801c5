// Private: small helpers to append JSON text to a std::string.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "tome/telemetry/api/ids.hpp"

namespace tome::telemetry::exporter::json {

inline void String(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

inline void Key(std::string& out, std::string_view k) {
    String(out, k);
    out.push_back(':');
}

template <class Int>
void Integer(std::string& out, Int v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

/// 64-bit integers as decimal strings (OTLP/JSON rule).
template <class Int>
void QuotedInteger(std::string& out, Int v) {
    out.push_back('"');
    Integer(out, v);
    out.push_back('"');
}

/// Finite doubles in shortest form; NaN and infinities as proto3 JSON strings.
inline void Double(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "\"NaN\"";
    } else if (std::isinf(d)) {
        out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    } else {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, d);
        out.append(buf, r.ptr);
    }
}

inline void Hex(std::string& out, const std::uint8_t* data, std::size_t size) {
    out.push_back('"');
    const std::size_t at = out.size();
    out.resize(at + 2 * size);
    HexEncode(data, size, out.data() + at);
    out.push_back('"');
}

}  // namespace tome::telemetry::exporter::json
