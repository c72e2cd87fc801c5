#include "tome/telemetry/logs/redaction.hpp"

#include "tome/telemetry/api/ascii.hpp"

namespace tome::telemetry::logs {
namespace {

bool EndsWithNoCase(std::string_view s, std::string_view suffix) noexcept {
    return s.size() >= suffix.size() &&
           EqualsIgnoreAsciiCase(s.substr(s.size() - suffix.size()), suffix);
}

std::size_t RedactIn(LogValue& value, const RedactionOptions& options);

std::size_t RedactList(std::vector<LogKeyValue>& list, const RedactionOptions& options) {
    std::size_t n = 0;
    for (auto& kv : list) {
        if (IsSensitiveKey(kv.key, options.extra_keys)) {
            if (const std::string* s = kv.value.AsString(); s != nullptr && *s == kRedacted)
                continue;
            kv.value = LogValue(std::string(kRedacted));
            ++n;
        } else {
            n += RedactIn(kv.value, options);
        }
    }
    return n;
}

std::size_t RedactIn(LogValue& value, const RedactionOptions& options) {
    if (auto* map = std::get_if<LogValue::Map>(&value.value)) return RedactList(*map, options);
    std::size_t n = 0;
    if (auto* arr = std::get_if<LogValue::Array>(&value.value)) {
        for (auto& v : *arr) n += RedactIn(v, options);
    }
    return n;
}

}  // namespace

bool IsSensitiveKey(std::string_view key, const std::vector<std::string>& extra_keys) noexcept {
    static constexpr std::string_view kExact[] = {"authorization", "password", "token",
                                                  "api_key",       "apikey",   "cookie",
                                                  "set-cookie",    "secret"};
    for (std::string_view k : kExact) {
        if (EqualsIgnoreAsciiCase(key, k)) return true;
    }
    for (std::string_view suffix : {"_token", ".token", "_password"}) {
        if (EndsWithNoCase(key, suffix)) return true;
    }
    for (const auto& k : extra_keys) {
        if (EqualsIgnoreAsciiCase(key, k)) return true;
    }
    return false;
}

std::size_t RedactAttributes(std::vector<LogKeyValue>& attributes,
                             const RedactionOptions& options) {
    if (!options.enabled) return 0;
    return RedactList(attributes, options);
}

std::size_t RedactValue(LogValue& value, const RedactionOptions& options) {
    if (!options.enabled) return 0;
    return RedactIn(value, options);
}

}  // namespace tome::telemetry::logs
