// The stored form of one span: a fixed 60-byte header (ids, times, kind, status, resource),
// then names, status message, trace state, attributes, events and links in the record encoding.
// SpanRecordWriter builds it (the SDK and OTLP front ends fill it from their own types);
// SpanView reads it back without copying. Plain values, one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "record_codec.hpp"

namespace tome::console::internal {

/// OTLP SpanKind (0 unspecified .. 5 consumer) and StatusCode (0 unset, 1 ok, 2 error).
enum class Kind : std::uint8_t { kUnspecified = 0, kInternal, kServer, kClient, kProducer, kConsumer };
inline constexpr std::uint8_t kStatusError = 2;

std::string_view KindName(std::uint8_t kind) noexcept;
std::string_view StatusName(std::uint8_t code) noexcept;

using TraceIdBytes = std::array<std::uint8_t, 16>;
using SpanIdBytes = std::array<std::uint8_t, 8>;

bool IsZero(const TraceIdBytes& id) noexcept;
bool IsZero(const SpanIdBytes& id) noexcept;
std::string Hex(const std::uint8_t* data, std::size_t n);
std::optional<TraceIdBytes> ParseTraceIdHex(std::string_view hex) noexcept;  // any case
std::optional<SpanIdBytes> ParseSpanIdHex(std::string_view hex) noexcept;

struct SpanHeader {
    TraceIdBytes trace_id{};
    SpanIdBytes span_id{};
    SpanIdBytes parent_span_id{};
    std::uint64_t start_ns = 0;
    std::uint64_t end_ns = 0;
    std::uint32_t resource_id = 0;
    std::uint32_t flags = 0;  ///< OTLP Span.flags (W3C flags, 0x100 has-remote, 0x200 remote parent).
    std::uint8_t kind = 0;
    std::uint8_t status = 0;

    bool is_root() const noexcept { return IsZero(parent_span_id); }
    /// A span that starts work in its service: server, consumer, a root or a remote child.
    bool is_entry() const noexcept {
        return kind == static_cast<std::uint8_t>(Kind::kServer) ||
               kind == static_cast<std::uint8_t>(Kind::kConsumer) || is_root() ||
               (flags & 0x300u) == 0x300u;
    }
    std::uint64_t duration_ns() const noexcept { return end_ns > start_ns ? end_ns - start_ns : 0; }
};

/// Builds one span record. Call Begin, then through writer(): the attribute count and per
/// attribute a StrRef key and a value; the event count and per event U64 time, StrRef name,
/// Varint dropped count, attribute count and attributes; the link count and per link 16 + 8 raw
/// id bytes, Bytes trace state, U32 flags, Varint dropped count, attribute count and attributes.
/// Finish returns the bytes.
class SpanRecordWriter {
public:
    explicit SpanRecordWriter(StringTable& strings) : writer_(buffer_, &strings) {}

    void Begin(const SpanHeader& header, std::string_view name, std::string_view scope_name,
               std::string_view scope_version, std::string_view status_message,
               std::string_view trace_state, std::uint32_t dropped_attributes,
               std::uint32_t dropped_events, std::uint32_t dropped_links);
    RecordWriter& writer() noexcept { return writer_; }
    std::string_view Finish() const noexcept { return buffer_; }

private:
    std::string buffer_;
    RecordWriter writer_;
};

/// A decoded span record: the header and names eagerly, the rest on demand.
class SpanView {
public:
    /// nullopt when `record` is not a well-formed span record.
    static std::optional<SpanView> Parse(std::string_view record, const StringTable& strings);

    SpanHeader header;
    std::string_view name;
    std::string_view scope_name;
    std::string_view scope_version;
    std::string_view status_message;
    std::string_view trace_state;
    std::uint32_t dropped_attributes = 0;
    std::uint32_t dropped_events = 0;
    std::uint32_t dropped_links = 0;

    /// Calls fn(key, reader) for each attribute; fn must consume exactly one value from the
    /// reader (ValueText, ValueJson or SkipValue) and return false to stop.
    template <class Fn>
    void ForEachAttribute(Fn&& fn) const {
        RecordReader r = AttributesReader();
        const std::uint64_t n = r.Varint();
        for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
            const std::string_view key = r.StrRef();
            if (!fn(key, r)) return;
        }
    }
    /// The text of attribute `key` (see RecordReader::ValueText); false when absent.
    bool AttributeText(std::string_view key, std::string& out) const;
    nlohmann::json AttributesJson() const;
    nlohmann::json EventsJson() const;
    nlohmann::json LinksJson() const;

private:
    RecordReader AttributesReader() const { return RecordReader(rest_, strings_); }
    std::string_view rest_;  // from the attribute count on
    const StringTable* strings_ = nullptr;
};

}  // namespace tome::console::internal
