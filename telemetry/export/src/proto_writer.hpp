// Private: a minimal protobuf wire-format writer appending to a std::string. Nested messages
// reserve one length byte and are shifted when the length needs more. StringField is the one
// way a proto3 `string` goes out: it is valid UTF-8 (utf8.hpp), as receivers require.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tome/telemetry/api/utf8.hpp"

namespace tome::telemetry::exporter {

class ProtoWriter {
public:
    enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

    /// `check_utf8` false is for benchmarks only (the cost of the check, measured).
    explicit ProtoWriter(std::string& out, bool check_utf8 = true) noexcept
        : out_(out), check_utf8_(check_utf8) {}

    void Varint(std::uint64_t v) {
        char buf[10];
        std::size_t n = 0;
        while (v >= 0x80) {
            buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
            v >>= 7;
        }
        buf[n++] = static_cast<char>(v);
        out_.append(buf, n);
    }
    void Tag(std::uint32_t field, WireType type) { Varint((field << 3) | type); }

    void VarintField(std::uint32_t field, std::uint64_t v) {
        Tag(field, kVarint);
        Varint(v);
    }
    void Fixed64Field(std::uint32_t field, std::uint64_t v) {
        Tag(field, kFixed64);
        char buf[8];
        for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        out_.append(buf, 8);
    }
    void Fixed32Field(std::uint32_t field, std::uint32_t v) {
        Tag(field, kFixed32);
        char buf[4];
        for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        out_.append(buf, 4);
    }
    void DoubleField(std::uint32_t field, double d) {
        std::uint64_t v = 0;
        std::memcpy(&v, &d, sizeof v);
        Fixed64Field(field, v);
    }
    void BytesField(std::uint32_t field, const void* data, std::size_t size) {
        Tag(field, kLen);
        Varint(size);
        out_.append(static_cast<const char*>(data), size);
    }
    /// A proto3 `string`: each ill-formed UTF-8 subpart of `s` becomes U+FFFD (a Collector
    /// rejects the whole request for one invalid string). Valid input is copied as is.
    void StringField(std::uint32_t field, std::string_view s) {
        if (!check_utf8_ || utf8::IsValid(s)) return BytesField(field, s.data(), s.size());
        const std::string clean = utf8::Sanitized(s);
        BytesField(field, clean.data(), clean.size());
    }

    /// Starts a nested message; pass the result to EndNested.
    std::size_t BeginNested(std::uint32_t field) {
        Tag(field, kLen);
        out_.push_back('\0');
        return out_.size();
    }
    void EndNested(std::size_t start) {
        const std::uint64_t len = out_.size() - start;
        if (len < 0x80) {
            out_[start - 1] = static_cast<char>(len);
            return;
        }
        char buf[10];
        std::size_t n = 0;
        std::uint64_t v = len;
        while (v >= 0x80) {
            buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
            v >>= 7;
        }
        buf[n++] = static_cast<char>(v);
        out_.insert(start, n - 1, '\0');
        std::memcpy(out_.data() + start - 1, buf, n);
    }

private:
    std::string& out_;
    const bool check_utf8_;
};

}  // namespace tome::telemetry::exporter
