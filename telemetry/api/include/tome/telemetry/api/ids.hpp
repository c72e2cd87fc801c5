// Trace and span identifiers (W3C Trace Context): the one id system of tome. RobotCopy's
// message history, the HTTP envelope and exported spans all use these types.
// Values are plain data; IdGenerator functions are safe to call from any thread (each thread
// draws from its own generator, so no lock is taken).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tome::telemetry {

/// 16-byte trace id. All zero is the invalid id.
struct TraceId {
    std::array<std::uint8_t, 16> bytes{};

    bool IsValid() const noexcept;
    /// 32 lowercase hex characters.
    std::string ToHex() const;
    /// Parses exactly 32 hex characters (lowercase only, as W3C requires). Returns nullopt on
    /// a wrong length, a non-hex or uppercase character. An all-zero id parses (check IsValid).
    static std::optional<TraceId> FromHex(std::string_view hex) noexcept;

    friend bool operator==(const TraceId&, const TraceId&) = default;
};

/// 8-byte span id. All zero is the invalid id.
struct SpanId {
    std::array<std::uint8_t, 8> bytes{};

    bool IsValid() const noexcept;
    /// 16 lowercase hex characters.
    std::string ToHex() const;
    /// Parses exactly 16 lowercase hex characters; see TraceId::FromHex.
    static std::optional<SpanId> FromHex(std::string_view hex) noexcept;

    friend bool operator==(const SpanId&, const SpanId&) = default;
};

/// Random ids from a fast per-thread generator (xoshiro256**, seeded from the OS once per
/// thread). Never returns an all-zero id.
TraceId GenerateTraceId() noexcept;
SpanId GenerateSpanId() noexcept;

/// Writes `size` bytes as lowercase hex into `out` (which must hold 2*size characters).
void HexEncode(const std::uint8_t* data, std::size_t size, char* out) noexcept;

}  // namespace tome::telemetry
