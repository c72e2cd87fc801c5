#include "log_record.hpp"

#include <algorithm>
#include <unordered_set>

namespace tome::console::internal {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kMaxWordBytes = 64;

void AppendStrings(RecordReader& r, std::string& out, int depth) {
    switch (static_cast<ValueTag>(r.U8())) {
        case ValueTag::kString: {
            if (!out.empty()) out.push_back(' ');
            out.append(r.Bytes());
            return;
        }
        case ValueTag::kBool: r.U8(); return;
        case ValueTag::kInt: r.Varint(); return;
        case ValueTag::kDouble: r.U64(); return;
        case ValueTag::kBytes: r.Bytes(); return;
        case ValueTag::kEmpty: return;
        case ValueTag::kArray: {
            const std::uint64_t n = r.Varint();
            for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
                if (depth > 8) r.SkipValue(); else AppendStrings(r, out, depth + 1);
            }
            return;
        }
        case ValueTag::kMap: {
            const std::uint64_t n = r.Varint();
            for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
                r.StrRef();
                if (depth > 8) r.SkipValue(); else AppendStrings(r, out, depth + 1);
            }
            return;
        }
    }
}

bool IsWordByte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c >= 0x80;
}

}  // namespace

std::string_view SeverityRangeName(int range) noexcept {
    static constexpr std::string_view kNames[] = {"UNSPECIFIED", "TRACE", "DEBUG", "INFO",
                                                  "WARN",        "ERROR", "FATAL"};
    return range >= 0 && range <= 6 ? kNames[range] : kNames[0];
}

void LogRecordWriter::Begin(const LogHeader& h, std::string_view severity_text,
                            std::string_view scope_name, std::string_view scope_version,
                            std::string_view event_name, std::uint32_t dropped_attributes) {
    buffer_.clear();
    RecordWriter& w = writer_;
    w.U8(kVersion);
    w.U8(h.severity);
    w.U8(0);
    w.U8(0);
    w.U32(h.resource_id);
    w.Raw(h.trace_id.data(), h.trace_id.size());
    w.Raw(h.span_id.data(), h.span_id.size());
    w.U32(h.trace_flags);
    w.U64(h.time_ns);
    w.U64(h.observed_time_ns);
    w.StrRef(severity_text);
    w.StrRef(scope_name);
    w.StrRef(scope_version);
    w.StrRef(event_name);
    w.Varint(dropped_attributes);
}

std::optional<LogView> LogView::Parse(std::string_view record, const StringTable& strings) {
    RecordReader r(record, &strings);
    if (r.U8() != kVersion) return std::nullopt;
    LogView v;
    v.strings_ = &strings;
    LogHeader& h = v.header;
    h.severity = r.U8();
    r.U8();
    r.U8();
    h.resource_id = r.U32();
    auto copy = [&r](auto& dst) {
        const std::string_view raw = r.Raw(dst.size());
        for (std::size_t i = 0; i < raw.size(); ++i) dst[i] = static_cast<std::uint8_t>(raw[i]);
    };
    copy(h.trace_id);
    copy(h.span_id);
    h.trace_flags = r.U32();
    h.time_ns = r.U64();
    h.observed_time_ns = r.U64();
    v.severity_text = r.StrRef();
    v.scope_name = r.StrRef();
    v.scope_version = r.StrRef();
    v.event_name = r.StrRef();
    v.dropped_attributes = static_cast<std::uint32_t>(r.Varint());
    if (r.failed()) return std::nullopt;
    const char* rest = r.position();
    v.rest_ = std::string_view(rest, static_cast<std::size_t>(record.data() + record.size() - rest));
    return v;
}

std::string LogView::BodyText() const {
    RecordReader r(rest_, strings_);
    std::string out;
    AppendStrings(r, out, 0);
    return out;
}

nlohmann::json LogView::BodyJson() const {
    RecordReader r(rest_, strings_);
    return r.ValueJson();
}

bool LogView::AttributeText(std::string_view key, std::string& out) const { return AttributeTextOf(*this, key, out); }

nlohmann::json LogView::AttributesJson() const { return AttributesJsonOf(*this); }

std::vector<std::string> Words(std::string_view text, std::size_t max_words) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    std::string word;
    std::size_t i = 0;
    while (i < text.size() && out.size() < max_words) {
        while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
        const std::size_t start = i;
        while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
        if (i == start) break;
        std::string_view raw = text.substr(start, std::min(i - start, kMaxWordBytes));
        word.assign(raw);
        for (char& c : word) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        if (seen.insert(word).second) out.push_back(word);
    }
    return out;
}

}  // namespace tome::console::internal
