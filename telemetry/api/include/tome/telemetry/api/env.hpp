// EnvLookup: how telemetry configuration reads environment variables. Components take a lookup
// function instead of calling getenv so that tests never mutate the process environment.
// ProcessEnv() reads the real environment and may be called from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tome::telemetry {

/// Returns the value of a variable, or nullopt when it is unset. Callers treat an empty value
/// as unset (OpenTelemetry rule).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// A lookup over the process environment (getenv).
EnvLookup ProcessEnv();

/// Looks `name` up and returns nullopt for unset and empty values alike.
std::optional<std::string> GetNonEmpty(const EnvLookup& env, std::string_view name);

}  // namespace tome::telemetry
