#include "metric_store.hpp"

#include <algorithm>

#include "record_codec.hpp"

namespace tome::console::internal {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kNumber = 0;
constexpr std::uint8_t kHistogram = 1;
constexpr std::size_t kMaxBuckets = 512;
constexpr std::size_t kMaxExemplars = 64;

}  // namespace

MetricStore::MetricStore(SegmentLogOptions options, ResourceTable& resources,
                         std::size_t max_series)
    : resources_(resources), log_(options), max_series_(std::min(max_series, kMaxSeries)) {}

MetricStore::~MetricStore() = default;

std::optional<std::uint32_t> MetricStore::InternSeries(SeriesInfo info) {
    std::string key;
    key.reserve(info.name.size() + info.encoded_attributes.size() + 8);
    key.append(reinterpret_cast<const char*>(&info.resource_id), sizeof info.resource_id);
    key.push_back(static_cast<char>(info.kind));
    key.append(info.name);
    key.push_back('\0');
    key.append(info.encoded_attributes);
    if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    const std::size_t n = size_.load(std::memory_order_relaxed);
    if (n >= max_series_) {
        overflow_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }
    auto& chunk = chunks_[n / kChunk];
    if (!chunk) {
        chunk = std::make_unique<Chunk>();
        series_bytes_.fetch_add(sizeof(Chunk), std::memory_order_relaxed);
    }
    const std::size_t size = key.size() * 2 + info.name.size() + info.description.size() +
                             info.unit.size() + info.encoded_attributes.size() * 5 + 128;
    (*chunk)[n % kChunk] = std::move(info);
    series_bytes_.fetch_add(size, std::memory_order_relaxed);
    const auto id = static_cast<std::uint32_t>(n);
    ids_.emplace(std::move(key), id);
    size_.store(n + 1, std::memory_order_release);
    return id;
}

const SeriesInfo* MetricStore::Series(std::uint32_t id) const noexcept {
    if (id >= size_.load(std::memory_order_acquire)) return nullptr;
    return &(*chunks_[id / kChunk])[id % kChunk];
}

std::vector<const SeriesInfo*> MetricStore::AllSeries() const {
    std::vector<const SeriesInfo*> out;
    const std::size_t n = size_.load(std::memory_order_acquire);
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(&(*chunks_[i / kChunk])[i % kChunk]);
    return out;
}

void MetricStore::Append(const MetricPoint& p) {
    const SeriesInfo* series = Series(p.series);
    if (series == nullptr) return;
    buffer_.clear();
    RecordWriter w(buffer_, nullptr);
    w.U8(kVersion);
    const bool histogram = series->kind == MetricKind::kHistogram;
    w.U8(histogram ? kHistogram : kNumber);
    w.U8(0);
    w.U8(0);
    w.U32(p.series);
    w.U64(p.start_ns);
    w.U64(p.time_ns);
    if (histogram) {
        const std::size_t nb = std::min(p.bounds.size(), kMaxBuckets);
        w.Varint(p.count);
        w.F64(p.sum);
        w.Varint(nb);
        for (std::size_t i = 0; i < nb; ++i) w.F64(p.bounds[i]);
        for (std::size_t i = 0; i <= nb; ++i) {
            // A malformed point (fewer counts than bounds + 1) reads as zeros.
            std::uint64_t c = i < p.bucket_counts.size() ? p.bucket_counts[i] : 0;
            if (i == nb) {
                for (std::size_t j = nb + 1; j < p.bucket_counts.size(); ++j) c += p.bucket_counts[j];
            }
            w.Varint(c);
        }
    } else {
        w.F64(p.value);
    }
    const std::size_t ne = std::min(p.exemplars.size(), kMaxExemplars);
    w.Varint(ne);
    for (std::size_t i = 0; i < ne; ++i) {
        const Exemplar& e = p.exemplars[i];
        w.U64(e.time_ns);
        w.F64(e.value);
        w.Raw(e.trace_id.data(), 16);
        w.Raw(e.span_id.data(), 8);
    }
    const ResourceEntry* resource = resources_.Get(series->resource_id);
    terms_.clear();
    terms_.push_back(TermHash('M', series->name));
    terms_.push_back(TermHash('I', std::to_string(p.series)));
    terms_.push_back(TermHash('S', resource != nullptr ? resource->service : "unknown_service"));
    log_.Append(buffer_, static_cast<std::int64_t>(p.time_ns / 1000), terms_);
}

std::optional<MetricPoint> DecodePoint(std::string_view record) {
    RecordReader r(record, nullptr);
    if (r.U8() != kVersion) return std::nullopt;
    const std::uint8_t kind = r.U8();
    r.U8();
    r.U8();
    MetricPoint p;
    p.series = r.U32();
    p.start_ns = r.U64();
    p.time_ns = r.U64();
    if (kind == kHistogram) {
        p.count = r.Varint();
        p.sum = r.F64();
        const std::uint64_t nb = std::min<std::uint64_t>(r.Varint(), kMaxBuckets);
        p.bounds.resize(nb);
        for (auto& b : p.bounds) b = r.F64();
        p.bucket_counts.resize(nb + 1);
        for (auto& c : p.bucket_counts) c = r.Varint();
    } else {
        p.value = r.F64();
    }
    const std::uint64_t ne = std::min<std::uint64_t>(r.Varint(), kMaxExemplars);
    for (std::uint64_t i = 0; i < ne && !r.failed(); ++i) {
        Exemplar e;
        e.time_ns = r.U64();
        e.value = r.F64();
        const std::string_view t = r.Raw(16);
        const std::string_view s = r.Raw(8);
        if (t.size() == 16) std::copy(t.begin(), t.end(), reinterpret_cast<char*>(e.trace_id.data()));
        if (s.size() == 8) std::copy(s.begin(), s.end(), reinterpret_cast<char*>(e.span_id.data()));
        p.exemplars.push_back(e);
    }
    if (r.failed()) return std::nullopt;
    return p;
}

std::map<std::uint32_t, std::vector<MetricPoint>> MetricStore::Points(std::string_view name,
                                                                      std::int64_t start_us,
                                                                      std::int64_t end_us) const {
    std::map<std::uint32_t, std::vector<MetricPoint>> out;
    const std::uint64_t term = TermHash('M', name);
    auto visit = [&](std::string_view record) {
        auto p = DecodePoint(record);
        if (!p) return;
        const auto t = static_cast<std::int64_t>(p->time_ns / 1000);
        if (t < start_us || t > end_us) return;
        const SeriesInfo* s = Series(p->series);
        if (s == nullptr || s->name != name) return;
        out[p->series].push_back(std::move(*p));
    };
    for (const auto& seg : log_.Snapshot()) {
        if (seg->records() == 0) continue;
        if (seg->max_time_us() < start_us || seg->min_time_us() > end_us) continue;
        if (seg->sealed()) {
            for (std::uint32_t offset : seg->Postings(term)) visit(seg->RecordAt(offset));
        } else {
            std::vector<std::string_view> records;
            seg->ForEachNewestFirst([&](std::uint32_t, std::string_view record) {
                records.push_back(record);
                return true;
            });
            for (auto it = records.rbegin(); it != records.rend(); ++it) visit(*it);
        }
    }
    for (auto& [id, points] : out) {
        std::stable_sort(points.begin(), points.end(),
                         [](const MetricPoint& a, const MetricPoint& b) { return a.time_ns < b.time_ns; });
    }
    return out;
}

}  // namespace tome::console::internal
