#include "tome/telemetry/trace/attribute.hpp"

namespace tome::telemetry::trace {

void TruncateUtf8(std::string& s, std::size_t max_chars) noexcept {
    if (max_chars == kUnlimited || s.size() <= max_chars) return;  // bytes >= code points
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80) {  // start of a code point
            if (chars == max_chars) {
                s.resize(i);
                return;
            }
            ++chars;
        }
    }
}

namespace {

std::string OwnedString(std::string_view v, std::size_t max_length) {
    std::string s(v);
    TruncateUtf8(s, max_length);
    return s;
}

template <class T>
std::vector<std::string> OwnedStrings(std::span<const T> v, std::size_t max_length) {
    std::vector<std::string> out;
    out.reserve(v.size());
    for (const auto& s : v) out.push_back(OwnedString(s, max_length));
    return out;
}

}  // namespace

AttributeValue ToOwned(const AttributeView& view, std::size_t max_length) {
    return std::visit(
        [max_length](const auto& v) -> AttributeValue {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string_view>) {
                return OwnedString(v, max_length);
            } else if constexpr (std::is_same_v<V, std::span<const bool>>) {
                return std::vector<bool>(v.begin(), v.end());
            } else if constexpr (std::is_same_v<V, std::span<const std::int64_t>>) {
                return std::vector<std::int64_t>(v.begin(), v.end());
            } else if constexpr (std::is_same_v<V, std::span<const double>>) {
                return std::vector<double>(v.begin(), v.end());
            } else if constexpr (std::is_same_v<V, std::span<const std::string_view>> ||
                                 std::is_same_v<V, std::span<const std::string>>) {
                return OwnedStrings(v, max_length);
            } else {
                return v;  // bool, int64, double
            }
        },
        view.storage());
}

const AttributeValue* FindAttribute(const std::vector<Attribute>& attributes,
                                    std::string_view key) noexcept {
    for (const auto& a : attributes)
        if (a.key == key) return &a.value;
    return nullptr;
}

}  // namespace tome::telemetry::trace
