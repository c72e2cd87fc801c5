// Reading a span's attributes in the connector suite's assertions: the typed value of one key,
// or a marker value that no assertion expects when the key is missing or of another type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tome/telemetry/trace/attribute.hpp"

namespace tome::connector::testing {

inline std::optional<telemetry::trace::AttributeValue> Attr(
    const std::vector<telemetry::trace::Attribute>& attributes, std::string_view key) {
    const telemetry::trace::AttributeValue* v = telemetry::trace::FindAttribute(attributes, key);
    return v ? std::optional<telemetry::trace::AttributeValue>(*v) : std::nullopt;
}
/// The string value of `key`, or "<none>".
inline std::string Str(const std::vector<telemetry::trace::Attribute>& attributes,
                       std::string_view key) {
    auto v = Attr(attributes, key);
    return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "<none>";
}
/// The integer value of `key`, or -1.
inline std::int64_t Int(const std::vector<telemetry::trace::Attribute>& attributes,
                        std::string_view key) {
    auto v = Attr(attributes, key);
    return v && std::holds_alternative<std::int64_t>(*v) ? std::get<std::int64_t>(*v) : -1;
}

}  // namespace tome::connector::testing
