// Small parsing helpers shared by the readers of OTEL_* variables (env_config.cpp for traces,
// otlp_signal_env.cpp for every signal). Private to export/; pure functions.
#pragma once

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/api/result.hpp"

namespace tome::telemetry::exporter::internal {

inline std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

inline std::string Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

/// "VAR: invalid value 'v' (why)".
inline Error Bad(std::string_view var, std::string_view value, std::string_view why) {
    return Error{std::string(var) + ": invalid value '" + std::string(value) + "' (" +
                 std::string(why) + ")"};
}

inline bool ValidUrl(std::string_view url) {
    return url.starts_with("http://") || url.starts_with("https://");
}

/// An OTEL_EXPORTER_OTLP_* setting and the variable it came from.
struct Picked {
    std::string name;
    std::string value;
};

/// OTEL_EXPORTER_OTLP_<SIGNAL>_<X> when set, else OTEL_EXPORTER_OTLP_<X>; nullopt when neither.
inline std::optional<Picked> Pick(const EnvLookup& env, std::string_view signal,
                                  std::string_view x) {
    const std::string specific = "OTEL_EXPORTER_OTLP_" + std::string(signal) + "_" + std::string(x);
    if (auto v = GetNonEmpty(env, specific)) return Picked{specific, *v};
    const std::string generic = "OTEL_EXPORTER_OTLP_" + std::string(x);
    if (auto v = GetNonEmpty(env, generic)) return Picked{generic, *v};
    return std::nullopt;
}

}  // namespace tome::telemetry::exporter::internal
