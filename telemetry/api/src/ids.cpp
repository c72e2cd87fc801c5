#include "tome/telemetry/api/ids.hpp"

#include <cstring>
#include <random>

namespace tome::telemetry {
namespace {

// xoshiro256** by Blackman and Vigna (public domain algorithm), written here from its
// description: fast, 256 bits of state, good statistical quality for identifiers.
class Xoshiro256 {
public:
    Xoshiro256() {
        std::random_device rd;
        std::uint64_t seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
        for (auto& s : state_) s = SplitMix(seed);
    }
    std::uint64_t Next() noexcept {
        const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = Rotl(state_[3], 45);
        return result;
    }

private:
    static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t SplitMix(std::uint64_t& x) {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t state_[4];
};

Xoshiro256& ThreadRng() {
    thread_local Xoshiro256 rng;
    return rng;
}

int HexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

template <std::size_t N>
bool ParseHex(std::string_view hex, std::array<std::uint8_t, N>& out) noexcept {
    if (hex.size() != 2 * N) return false;
    for (std::size_t i = 0; i < N; ++i) {
        const int hi = HexValue(hex[2 * i]);
        const int lo = HexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return true;
}

template <std::size_t N>
bool AnyNonZero(const std::array<std::uint8_t, N>& b) noexcept {
    for (auto x : b)
        if (x != 0) return true;
    return false;
}

}  // namespace

void HexEncode(const std::uint8_t* data, std::size_t size, char* out) noexcept {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = kDigits[data[i] >> 4];
        out[2 * i + 1] = kDigits[data[i] & 0xf];
    }
}

bool TraceId::IsValid() const noexcept { return AnyNonZero(bytes); }
bool SpanId::IsValid() const noexcept { return AnyNonZero(bytes); }

std::string TraceId::ToHex() const {
    std::string s(32, '0');
    HexEncode(bytes.data(), bytes.size(), s.data());
    return s;
}

std::string SpanId::ToHex() const {
    std::string s(16, '0');
    HexEncode(bytes.data(), bytes.size(), s.data());
    return s;
}

std::optional<TraceId> TraceId::FromHex(std::string_view hex) noexcept {
    TraceId id;
    if (!ParseHex(hex, id.bytes)) return std::nullopt;
    return id;
}

std::optional<SpanId> SpanId::FromHex(std::string_view hex) noexcept {
    SpanId id;
    if (!ParseHex(hex, id.bytes)) return std::nullopt;
    return id;
}

TraceId GenerateTraceId() noexcept {
    TraceId id;
    auto& rng = ThreadRng();
    do {
        const std::uint64_t hi = rng.Next();
        const std::uint64_t lo = rng.Next();
        std::memcpy(id.bytes.data(), &hi, 8);
        std::memcpy(id.bytes.data() + 8, &lo, 8);
    } while (!id.IsValid());
    return id;
}

SpanId GenerateSpanId() noexcept {
    SpanId id;
    auto& rng = ThreadRng();
    do {
        const std::uint64_t v = rng.Next();
        std::memcpy(id.bytes.data(), &v, 8);
    } while (!id.IsValid());
    return id;
}

}  // namespace tome::telemetry
