// Redaction of sensitive attribute values (credentials, tokens, cookies) before a record
// reaches any processor. Pure functions over values; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/logs/log_record.hpp"

namespace tome::telemetry::logs {

/// What replaces a sensitive value.
inline constexpr std::string_view kRedacted = "[REDACTED]";

struct RedactionOptions {
    /// Default true. Turning it off leaks whatever callers put in attributes.
    bool enabled = true;
    /// Extra exact keys (compared case-insensitively) on top of the built-in list. Default none.
    std::vector<std::string> extra_keys;
};

/// True for the built-in keys (case-insensitive): authorization, password, token, api_key,
/// apikey, cookie, set-cookie, secret, and keys ending in "_token", ".token", "_password";
/// or for one of `extra_keys`.
bool IsSensitiveKey(std::string_view key, const std::vector<std::string>& extra_keys = {}) noexcept;

/// Replaces the value of every sensitive key by kRedacted, descending into map and array
/// values. Returns how many values were replaced.
std::size_t RedactAttributes(std::vector<LogKeyValue>& attributes,
                             const RedactionOptions& options);
/// The same for a structured body (a map body's sensitive entries are redacted).
std::size_t RedactValue(LogValue& value, const RedactionOptions& options);

}  // namespace tome::telemetry::logs
