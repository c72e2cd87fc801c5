#include "log_store.hpp"

#include <algorithm>
#include <memory>
#include <unordered_set>

#include "postings.hpp"

namespace tome::console::internal {
namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string_view Bytes(const auto& id) {
    return {reinterpret_cast<const char*>(id.data()), id.size()};
}

std::uint64_t SeverityTerm(int range) { return TermHash('V', std::to_string(range)); }

}  // namespace

void ParseSearchText(std::string_view text, LogQuery& query) {
    std::string rest;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '"') {
            const std::size_t close = text.find('"', i + 1);
            const std::string_view phrase =
                text.substr(i + 1, close == std::string_view::npos ? std::string_view::npos : close - i - 1);
            if (!phrase.empty()) {
                query.phrases.push_back(Lower(phrase));
                for (auto& w : Words(phrase)) query.words.push_back(std::move(w));
            }
            i = close == std::string_view::npos ? text.size() : close + 1;
        } else {
            rest.push_back(text[i++]);
        }
    }
    for (auto& w : Words(rest)) {
        if (std::find(query.words.begin(), query.words.end(), w) == query.words.end()) {
            query.words.push_back(std::move(w));
        }
    }
}

LogStore::LogStore(SegmentLogOptions options, StringTable& strings, ResourceTable& resources)
    : strings_(strings), resources_(resources), log_(options) {}

std::optional<LogView> LogStore::Append(std::string_view record) {
    auto parsed = LogView::Parse(record, strings_);
    if (!parsed) return std::nullopt;
    const LogHeader& h = parsed->header;
    const ResourceEntry* resource = resources_.Get(h.resource_id);
    terms_.clear();
    terms_.push_back(TermHash('S', resource != nullptr ? resource->service : "unknown_service"));
    if (!IsZero(h.trace_id)) terms_.push_back(TermHash('T', Bytes(h.trace_id)));
    if (!IsZero(h.span_id)) terms_.push_back(TermHash('P', Bytes(h.span_id)));
    terms_.push_back(SeverityTerm(SeverityRange(h.severity)));
    std::string text;
    parsed->ForEachAttribute([&](std::string_view key, RecordReader& r) {
        if (r.ValueText(text)) terms_.push_back(TermHash('A', key, text));
        return true;
    });
    for (const auto& word : Words(parsed->BodyText())) terms_.push_back(TermHash('W', word));
    log_.Append(record, static_cast<std::int64_t>(h.effective_time_ns() / 1000), terms_);
    return parsed;
}

bool LogStore::Matches(const LogView& log, const LogQuery& q, std::string& scratch) const {
    const LogHeader& h = log.header;
    const auto t = static_cast<std::int64_t>(h.effective_time_ns() / 1000);
    if (t < q.start_us || t > q.end_us) return false;
    if (q.min_severity_range > 0 && SeverityRange(h.severity) < q.min_severity_range) return false;
    if (q.trace_id && h.trace_id != *q.trace_id) return false;
    if (q.span_id && h.span_id != *q.span_id) return false;
    if (!q.service.empty()) {
        const ResourceEntry* r = resources_.Get(h.resource_id);
        if (r == nullptr || r->service != q.service) return false;
    }
    for (const auto& [key, value] : q.attributes) {
        if (!log.AttributeText(key, scratch) || scratch != value) return false;
    }
    if (!q.words.empty() || !q.phrases.empty()) {
        const std::string body = log.BodyText();
        if (!q.words.empty()) {
            const auto words = Words(body);
            const std::unordered_set<std::string> have(words.begin(), words.end());
            for (const auto& w : q.words) {
                if (have.count(w) == 0) return false;
            }
        }
        if (!q.phrases.empty()) {
            const std::string lower = Lower(body);
            for (const auto& p : q.phrases) {
                if (lower.find(p) == std::string::npos) return false;
            }
        }
    }
    return true;
}

LogSearchResult LogStore::Search(const LogQuery& q) const {
    LogSearchResult result;
    std::string scratch;
    bool full = false;
    auto visit = [&](std::string_view record) {
        auto log = LogView::Parse(record, strings_);
        if (!log || !Matches(*log, q, scratch)) return true;
        if (result.records.size() == q.limit) {
            result.more = true;
            full = true;
            return false;
        }
        result.records.emplace_back(record);
        return true;
    };
    const SegmentList segments = log_.Snapshot();
    for (auto it = segments.rbegin(); it != segments.rend() && !full; ++it) {
        const Segment& seg = **it;
        if (seg.records() == 0) continue;
        if (seg.max_time_us() < q.start_us || seg.min_time_us() > q.end_us) continue;
        std::vector<std::unique_ptr<PostingsIterator>> iterators;
        if (seg.sealed()) {
            auto require = [&](std::uint64_t term) {
                iterators.push_back(std::make_unique<TermIterator>(seg.Postings(term)));
            };
            if (q.trace_id) require(TermHash('T', Bytes(*q.trace_id)));
            if (q.span_id) require(TermHash('P', Bytes(*q.span_id)));
            if (!q.service.empty()) require(TermHash('S', q.service));
            for (const auto& [key, value] : q.attributes) require(TermHash('A', key, value));
            for (const auto& w : q.words) require(TermHash('W', w));
            if (q.min_severity_range > 1) {
                std::vector<std::unique_ptr<PostingsIterator>> ranges;
                for (int r = q.min_severity_range; r <= 6; ++r) {
                    auto postings = seg.Postings(SeverityTerm(r));
                    if (!postings.empty()) ranges.push_back(std::make_unique<TermIterator>(postings));
                }
                iterators.push_back(std::make_unique<UnionIterator>(std::move(ranges)));
            }
        }
        if (iterators.empty()) {
            seg.ForEachNewestFirst([&](std::uint32_t, std::string_view record) { return visit(record); });
            continue;
        }
        std::sort(iterators.begin(), iterators.end(),
                  [](const auto& a, const auto& b) { return a->size() < b->size(); });
        IntersectNewestFirst(iterators, [&](std::uint32_t offset) { return visit(seg.RecordAt(offset)); });
    }
    return result;
}

}  // namespace tome::console::internal
