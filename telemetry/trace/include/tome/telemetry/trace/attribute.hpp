// Attribute values: AttributeView (borrowed, what callers pass in; free to build) and
// AttributeValue (owned, what SpanData stores). Plain values; thread-safety is that of the
// referenced data.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tome::telemetry::trace {

/// Owned attribute value: the OpenTelemetry primitive types and homogeneous arrays of them.
using AttributeValue = std::variant<bool, std::int64_t, double, std::string, std::vector<bool>,
                                    std::vector<std::int64_t>, std::vector<double>,
                                    std::vector<std::string>>;

/// Borrowed attribute value. Building one never allocates; the referenced data must outlive
/// the call it is passed to. Arrays are passed as spans (std::vector<bool> cannot be viewed,
/// so pass a bool array or std::span<const bool>).
class AttributeView {
public:
    using Storage =
        std::variant<bool, std::int64_t, double, std::string_view, std::span<const bool>,
                     std::span<const std::int64_t>, std::span<const double>,
                     std::span<const std::string_view>, std::span<const std::string>>;

    AttributeView(bool v) noexcept : v_(v) {}  // NOLINT(google-explicit-constructor)
    template <std::integral I>
        requires(!std::same_as<I, bool>)
    AttributeView(I v) noexcept : v_(static_cast<std::int64_t>(v)) {}  // NOLINT
    AttributeView(double v) noexcept : v_(v) {}                           // NOLINT
    AttributeView(float v) noexcept : v_(static_cast<double>(v)) {}       // NOLINT
    AttributeView(const char* v) noexcept : v_(std::string_view(v)) {}    // NOLINT
    AttributeView(std::string_view v) noexcept : v_(v) {}                 // NOLINT
    AttributeView(const std::string& v) noexcept : v_(std::string_view(v)) {}  // NOLINT
    AttributeView(std::span<const bool> v) noexcept : v_(v) {}                 // NOLINT
    AttributeView(std::span<const std::int64_t> v) noexcept : v_(v) {}         // NOLINT
    AttributeView(const std::vector<std::int64_t>& v) noexcept                 // NOLINT
        : v_(std::span<const std::int64_t>(v)) {}
    AttributeView(std::span<const double> v) noexcept : v_(v) {}  // NOLINT
    AttributeView(const std::vector<double>& v) noexcept          // NOLINT
        : v_(std::span<const double>(v)) {}
    AttributeView(std::span<const std::string_view> v) noexcept : v_(v) {}  // NOLINT
    AttributeView(std::span<const std::string> v) noexcept : v_(v) {}       // NOLINT
    AttributeView(const std::vector<std::string>& v) noexcept               // NOLINT
        : v_(std::span<const std::string>(v)) {}

    const Storage& storage() const noexcept { return v_; }

private:
    Storage v_;
};

/// A borrowed key/value pair, e.g. `{"http.route", "/api"}` in StartSpanOptions.
struct AttributeKV {
    std::string_view key;
    AttributeView value;
};

/// An owned key/value pair as stored in SpanData.
struct Attribute {
    std::string key;
    AttributeValue value;

    friend bool operator==(const Attribute&, const Attribute&) = default;
};

/// Means "no limit" for a value length.
inline constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

/// Copies a view into an owned value, truncating strings (and each string of an array) to
/// `max_length` characters (UTF-8 code points; a code point is never split).
AttributeValue ToOwned(const AttributeView& view, std::size_t max_length = kUnlimited);

/// Truncates `s` to at most `max_chars` UTF-8 code points, in place.
void TruncateUtf8(std::string& s, std::size_t max_chars) noexcept;

/// Finds `key` in `attributes`; nullptr when absent.
const AttributeValue* FindAttribute(const std::vector<Attribute>& attributes,
                                    std::string_view key) noexcept;

}  // namespace tome::telemetry::trace
