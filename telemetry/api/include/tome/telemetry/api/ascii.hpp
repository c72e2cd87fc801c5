// ASCII case folding for names compared without regard to case (attribute keys checked for
// redaction, instrument names matched by views): locale-independent and inline, so cheap
// enough for the per-record paths, where std::tolower is a call per character.
#pragma once

#include <cstddef>
#include <string_view>

namespace tome::telemetry {

/// 'A'..'Z' to 'a'..'z'; every other byte as it is.
constexpr char AsciiLower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Equal up to ASCII case.
constexpr bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
    }
    return true;
}

}  // namespace tome::telemetry
