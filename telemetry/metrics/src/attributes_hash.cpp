#include "attributes_hash.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace tome::telemetry::metrics::detail {
namespace {

using trace::AttributeValue;
using trace::AttributeView;

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;

std::uint64_t Mix(std::uint64_t x) noexcept {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

// One multiply per 8 bytes; the full finaliser runs once per attribute in HashPair. Quality is
// ample for a table that verifies every hit by comparing the attributes.
std::uint64_t HashBytes(std::string_view s, std::uint64_t seed) noexcept {
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = seed ^ (n * kMul);
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = std::rotl((h ^ w) * kMul, 29);
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        std::uint32_t a, b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);  // overlapping loads cover 4..7 bytes
        h = std::rotl((h ^ ((std::uint64_t{a} << 32) | b)) * kMul, 29);
    } else if (n > 0) {
        const auto u = [](char c) {
            return static_cast<std::uint64_t>(static_cast<unsigned char>(c));
        };
        h = std::rotl((h ^ (u(p[0]) | (u(p[n / 2]) << 8) | (u(p[n - 1]) << 16))) * kMul, 29);
    }
    return h ^ (h >> 32);
}

// One element hash per primitive, shared by views and owned values so both agree.
std::uint64_t H(bool v) noexcept { return Mix(v ? 3 : 2); }
std::uint64_t H(std::int64_t v) noexcept { return Mix(static_cast<std::uint64_t>(v) ^ 0x11); }
std::uint64_t H(double v) noexcept {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return Mix(bits ^ 0x22);
}
std::uint64_t H(std::string_view v) noexcept { return HashBytes(v, 0x33); }

template <class Range>
std::uint64_t HashRange(const Range& r, std::uint64_t tag) noexcept {
    std::uint64_t h = tag;
    for (const auto& e : r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, std::string>) {
            h = (h ^ H(std::string_view(e))) * kMul;
        } else {
            h = (h ^ H(e)) * kMul;
        }
    }
    return Mix(h);
}

std::uint64_t HashValue(const AttributeView& view) noexcept {
    return std::visit(
        [](const auto& v) -> std::uint64_t {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::span<const bool>>)
                return HashRange(v, 0x101);
            else if constexpr (std::is_same_v<V, std::span<const std::int64_t>>)
                return HashRange(v, 0x102);
            else if constexpr (std::is_same_v<V, std::span<const double>>)
                return HashRange(v, 0x103);
            else if constexpr (std::is_same_v<V, std::span<const std::string_view>> ||
                               std::is_same_v<V, std::span<const std::string>>)
                return HashRange(v, 0x104);
            else
                return H(v);
        },
        view.storage());
}

std::uint64_t HashValue(const AttributeValue& value) noexcept {
    return std::visit(
        [](const auto& v) -> std::uint64_t {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::vector<bool>>) {
                std::uint64_t h = 0x101;
                for (bool b : v) h = (h ^ H(b)) * kMul;
                return Mix(h);
            } else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>) {
                return HashRange(v, 0x102);
            } else if constexpr (std::is_same_v<V, std::vector<double>>) {
                return HashRange(v, 0x103);
            } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
                return HashRange(v, 0x104);
            } else if constexpr (std::is_same_v<V, std::string>) {
                return H(std::string_view(v));
            } else {
                return H(v);
            }
        },
        value);
}

std::uint64_t HashPair(std::string_view key, std::uint64_t value_hash) noexcept {
    return Mix(HashBytes(key, 0x55) ^ (value_hash * kMul));
}

bool BitEqual(double a, double b) noexcept { return std::memcmp(&a, &b, sizeof a) == 0; }

template <class Span, class Vec>
bool RangeEqual(const Span& s, const Vec& v) noexcept {
    if (s.size() != v.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v[0])>, double>) {
            if (!BitEqual(s[i], v[i])) return false;
        } else {
            if (!(s[i] == v[i])) return false;
        }
    }
    return true;
}

bool ValueEqual(const AttributeView& view, const AttributeValue& value) noexcept {
    return std::visit(
        [&](const auto& v) -> bool {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::int64_t>) {
                const auto* o = std::get_if<V>(&value);
                return o != nullptr && *o == v;
            } else if constexpr (std::is_same_v<V, double>) {
                const auto* o = std::get_if<double>(&value);
                return o != nullptr && BitEqual(*o, v);
            } else if constexpr (std::is_same_v<V, std::string_view>) {
                const auto* o = std::get_if<std::string>(&value);
                return o != nullptr && std::string_view(*o) == v;
            } else if constexpr (std::is_same_v<V, std::span<const bool>>) {
                const auto* o = std::get_if<std::vector<bool>>(&value);
                return o != nullptr && RangeEqual(v, *o);
            } else if constexpr (std::is_same_v<V, std::span<const std::int64_t>>) {
                const auto* o = std::get_if<std::vector<std::int64_t>>(&value);
                return o != nullptr && RangeEqual(v, *o);
            } else if constexpr (std::is_same_v<V, std::span<const double>>) {
                const auto* o = std::get_if<std::vector<double>>(&value);
                return o != nullptr && RangeEqual(v, *o);
            } else {
                const auto* o = std::get_if<std::vector<std::string>>(&value);
                if (o == nullptr || o->size() != v.size()) return false;
                for (std::size_t i = 0; i < v.size(); ++i)
                    if (std::string_view((*o)[i]) != std::string_view(v[i])) return false;
                return true;
            }
        },
        view.storage());
}

}  // namespace

std::uint64_t HashAttributes(AttributesRef attributes) noexcept {
    // A sum is order-independent, so no sorting is needed on the hot path.
    std::uint64_t h = attributes.size();
    for (const auto& kv : attributes) h += HashPair(kv.key, HashValue(kv.value));
    return Mix(h);
}

std::uint64_t HashAttributes(const AttributeSet& attributes) noexcept {
    std::uint64_t h = attributes.size();
    for (const auto& a : attributes) h += HashPair(a.key, HashValue(a.value));
    return Mix(h);
}

bool SameAttributes(AttributesRef attributes, const AttributeSet& set) noexcept {
    if (attributes.size() != set.size()) return false;
    // Each set entry must be matched once (a repeated input key must not match twice); sets
    // past 64 attributes take the slow path.
    if (set.size() > 64) return false;
    std::uint64_t matched = 0;
    std::size_t i = 0;
    for (const auto& kv : attributes) {
        // Callers usually pass keys in the same (sorted) order: try position i first.
        const trace::Attribute* match = nullptr;
        if (i < set.size() && set[i].key == kv.key) {
            match = &set[i];
        } else if (set.size() <= 8) {
            for (const auto& a : set) {
                if (a.key.size() == kv.key.size() && a.key == kv.key) {
                    match = &a;
                    break;
                }
            }
        } else {
            auto it = std::lower_bound(
                set.begin(), set.end(), kv.key,
                [](const trace::Attribute& a, std::string_view k) { return a.key < k; });
            if (it != set.end() && it->key == kv.key) match = &*it;
        }
        if (match == nullptr || !ValueEqual(kv.value, match->value)) return false;
        const std::uint64_t bit = std::uint64_t{1} << static_cast<std::size_t>(match - set.data());
        if ((matched & bit) != 0) return false;
        matched |= bit;
        ++i;
    }
    return true;
}

AttributeSet Normalize(AttributesRef attributes) {
    AttributeSet out;
    out.reserve(attributes.size());
    for (const auto& kv : attributes)
        out.push_back({std::string(kv.key), trace::ToOwned(kv.value)});
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.key < b.key; });
    // Keep the last of each run of equal keys.
    AttributeSet unique;
    unique.reserve(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i + 1 < out.size() && out[i + 1].key == out[i].key) continue;
        unique.push_back(std::move(out[i]));
    }
    return unique;
}

}  // namespace tome::telemetry::metrics::detail
