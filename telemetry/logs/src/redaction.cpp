#include "tome/telemetry/logs/redaction.hpp"

namespace tome::telemetry::logs {
namespace {

// ASCII case folding, inline: keys are compared on every emitted record, and std::tolower is a
// locale-aware call per character (a quarter of a record's cost when it was used here).
constexpr char AsciiLower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsNoCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
    }
    return true;
}

bool EndsWithNoCase(std::string_view s, std::string_view suffix) noexcept {
    return s.size() >= suffix.size() && EqualsNoCase(s.substr(s.size() - suffix.size()), suffix);
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
        if (EqualsNoCase(key, k)) return true;
    }
    for (std::string_view suffix : {"_token", ".token", "_password"}) {
        if (EndsWithNoCase(key, suffix)) return true;
    }
    for (const auto& k : extra_keys) {
        if (EqualsNoCase(key, k)) return true;
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
