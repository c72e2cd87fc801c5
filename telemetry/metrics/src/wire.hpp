// Private: a small protobuf wire-format builder for the OTLP metrics encoder. Each nested
// message is built in its own Wire and appended with its length, which keeps the code simple
// (a snapshot is encoded once per export, so the extra copies are cheap). String is the one way
// a proto3 `string` goes out: it is valid UTF-8 (utf8.hpp); Bytes is for `bytes` fields.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "tome/telemetry/api/utf8.hpp"

namespace tome::telemetry::metrics::detail {

class Wire {
  public:
    void Varint(std::uint64_t v) {
        while (v >= 0x80) {
            buf_.push_back(static_cast<char>(v | 0x80));
            v >>= 7;
        }
        buf_.push_back(static_cast<char>(v));
    }
    void Key(std::uint32_t field, std::uint32_t wire_type) { Varint((field << 3) | wire_type); }
    void UInt(std::uint32_t field, std::uint64_t v) {
        Key(field, 0);
        Varint(v);
    }
    void Fixed64(std::uint32_t field, std::uint64_t v) {
        Key(field, 1);
        AppendLittleEndian(v);
    }
    void Double(std::uint32_t field, double d) {
        std::uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        Fixed64(field, bits);
    }
    void Bytes(std::uint32_t field, std::string_view bytes) {
        Key(field, 2);
        Varint(bytes.size());
        buf_.append(bytes);
    }
    /// A proto3 `string`: each ill-formed UTF-8 subpart of `s` becomes U+FFFD (a Collector
    /// rejects the whole request for one invalid string). Valid input is copied as is.
    void String(std::uint32_t field, std::string_view s) {
        if (utf8::IsValid(s)) return Bytes(field, s);
        Bytes(field, utf8::Sanitized(s));
    }
    void Message(std::uint32_t field, const Wire& nested) { Bytes(field, nested.buf_); }
    /// A packed repeated fixed64 / double field (proto3 default for scalars).
    template <class Range>
    void PackedFixed64(std::uint32_t field, const Range& values) {
        if (values.empty()) return;
        Key(field, 2);
        Varint(values.size() * 8);
        for (auto v : values) {
            std::uint64_t bits;
            if constexpr (sizeof(v) == 8 && std::is_floating_point_v<decltype(v)>) {
                std::memcpy(&bits, &v, sizeof bits);
            } else {
                bits = static_cast<std::uint64_t>(v);
            }
            AppendLittleEndian(bits);
        }
    }

    const std::string& str() const noexcept { return buf_; }
    std::string Take() noexcept { return std::move(buf_); }

  private:
    void AppendLittleEndian(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    }
    std::string buf_;
};

}  // namespace tome::telemetry::metrics::detail
