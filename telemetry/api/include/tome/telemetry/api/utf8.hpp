// UTF-8 at the edges: every writer that sends a string out of tome (the API's JSON, JSON log
// lines, OTLP protobuf and JSON, Prometheus text) checks it with these functions and replaces
// what is not UTF-8, so that one bad byte from a client can never make an output invalid.
// Well-formed means Unicode 15 §3.9 Table 3-7: no overlong forms, no surrogates (U+D800-DFFF),
// nothing past U+10FFFF, no truncated sequence; NUL and other controls are well-formed.
// Pure functions; call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tome::telemetry::utf8 {

/// U+FFFD REPLACEMENT CHARACTER, encoded.
inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// One step of decoding: the length of the well-formed sequence at the cursor, or (valid false)
/// the length of the maximal subpart of an ill-formed one (at least 1), which is what one U+FFFD
/// replaces (Unicode §3.9 "U+FFFD Substitution of Maximal Subparts", the WHATWG decoder).
struct Sequence {
    std::size_t length;
    bool valid;
};

/// Decodes the sequence that starts at `p`. Precondition: p < end.
inline Sequence NextSequence(const char* p, const char* end) noexcept {
    const auto* b = reinterpret_cast<const unsigned char*>(p);
    const auto avail = static_cast<std::size_t>(end - p);
    const unsigned b0 = b[0];
    if (b0 < 0x80) return {1, true};
    std::size_t length = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the range of the second byte (Table 3-7)
    if (b0 < 0xC2) {
        return {1, false};  // a continuation byte, or C0/C1 (always overlong)
    } else if (b0 < 0xE0) {
        length = 2;
    } else if (b0 < 0xF0) {
        length = 3;
        if (b0 == 0xE0) lo = 0xA0;  // overlong below U+0800
        if (b0 == 0xED) hi = 0x9F;  // surrogates D800-DFFF
    } else if (b0 < 0xF5) {
        length = 4;
        if (b0 == 0xF0) lo = 0x90;  // overlong below U+10000
        if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
        return {1, false};  // F5-FF never appear in UTF-8
    }
    if (avail < 2 || b[1] < lo || b[1] > hi) return {1, false};
    for (std::size_t i = 2; i < length; ++i) {
        if (i >= avail || (b[i] & 0xC0) != 0x80) return {i, false};
    }
    return {length, true};
}

/// Offset of the first byte of the first ill-formed sequence in `s`; s.size() when `s` is
/// well-formed UTF-8. ASCII is checked eight bytes at a time.
inline std::size_t FindInvalid(std::string_view s) noexcept {
    const char* const begin = s.data();
    const char* const end = begin + s.size();
    const char* p = begin;
    while (p != end) {
        while (end - p >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, sizeof word);
            if ((word & 0x8080808080808080ULL) != 0) break;
            p += 8;
        }
        while (p != end && static_cast<unsigned char>(*p) < 0x80) ++p;
        if (p == end) break;
        const Sequence seq = NextSequence(p, end);
        if (!seq.valid) return static_cast<std::size_t>(p - begin);
        p += seq.length;
    }
    return s.size();
}

/// True when all of `s` is well-formed UTF-8.
inline bool IsValid(std::string_view s) noexcept { return FindInvalid(s) == s.size(); }

/// Appends `s` to `out` with each maximal subpart of an ill-formed sequence replaced by one
/// U+FFFD. Well-formed input is appended unchanged.
void AppendSanitized(std::string& out, std::string_view s);

/// `s` itself when it is well-formed (no copy, no allocation); otherwise its sanitised copy,
/// held in `storage` (which the result then points into).
inline std::string_view Sanitize(std::string_view s, std::string& storage) {
    const std::size_t bad = FindInvalid(s);
    if (bad == s.size()) return s;
    storage.clear();
    storage.append(s.data(), bad);
    AppendSanitized(storage, s.substr(bad));
    return storage;
}

/// A sanitised copy of `s`.
std::string Sanitized(std::string_view s);

/// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8
/// sequence: a well-formed character is never cut. Invalid bytes are left to the writer.
inline std::string_view TruncateAtBoundary(std::string_view s, std::size_t max_bytes) noexcept {
    if (s.size() <= max_bytes) return s;
    std::size_t n = max_bytes;
    // s[n] is the first byte left out; when it continues a sequence, leave out its lead too.
    // A sequence has at most three continuation bytes.
    for (int i = 0; i < 3 && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80; ++i) --n;
    if (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) n = max_bytes;  // not UTF-8
    return s.substr(0, n);
}

}  // namespace tome::telemetry::utf8
