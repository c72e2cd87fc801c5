// Small helpers that append JSON text to a std::string, shared by the SDK's JSON encoders
// (OTLP/JSON for traces, metrics and logs; the console exporters; JSON log lines). Strings come
// out as valid UTF-8 whatever goes in. Not an instrumentation interface: it lives here only
// because telemetry/api is the one library every encoder may depend on. Pure functions; call
// from any thread.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "tome/telemetry/api/ids.hpp"
#include "tome/telemetry/api/utf8.hpp"

namespace tome::telemetry::json {

/// The body of a JSON string literal (no quotes): quotes, backslash and control characters
/// escaped; well-formed UTF-8 copied as it is; each maximal ill-formed subpart replaced by
/// U+FFFD (utf8.hpp), so the output is valid UTF-8 JSON whatever `s` holds. One pass: runs
/// that need nothing are appended in bulk.
inline void AppendEscaped(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    const char* p = s.data();
    const char* const end = p + s.size();
    const char* run = p;  // start of the bytes not yet appended, all copied verbatim
    while (p != end) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++p;
            continue;
        }
        if (c >= 0x80) {
            const utf8::Sequence seq = utf8::NextSequence(p, end);
            if (!seq.valid) {
                out.append(run, p);
                out.append(utf8::kReplacement);
                run = p + seq.length;
            }
            p += seq.length;
            continue;
        }
        out.append(run, p);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
        }
        run = ++p;
    }
    out.append(run, p);
}

/// A JSON string literal: AppendEscaped between quotes.
inline void String(std::string& out, std::string_view s) {
    out.push_back('"');
    AppendEscaped(out, s);
    out.push_back('"');
}

/// `"k":`
inline void Key(std::string& out, std::string_view k) {
    String(out, k);
    out.push_back(':');
}

inline void Bool(std::string& out, bool v) { out += v ? "true" : "false"; }

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

/// Bytes as a quoted lowercase hex string (OTLP/JSON trace and span ids).
inline void Hex(std::string& out, const std::uint8_t* data, std::size_t size) {
    out.push_back('"');
    const std::size_t at = out.size();
    out.resize(at + 2 * size);
    HexEncode(data, size, out.data() + at);
    out.push_back('"');
}

/// Bytes as a quoted standard base64 string with padding (RFC 4648 §4; proto3 JSON `bytes`).
inline void Base64(std::string& out, std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out.push_back('"');
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back(kAlphabet[n & 63]);
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (rest == 2) n |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    out.push_back('"');
}

}  // namespace tome::telemetry::json
