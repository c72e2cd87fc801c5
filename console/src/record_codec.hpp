// The compact binary form of stored records (spans, log records, metric points): little-endian
// fixed fields, varints, string references (an id in the StringTable, or the bytes inline) and
// attribute values (the OTLP AnyValue: scalars, bytes, arrays and key/value lists). RecordWriter
// appends to a caller-owned buffer; RecordReader walks a stored record without copying. Both are
// plain values used by one thread at a time. Also the term hash the segment indexes use.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "string_table.hpp"

namespace tome::console::internal {

/// Tags of an encoded value.
enum class ValueTag : std::uint8_t {
    kEmpty = 0,
    kString = 1,
    kBool = 2,
    kInt = 3,
    kDouble = 4,
    kBytes = 5,
    kArray = 6,
    kMap = 7,
};

class RecordWriter {
public:
    RecordWriter(std::string& out, StringTable* strings) noexcept : out_(out), strings_(strings) {}

    void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void U32(std::uint32_t v) { Fixed(v); }
    void U64(std::uint64_t v) { Fixed(v); }
    void F64(double d) {
        std::uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        Fixed(bits);
    }
    void Raw(const void* data, std::size_t size) { out_.append(static_cast<const char*>(data), size); }
    void Varint(std::uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<char>(v));
    }
    /// Length-prefixed bytes, cut to `max_bytes` (at a UTF-8 boundary).
    void Bytes(std::string_view s, std::size_t max_bytes = kMaxInlineBytes);
    /// A string that repeats across records (a key, a name): interned when the table takes it.
    void StrRef(std::string_view s);

    void StringValue(std::string_view s) {
        U8(static_cast<std::uint8_t>(ValueTag::kString));
        Bytes(s);
    }
    void BoolValue(bool b) {
        U8(static_cast<std::uint8_t>(ValueTag::kBool));
        U8(b ? 1 : 0);
    }
    void IntValue(std::int64_t v) {
        U8(static_cast<std::uint8_t>(ValueTag::kInt));
        Varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }
    void DoubleValue(double d) {
        U8(static_cast<std::uint8_t>(ValueTag::kDouble));
        F64(d);
    }
    void BytesValue(std::string_view b) {
        U8(static_cast<std::uint8_t>(ValueTag::kBytes));
        Bytes(b);
    }
    void EmptyValue() { U8(static_cast<std::uint8_t>(ValueTag::kEmpty)); }
    /// Starts an array or map value of `n` entries (map entries: StrRef key, then a value).
    void ArrayHeader(std::size_t n) {
        U8(static_cast<std::uint8_t>(ValueTag::kArray));
        Varint(n);
    }
    void MapHeader(std::size_t n) {
        U8(static_cast<std::uint8_t>(ValueTag::kMap));
        Varint(n);
    }

    std::size_t size() const noexcept { return out_.size(); }
    std::string& buffer() noexcept { return out_; }

    /// Longest string value kept; longer ones are cut (a stored record stays small).
    static constexpr std::size_t kMaxInlineBytes = 64 * 1024;

private:
    template <class T>
    void Fixed(T v) {
        char buf[sizeof(T)];
        for (std::size_t i = 0; i < sizeof(T); ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
        out_.append(buf, sizeof(T));
    }
    std::string& out_;
    StringTable* strings_;
};

/// Walks an encoded record. Reading past the end yields zeros and sets failed().
class RecordReader {
public:
    RecordReader(std::string_view data, const StringTable* strings) noexcept
        : p_(data.data()), end_(data.data() + data.size()), strings_(strings) {}

    std::uint8_t U8() noexcept {
        if (p_ >= end_) return Fail<std::uint8_t>();
        return static_cast<std::uint8_t>(*p_++);
    }
    std::uint32_t U32() noexcept { return Fixed<std::uint32_t>(); }
    std::uint64_t U64() noexcept { return Fixed<std::uint64_t>(); }
    double F64() noexcept {
        const std::uint64_t bits = Fixed<std::uint64_t>();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }
    std::string_view Raw(std::size_t n) noexcept {
        if (static_cast<std::size_t>(end_ - p_) < n) return Fail<std::string_view>();
        std::string_view s(p_, n);
        p_ += n;
        return s;
    }
    std::uint64_t Varint() noexcept {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p_ >= end_) return Fail<std::uint64_t>();
            const auto byte = static_cast<std::uint8_t>(*p_++);
            v |= std::uint64_t{byte & 0x7Fu} << shift;
            if ((byte & 0x80) == 0) return v;
        }
        return Fail<std::uint64_t>();
    }
    std::string_view Bytes() noexcept { return Raw(static_cast<std::size_t>(Varint())); }
    std::string_view StrRef() noexcept;

    /// Reads one value as JSON (bytes as base64, maps as objects).
    nlohmann::json ValueJson() noexcept;
    /// The value's string form for matching and terms (strings as they are, numbers in their
    /// shortest form, bools as true/false); false for arrays, maps and empty values (skipped).
    bool ValueText(std::string& out) noexcept;
    /// Skips one value.
    void SkipValue() noexcept;

    bool failed() const noexcept { return failed_; }
    bool done() const noexcept { return p_ >= end_; }
    const char* position() const noexcept { return p_; }

private:
    template <class T>
    T Fail() noexcept {
        failed_ = true;
        p_ = end_;
        if constexpr (!std::is_void_v<T>) return T{};
    }
    template <class T>
    T Fixed() noexcept {
        if (static_cast<std::size_t>(end_ - p_) < sizeof(T)) return Fail<T>();
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            v |= static_cast<T>(static_cast<T>(static_cast<std::uint8_t>(p_[i])) << (8 * i));
        }
        p_ += sizeof(T);
        return v;
    }
    const char* p_;
    const char* end_;
    const StringTable* strings_;
    bool failed_ = false;
    int depth_ = 0;
};

/// The shortest text of a double that reads back the same ("1500", "0.25").
std::string DoubleText(double d);

/// 64-bit hash of a term: a one-letter kind and one or two parts ("A", "key", "value").
std::uint64_t TermHash(char kind, std::string_view a, std::string_view b = {}) noexcept;

/// The text of attribute `key` of a stored record's view (SpanView, LogView: anything with
/// ForEachAttribute(fn(key, reader) -> keep going)); false when absent.
template <typename View>
bool AttributeTextOf(const View& view, std::string_view key, std::string& out) {
    bool found = false;
    view.ForEachAttribute([&](std::string_view k, RecordReader& r) {
        if (k == key) {
            found = r.ValueText(out);
            return false;
        }
        r.SkipValue();
        return true;
    });
    return found;
}

/// Every attribute of a stored record's view as a JSON object.
template <typename View>
nlohmann::json AttributesJsonOf(const View& view) {
    nlohmann::json out = nlohmann::json::object();
    view.ForEachAttribute([&](std::string_view k, RecordReader& r) {
        out[std::string(k)] = r.ValueJson();
        return true;
    });
    return out;
}

}  // namespace tome::console::internal
