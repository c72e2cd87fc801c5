#include "tome/telemetry/api/env.hpp"

#include <cstdlib>

namespace tome::telemetry {

EnvLookup ProcessEnv() {
    return [](std::string_view name) -> std::optional<std::string> {
        const std::string key(name);
        const char* v = std::getenv(key.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

std::optional<std::string> GetNonEmpty(const EnvLookup& env, std::string_view name) {
    if (!env) return std::nullopt;
    auto v = env(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
}

}  // namespace tome::telemetry
