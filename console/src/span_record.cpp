#include "span_record.hpp"

namespace tome::console::internal {
namespace {

constexpr std::uint8_t kVersion = 1;

int HexDigit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> ParseHex(std::string_view hex) noexcept {
    if (hex.size() != 2 * N) return std::nullopt;
    std::array<std::uint8_t, N> out{};
    for (std::size_t i = 0; i < N; ++i) {
        const int hi = HexDigit(hex[2 * i]);
        const int lo = HexDigit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return out;
}

// Skips the dropped count and the attributes that follow it in an event or link.
nlohmann::json AttributesJsonAt(RecordReader& r) {
    r.Varint();  // dropped attributes count
    nlohmann::json out = nlohmann::json::object();
    const std::uint64_t n = r.Varint();
    for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
        std::string key(r.StrRef());
        out[key] = r.ValueJson();
    }
    return out;
}

void SkipAttributesAt(RecordReader& r) {
    r.Varint();
    const std::uint64_t n = r.Varint();
    for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
        r.StrRef();
        r.SkipValue();
    }
}

}  // namespace

std::string_view KindName(std::uint8_t kind) noexcept {
    switch (kind) {
        case 1: return "internal";
        case 2: return "server";
        case 3: return "client";
        case 4: return "producer";
        case 5: return "consumer";
        default: return "unspecified";
    }
}

std::string_view StatusName(std::uint8_t code) noexcept {
    switch (code) {
        case 1: return "ok";
        case 2: return "error";
        default: return "unset";
    }
}

bool IsZero(const TraceIdBytes& id) noexcept {
    for (auto b : id) if (b != 0) return false;
    return true;
}
bool IsZero(const SpanIdBytes& id) noexcept {
    for (auto b : id) if (b != 0) return false;
    return true;
}

std::string Hex(const std::uint8_t* data, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(2 * n, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = kDigits[data[i] >> 4];
        out[2 * i + 1] = kDigits[data[i] & 0xF];
    }
    return out;
}

std::optional<TraceIdBytes> ParseTraceIdHex(std::string_view hex) noexcept { return ParseHex<16>(hex); }
std::optional<SpanIdBytes> ParseSpanIdHex(std::string_view hex) noexcept { return ParseHex<8>(hex); }

void SpanRecordWriter::Begin(const SpanHeader& h, std::string_view name,
                             std::string_view scope_name, std::string_view scope_version,
                             std::string_view status_message, std::string_view trace_state,
                             std::uint32_t dropped_attributes, std::uint32_t dropped_events,
                             std::uint32_t dropped_links) {
    buffer_.clear();
    RecordWriter& w = writer_;
    w.U8(kVersion);
    w.U8(h.kind);
    w.U8(h.status);
    w.U8(0);
    w.U32(h.resource_id);
    w.U32(h.flags);
    w.Raw(h.trace_id.data(), h.trace_id.size());
    w.Raw(h.span_id.data(), h.span_id.size());
    w.Raw(h.parent_span_id.data(), h.parent_span_id.size());
    w.U64(h.start_ns);
    w.U64(h.end_ns);
    w.StrRef(name);
    w.StrRef(scope_name);
    w.StrRef(scope_version);
    w.Bytes(status_message, 4096);
    w.Bytes(trace_state, 512);
    w.Varint(dropped_attributes);
    w.Varint(dropped_events);
    w.Varint(dropped_links);
}

std::optional<SpanView> SpanView::Parse(std::string_view record, const StringTable& strings) {
    RecordReader r(record, &strings);
    if (r.U8() != kVersion) return std::nullopt;
    SpanView v;
    v.strings_ = &strings;
    SpanHeader& h = v.header;
    h.kind = r.U8();
    h.status = r.U8();
    r.U8();
    h.resource_id = r.U32();
    h.flags = r.U32();
    auto copy = [&r](auto& dst) {
        const std::string_view raw = r.Raw(dst.size());
        for (std::size_t i = 0; i < raw.size(); ++i) dst[i] = static_cast<std::uint8_t>(raw[i]);
    };
    copy(h.trace_id);
    copy(h.span_id);
    copy(h.parent_span_id);
    h.start_ns = r.U64();
    h.end_ns = r.U64();
    v.name = r.StrRef();
    v.scope_name = r.StrRef();
    v.scope_version = r.StrRef();
    v.status_message = r.Bytes();
    v.trace_state = r.Bytes();
    v.dropped_attributes = static_cast<std::uint32_t>(r.Varint());
    v.dropped_events = static_cast<std::uint32_t>(r.Varint());
    v.dropped_links = static_cast<std::uint32_t>(r.Varint());
    if (r.failed()) return std::nullopt;
    // Attributes, events and links: kept for the lazy readers.
    const char* rest = r.position();
    v.rest_ = std::string_view(rest, static_cast<std::size_t>(record.data() + record.size() - rest));
    return v;
}

bool SpanView::AttributeText(std::string_view key, std::string& out) const { return AttributeTextOf(*this, key, out); }

nlohmann::json SpanView::AttributesJson() const { return AttributesJsonOf(*this); }

// rest_ holds the attributes, then the events, then the links.
nlohmann::json SpanView::EventsJson() const {
    RecordReader r(rest_, strings_);
    nlohmann::json events = nlohmann::json::array();
    const std::uint64_t count = r.Varint();
    for (std::uint64_t i = 0; i < count && !r.failed(); ++i) {
        r.StrRef();
        r.SkipValue();
    }
    const std::uint64_t n = r.Varint();
    for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
        const std::uint64_t time_ns = r.U64();
        std::string name(r.StrRef());
        events.push_back({{"name", std::move(name)},
                          {"timeUs", time_ns / 1000},
                          {"attributes", AttributesJsonAt(r)}});
    }
    return events;
}

nlohmann::json SpanView::LinksJson() const {
    RecordReader r(rest_, strings_);
    const std::uint64_t count = r.Varint();
    for (std::uint64_t i = 0; i < count && !r.failed(); ++i) {
        r.StrRef();
        r.SkipValue();
    }
    const std::uint64_t n_events = r.Varint();
    for (std::uint64_t i = 0; i < n_events && !r.failed(); ++i) {
        r.U64();
        r.StrRef();
        SkipAttributesAt(r);
    }
    nlohmann::json links = nlohmann::json::array();
    const std::uint64_t n = r.Varint();
    for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
        const std::string_view trace = r.Raw(16);
        const std::string_view span = r.Raw(8);
        std::string state(r.Bytes());
        r.U32();  // flags
        nlohmann::json link{
            {"traceId", Hex(reinterpret_cast<const std::uint8_t*>(trace.data()), trace.size())},
            {"spanId", Hex(reinterpret_cast<const std::uint8_t*>(span.data()), span.size())},
            {"attributes", AttributesJsonAt(r)}};
        if (!state.empty()) link["traceState"] = std::move(state);
        links.push_back(std::move(link));
    }
    return links;
}

}  // namespace tome::console::internal
