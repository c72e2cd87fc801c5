#include "span_store.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "postings.hpp"

namespace tome::console::internal {
namespace {

constexpr int kMaxBand = 40;  // 2^40 µs is about 12 days
constexpr std::size_t kTraceIdOffset = 12;  // in a span record: after version..flags

std::string_view IdView(const TraceIdBytes& id) {
    return {reinterpret_cast<const char*>(id.data()), id.size()};
}

struct TraceIdHash {
    std::size_t operator()(const TraceIdBytes& id) const noexcept {
        std::uint64_t a;
        std::uint64_t b;
        std::memcpy(&a, id.data(), 8);
        std::memcpy(&b, id.data() + 8, 8);
        return static_cast<std::size_t>(a ^ (b * 0x9E3779B97F4A7C15ULL));
    }
};

std::uint64_t ErrorTerm() { return TermHash('E', "error"); }
std::uint64_t BandTerm(int band) { return TermHash('D', std::to_string(band)); }

// Resources whose attribute `key` has the text `value`.
std::set<std::uint32_t> ResourcesWith(const ResourceTable& resources, const StringTable& strings,
                                      std::string_view key, std::string_view value) {
    std::set<std::uint32_t> out;
    std::string text;
    for (std::uint32_t id = 0; id < resources.size(); ++id) {
        const ResourceEntry* entry = resources.Get(id);
        if (entry == nullptr) continue;
        if (key == "service.name" && entry->service == value) {
            out.insert(id);
            continue;
        }
        RecordReader r(entry->encoded, &strings);
        if (r.U8() != static_cast<std::uint8_t>(ValueTag::kMap)) continue;
        const std::uint64_t n = r.Varint();
        for (std::uint64_t i = 0; i < n && !r.failed(); ++i) {
            const std::string_view k = r.StrRef();
            if (k == key) {
                if (r.ValueText(text) && text == value) out.insert(id);
                break;
            }
            r.SkipValue();
        }
    }
    return out;
}

}  // namespace

SpanStore::SpanStore(SegmentLogOptions options, StringTable& strings, ResourceTable& resources)
    : strings_(strings), resources_(resources), log_(options) {}

int SpanStore::DurationBand(std::uint64_t duration_ns) noexcept {
    const std::uint64_t us = duration_ns / 1000;
    if (us < 2) return 0;
    return std::min(kMaxBand, static_cast<int>(std::bit_width(us)) - 1);
}

void SpanStore::Terms(const SpanView& span, std::string_view service,
                      std::vector<std::uint64_t>& out) {
    out.push_back(TermHash('T', IdView(span.header.trace_id)));
    out.push_back(TermHash('S', service));
    out.push_back(TermHash('O', service, span.name));
    if (span.header.status == kStatusError) out.push_back(ErrorTerm());
    out.push_back(BandTerm(DurationBand(span.header.duration_ns())));
    std::string text;
    span.ForEachAttribute([&](std::string_view key, RecordReader& r) {
        if (r.ValueText(text)) out.push_back(TermHash('A', key, text));
        return true;
    });
}

std::optional<SpanView> SpanStore::Append(std::string_view record) {
    auto parsed = SpanView::Parse(record, strings_);
    if (!parsed) return std::nullopt;
    const ResourceEntry* resource = resources_.Get(parsed->header.resource_id);
    const std::string_view service = resource != nullptr ? std::string_view(resource->service)
                                                         : std::string_view("unknown_service");
    terms_.clear();
    Terms(*parsed, service, terms_);
    const auto start_us = static_cast<std::int64_t>(parsed->header.start_ns / 1000);
    Segment& segment = log_.Append(record, start_us, terms_);
    if (parsed->header.is_root()) segment.AddMarks(1);
    {
        std::lock_guard lock(registry_mu_);
        auto it = services_.find(service);
        if (it == services_.end() && services_.size() < kMaxServices) {
            it = services_.emplace(std::string(service), ServiceInfo{}).first;
        }
        if (it != services_.end()) {
            it->second.last_seen_us = std::max(it->second.last_seen_us, start_us);
            auto& ops = it->second.operations;
            if (ops.size() < kMaxOperationsPerService && ops.find(parsed->name) == ops.end()) {
                ops.emplace(std::string(parsed->name), parsed->header.kind);
            }
        }
    }
    return parsed;
}

bool SpanStore::Matches(const SpanView& span, const TraceQuery& q,
                        const std::vector<std::set<std::uint32_t>>& resource_matches,
                        std::string& scratch) const {
    const SpanHeader& h = span.header;
    const auto start_us = static_cast<std::int64_t>(h.start_ns / 1000);
    if (start_us < q.start_us || start_us > q.end_us) return false;
    if (q.errors_only && h.status != kStatusError) return false;
    const std::uint64_t d = h.duration_ns();
    if (d < q.min_duration_ns) return false;
    if (q.max_duration_ns != 0 && d > q.max_duration_ns) return false;
    if (!q.operation.empty() && span.name != q.operation) return false;
    if (!q.service.empty()) {
        const ResourceEntry* r = resources_.Get(h.resource_id);
        if (r == nullptr || r->service != q.service) return false;
    }
    for (std::size_t i = 0; i < q.attributes.size(); ++i) {
        if (resource_matches[i].count(h.resource_id) > 0) continue;
        if (!span.AttributeText(q.attributes[i].first, scratch) || scratch != q.attributes[i].second) {
            return false;
        }
    }
    return true;
}

TraceSearchResult SpanStore::Search(const TraceQuery& q) const {
    TraceSearchResult result;
    std::vector<std::set<std::uint32_t>> resource_matches;
    for (const auto& [key, value] : q.attributes) {
        resource_matches.push_back(ResourcesWith(resources_, strings_, key, value));
    }
    std::unordered_set<TraceIdBytes, TraceIdHash> seen;
    std::string scratch;
    bool full = false;
    // Visits one candidate; false once the result is full.
    auto visit = [&](std::string_view record) {
        auto span = SpanView::Parse(record, strings_);
        if (!span || !Matches(*span, q, resource_matches, scratch)) return true;
        if (!seen.insert(span->header.trace_id).second) return true;
        if (result.traces.size() == q.limit) {
            result.more = true;
            full = true;
            return false;
        }
        result.traces.push_back(span->header.trace_id);
        return true;
    };

    const SegmentList segments = log_.Snapshot();
    for (auto it = segments.rbegin(); it != segments.rend() && !full; ++it) {
        const Segment& seg = **it;
        if (seg.records() == 0) continue;
        if (seg.max_time_us() < q.start_us || seg.min_time_us() > q.end_us) continue;
        if (!seg.sealed()) {
            seg.ForEachNewestFirst([&](std::uint32_t, std::string_view record) { return visit(record); });
            continue;
        }
        // Terms every match must hold; the rest is checked on the record.
        std::vector<std::unique_ptr<PostingsIterator>> iterators;
        auto require = [&](std::uint64_t term) {
            iterators.push_back(std::make_unique<TermIterator>(seg.Postings(term)));
        };
        if (!q.service.empty() && !q.operation.empty()) {
            require(TermHash('O', q.service, q.operation));
        } else if (!q.service.empty()) {
            require(TermHash('S', q.service));
        }
        if (q.errors_only) require(ErrorTerm());
        for (std::size_t i = 0; i < q.attributes.size(); ++i) {
            if (resource_matches[i].empty()) {
                require(TermHash('A', q.attributes[i].first, q.attributes[i].second));
            }
        }
        if (q.min_duration_ns > 0) {
            const int low = DurationBand(q.min_duration_ns);
            const int high = q.max_duration_ns > 0 ? DurationBand(q.max_duration_ns) : kMaxBand;
            std::vector<std::unique_ptr<PostingsIterator>> bands;
            for (int band = low; band <= high; ++band) {
                auto postings = seg.Postings(BandTerm(band));
                if (!postings.empty()) bands.push_back(std::make_unique<TermIterator>(postings));
            }
            iterators.push_back(std::make_unique<UnionIterator>(std::move(bands)));
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

std::vector<std::vector<std::string>> SpanStore::Traces(const std::vector<TraceIdBytes>& ids) const {
    std::vector<std::vector<std::string>> out(ids.size());
    std::unordered_map<TraceIdBytes, std::size_t, TraceIdHash> position;
    for (std::size_t i = 0; i < ids.size(); ++i) position.emplace(ids[i], i);
    const SegmentList segments = log_.Snapshot();
    for (const auto& seg : segments) {
        if (seg->records() == 0) continue;
        if (seg->sealed()) {
            for (std::size_t i = 0; i < ids.size(); ++i) {
                for (std::uint32_t offset : seg->Postings(TermHash('T', IdView(ids[i])))) {
                    const std::string_view record = seg->RecordAt(offset);
                    if (record.size() >= kTraceIdOffset + 16 &&
                        std::memcmp(record.data() + kTraceIdOffset, ids[i].data(), 16) == 0) {
                        out[i].emplace_back(record);
                    }
                }
            }
            continue;
        }
        seg->ForEachNewestFirst([&](std::uint32_t, std::string_view record) {
            if (record.size() < kTraceIdOffset + 16) return true;
            TraceIdBytes id;
            std::memcpy(id.data(), record.data() + kTraceIdOffset, 16);
            if (auto it = position.find(id); it != position.end()) out[it->second].emplace_back(record);
            return true;
        });
    }
    return out;
}

std::vector<std::pair<std::string, std::int64_t>> SpanStore::Services() const {
    std::lock_guard lock(registry_mu_);
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& [name, info] : services_) out.emplace_back(name, info.last_seen_us);
    return out;
}

std::vector<OperationInfo> SpanStore::Operations(std::string_view service) const {
    std::lock_guard lock(registry_mu_);
    std::vector<OperationInfo> out;
    auto it = services_.find(service);
    if (it == services_.end()) return out;
    for (const auto& [name, kind] : it->second.operations) out.push_back({name, kind});
    return out;
}

std::size_t SpanStore::RegistryBytes() const {
    std::lock_guard lock(registry_mu_);
    std::size_t bytes = 0;
    for (const auto& [name, info] : services_) {
        bytes += 96 + name.capacity();
        for (const auto& [op, kind] : info.operations) bytes += 80 + op.capacity();
    }
    return bytes;
}

}  // namespace tome::console::internal
