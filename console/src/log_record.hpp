// The stored form of one log record: a fixed 52-byte header (severity, resource, trace and
// span ids, times), then severity text, scope, event name, body and attributes in the record
// encoding. LogRecordWriter builds it; LogView reads it back. Also the word tokenizer of the
// full-text index. Plain values, one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "record_codec.hpp"
#include "span_record.hpp"

namespace tome::console::internal {

struct LogHeader {
    std::uint8_t severity = 0;  ///< SeverityNumber 0..24.
    std::uint32_t resource_id = 0;
    TraceIdBytes trace_id{};
    SpanIdBytes span_id{};
    std::uint32_t trace_flags = 0;
    std::uint64_t time_ns = 0;           ///< 0: unknown (use observed).
    std::uint64_t observed_time_ns = 0;

    std::uint64_t effective_time_ns() const noexcept { return time_ns != 0 ? time_ns : observed_time_ns; }
};

/// 1 trace, 2 debug, 3 info, 4 warn, 5 error, 6 fatal; 0 unspecified.
inline int SeverityRange(std::uint8_t severity) noexcept {
    return severity == 0 || severity > 24 ? 0 : (severity - 1) / 4 + 1;
}
/// "TRACE".."FATAL" of a range, the short name shown when a record has no text.
std::string_view SeverityRangeName(int range) noexcept;

/// Call Begin, then through writer(): the body (one value), the attribute count and per
/// attribute a StrRef key and a value. Finish returns the bytes.
class LogRecordWriter {
public:
    explicit LogRecordWriter(StringTable& strings) : writer_(buffer_, &strings) {}
    void Begin(const LogHeader& header, std::string_view severity_text, std::string_view scope_name,
               std::string_view scope_version, std::string_view event_name,
               std::uint32_t dropped_attributes);
    RecordWriter& writer() noexcept { return writer_; }
    std::string_view Finish() const noexcept { return buffer_; }

private:
    std::string buffer_;
    RecordWriter writer_;
};

class LogView {
public:
    static std::optional<LogView> Parse(std::string_view record, const StringTable& strings);

    LogHeader header;
    std::string_view severity_text;
    std::string_view scope_name;
    std::string_view scope_version;
    std::string_view event_name;
    std::uint32_t dropped_attributes = 0;

    /// The body's text: the string itself, or the string values of an array or map joined
    /// with spaces; empty for other values.
    std::string BodyText() const;
    nlohmann::json BodyJson() const;
    template <class Fn>
    void ForEachAttribute(Fn&& fn) const {
        RecordReader r(rest_, strings_);
        r.SkipValue();  // the body
        const std::uint64_t n = r.Varint();
        for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
            const std::string_view key = r.StrRef();
            if (!fn(key, r)) return;
        }
    }
    bool AttributeText(std::string_view key, std::string& out) const;
    nlohmann::json AttributesJson() const;

private:
    std::string_view rest_;  // body, then attributes
    const StringTable* strings_ = nullptr;
};

/// Lower-cased words of `text` (runs of letters, digits, '_' and non-ASCII bytes; ASCII
/// lower-cased), 1 to 64 bytes each, deduplicated, at most `max_words`.
std::vector<std::string> Words(std::string_view text, std::size_t max_words = 4096);

}  // namespace tome::console::internal
