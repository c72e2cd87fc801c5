#include "record_codec.hpp"

#include <charconv>
#include <cmath>

namespace tome::console::internal {
namespace {

constexpr int kMaxDepth = 16;  // nesting of arrays and maps read back

// Backs off from a cut that would split a UTF-8 sequence.
std::size_t Utf8Cut(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s.size();
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return cut;
}

std::string Base64(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back(kAlphabet[n & 63]);
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (rest == 2) n |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

std::uint64_t Mix(std::uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

std::uint64_t HashBytes(std::uint64_t h, std::string_view s) noexcept {
    const char* p = s.data();
    std::size_t n = s.size();
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ Mix(w)) * 0x9E3779B97F4A7C15ULL;
        p += 8;
        n -= 8;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = (h ^ Mix(tail ^ (std::uint64_t{n} << 56))) * 0x9E3779B97F4A7C15ULL;
    return h;
}

}  // namespace

void RecordWriter::Bytes(std::string_view s, std::size_t max_bytes) {
    s = s.substr(0, Utf8Cut(s, max_bytes));
    Varint(s.size());
    out_.append(s);
}

void RecordWriter::StrRef(std::string_view s) {
    if (strings_ != nullptr) {
        if (auto id = strings_->Intern(s)) {
            Varint(std::uint64_t{*id} << 1);
            return;
        }
    }
    s = s.substr(0, Utf8Cut(s, kMaxInlineBytes));
    Varint((std::uint64_t{s.size()} << 1) | 1);
    out_.append(s);
}

std::string_view RecordReader::StrRef() noexcept {
    const std::uint64_t v = Varint();
    if ((v & 1) == 0) {
        return strings_ != nullptr ? strings_->Get(static_cast<std::uint32_t>(v >> 1))
                                   : std::string_view{};
    }
    return Raw(static_cast<std::size_t>(v >> 1));
}

nlohmann::json RecordReader::ValueJson() noexcept {
    switch (static_cast<ValueTag>(U8())) {
        case ValueTag::kEmpty: return nullptr;
        case ValueTag::kString: return std::string(Bytes());
        case ValueTag::kBool: return U8() != 0;
        case ValueTag::kInt: {
            const std::uint64_t z = Varint();
            return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
        }
        case ValueTag::kDouble: {
            const double d = F64();
            if (std::isfinite(d)) return d;
            return std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
        }
        case ValueTag::kBytes: return Base64(Bytes());
        case ValueTag::kArray: {
            const std::uint64_t n = Varint();
            nlohmann::json out = nlohmann::json::array();
            if (++depth_ > kMaxDepth) return Fail<nlohmann::json>();
            for (std::uint64_t i = 0; i < n && !failed_; ++i) out.push_back(ValueJson());
            --depth_;
            return out;
        }
        case ValueTag::kMap: {
            const std::uint64_t n = Varint();
            nlohmann::json out = nlohmann::json::object();
            if (++depth_ > kMaxDepth) return Fail<nlohmann::json>();
            for (std::uint64_t i = 0; i < n && !failed_; ++i) {
                std::string key(StrRef());
                out[key] = ValueJson();
            }
            --depth_;
            return out;
        }
    }
    return Fail<nlohmann::json>();
}

bool RecordReader::ValueText(std::string& out) noexcept {
    out.clear();
    switch (static_cast<ValueTag>(U8())) {
        case ValueTag::kString: {
            const std::string_view s = Bytes();
            out.assign(s);
            return true;
        }
        case ValueTag::kBool: out = U8() != 0 ? "true" : "false"; return true;
        case ValueTag::kInt: {
            const std::uint64_t z = Varint();
            out = std::to_string(static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1)));
            return true;
        }
        case ValueTag::kDouble: out = DoubleText(F64()); return true;
        case ValueTag::kEmpty: return false;
        case ValueTag::kBytes: Bytes(); return false;
        case ValueTag::kArray: {
            const std::uint64_t n = Varint();
            for (std::uint64_t i = 0; i < n && !failed_; ++i) SkipValue();
            return false;
        }
        case ValueTag::kMap: {
            const std::uint64_t n = Varint();
            for (std::uint64_t i = 0; i < n && !failed_; ++i) {
                StrRef();
                SkipValue();
            }
            return false;
        }
    }
    return Fail<bool>();
}

void RecordReader::SkipValue() noexcept {
    switch (static_cast<ValueTag>(U8())) {
        case ValueTag::kEmpty: return;
        case ValueTag::kString:
        case ValueTag::kBytes: Bytes(); return;
        case ValueTag::kBool: U8(); return;
        case ValueTag::kInt: Varint(); return;
        case ValueTag::kDouble: U64(); return;
        case ValueTag::kArray: {
            const std::uint64_t n = Varint();
            if (++depth_ > kMaxDepth) return Fail<void>();
            for (std::uint64_t i = 0; i < n && !failed_; ++i) SkipValue();
            --depth_;
            return;
        }
        case ValueTag::kMap: {
            const std::uint64_t n = Varint();
            if (++depth_ > kMaxDepth) return Fail<void>();
            for (std::uint64_t i = 0; i < n && !failed_; ++i) {
                StrRef();
                SkipValue();
            }
            --depth_;
            return;
        }
    }
    Fail<void>();
}

std::string DoubleText(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

std::uint64_t TermHash(char kind, std::string_view a, std::string_view b) noexcept {
    std::uint64_t h = 0x243F6A8885A308D3ULL ^ static_cast<std::uint8_t>(kind);
    h = HashBytes(h, a);
    if (!b.empty()) h = HashBytes(h ^ 0x5555, b);
    return Mix(h);
}

}  // namespace tome::console::internal
