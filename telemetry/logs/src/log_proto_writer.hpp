// Private: protobuf wire-format helpers for the logs encoder, appending to a std::string.
// A nested message reserves one length byte and is shifted when its length needs more.
// String is the one way a proto3 `string` goes out: it is valid UTF-8 (utf8.hpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tome/telemetry/api/utf8.hpp"

namespace tome::telemetry::logs::detail {

class PbOut {
public:
    explicit PbOut(std::string& out) noexcept : out_(out) {}

    void Varint(std::uint64_t v) {
        char buf[10];
        const std::size_t n = EncodeVarint(v, buf);
        out_.append(buf, n);
    }
    void Key(std::uint32_t field, std::uint32_t wire) { Varint((std::uint64_t{field} << 3) | wire); }
    void UInt(std::uint32_t field, std::uint64_t v) {
        Key(field, 0);
        Varint(v);
    }
    void Fixed64(std::uint32_t field, std::uint64_t v) {
        Key(field, 1);
        AppendLittleEndian(v, 8);
    }
    void Fixed32(std::uint32_t field, std::uint32_t v) {
        Key(field, 5);
        AppendLittleEndian(v, 4);
    }
    void Double(std::uint32_t field, double d) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        Fixed64(field, bits);
    }
    void Bytes(std::uint32_t field, const void* data, std::size_t size) {
        Key(field, 2);
        Varint(size);
        out_.append(static_cast<const char*>(data), size);
    }
    /// A proto3 `string`: each ill-formed UTF-8 subpart of `s` becomes U+FFFD (a Collector
    /// rejects the whole request for one invalid string). Valid input is copied as is.
    void String(std::uint32_t field, std::string_view s) {
        if (utf8::IsValid(s)) return Bytes(field, s.data(), s.size());
        const std::string clean = utf8::Sanitized(s);
        Bytes(field, clean.data(), clean.size());
    }

    /// Opens a length-delimited submessage; pass the returned mark to Close.
    std::size_t Open(std::uint32_t field) {
        Key(field, 2);
        out_.push_back('\0');
        return out_.size();
    }
    void Close(std::size_t mark) {
        const std::uint64_t len = out_.size() - mark;
        char buf[10];
        const std::size_t n = EncodeVarint(len, buf);
        if (n > 1) out_.insert(mark, n - 1, '\0');  // make room for the longer length
        std::memcpy(out_.data() + mark - 1, buf, n);
    }

private:
    static std::size_t EncodeVarint(std::uint64_t v, char* buf) noexcept {
        std::size_t n = 0;
        for (; v >= 0x80; v >>= 7) buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
        buf[n++] = static_cast<char>(v);
        return n;
    }
    void AppendLittleEndian(std::uint64_t v, int bytes) {
        char buf[8];
        for (int i = 0; i < bytes; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        out_.append(buf, static_cast<std::size_t>(bytes));
    }

    std::string& out_;
};

}  // namespace tome::telemetry::logs::detail
