// DecodeOtlpRejectedCountJson: partial_success.rejected_<items> of an OTLP/JSON
// Export{Trace,Metrics,Logs}ServiceResponse, read with a small bounded JSON scanner (no JSON
// library: the response has one interesting number, and malformed input must simply give 0).
#include <charconv>
#include <cstdint>
#include <string_view>

#include "tome/telemetry/export/otlp_http_transport.hpp"

namespace tome::telemetry::exporter {
namespace {

// Deeper nesting than this in a response is treated as malformed (bounds the recursion).
constexpr int kMaxJsonDepth = 32;

class JsonScanner {
public:
    explicit JsonScanner(std::string_view s) noexcept : s_(s) {}

    bool Consume(char c) noexcept {
        SkipSpace();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    bool Peek(char c) noexcept {
        SkipSpace();
        return i_ < s_.size() && s_[i_] == c;
    }
    /// A string; `raw` gets its content with escapes left as they are (enough for keys and
    /// decimal strings, which never need them).
    bool String(std::string_view& raw) noexcept {
        if (!Consume('"')) return false;
        const std::size_t start = i_;
        while (i_ < s_.size() && s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
        if (i_ >= s_.size()) return false;
        raw = s_.substr(start, i_ - start);
        ++i_;
        return true;
    }
    /// A number token (digits, sign, fraction, exponent) as text.
    bool Number(std::string_view& raw) noexcept {
        SkipSpace();
        const std::size_t start = i_;
        while (i_ < s_.size() && (IsDigit(s_[i_]) || s_[i_] == '-' || s_[i_] == '+' ||
                                  s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E'))
            ++i_;
        raw = s_.substr(start, i_ - start);
        return !raw.empty();
    }
    bool SkipValue(int depth) noexcept {
        if (depth > kMaxJsonDepth) return false;
        std::string_view ignored;
        if (Peek('"')) return String(ignored);
        if (Consume('{')) {
            if (Consume('}')) return true;
            do {
                if (!String(ignored) || !Consume(':') || !SkipValue(depth + 1)) return false;
            } while (Consume(','));
            return Consume('}');
        }
        if (Consume('[')) {
            if (Consume(']')) return true;
            do {
                if (!SkipValue(depth + 1)) return false;
            } while (Consume(','));
            return Consume(']');
        }
        for (std::string_view literal : {"true", "false", "null"}) {
            if (s_.substr(i_, literal.size()) == literal) {
                i_ += literal.size();
                return true;
            }
        }
        return Number(ignored);
    }

private:
    static bool IsDigit(char c) noexcept { return c >= '0' && c <= '9'; }
    void SkipSpace() noexcept {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

std::uint64_t ParseCount(std::string_view digits) noexcept {
    std::uint64_t v = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    return r.ec == std::errc() && r.ptr == digits.data() + digits.size() ? v : 0;
}

// Inside partialSuccess: the first "rejected*" member (rejectedSpans, rejectedDataPoints,
// rejectedLogRecords, or their proto field names), as a decimal string or a number.
std::uint64_t RejectedIn(JsonScanner& j) noexcept {
    if (!j.Consume('{') || j.Consume('}')) return 0;
    do {
        std::string_view key;
        if (!j.String(key) || !j.Consume(':')) return 0;
        if (key.starts_with("rejected")) {
            std::string_view value;
            if (j.Peek('"')) return j.String(value) ? ParseCount(value) : 0;
            return j.Number(value) ? ParseCount(value) : 0;
        }
        if (!j.SkipValue(1)) return 0;
    } while (j.Consume(','));
    return 0;
}

}  // namespace

std::uint64_t DecodeOtlpRejectedCountJson(std::string_view response) noexcept {
    JsonScanner j(response);
    if (!j.Consume('{') || j.Consume('}')) return 0;
    do {
        std::string_view key;
        if (!j.String(key) || !j.Consume(':')) return 0;
        if (key == "partialSuccess" || key == "partial_success") {
            return j.Peek('{') ? RejectedIn(j) : 0;  // null: no partial success
        }
        if (!j.SkipValue(0)) return 0;
    } while (j.Consume(','));
    return 0;
}

}  // namespace tome::telemetry::exporter
