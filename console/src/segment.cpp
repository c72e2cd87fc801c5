#include "segment.hpp"

#include <algorithm>
#include <chrono>

namespace tome::console::internal {
namespace {

constexpr std::size_t kLengthPrefix = 4;

std::uint32_t ReadLength(const char* p) noexcept {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
    return v;
}

template <class T>
std::size_t VectorBytes(const std::vector<T>& v) noexcept {
    return v.capacity() * sizeof(T);
}

}  // namespace

// ---- Segment --------------------------------------------------------------------------------

Segment::Segment(std::uint64_t id, std::size_t capacity)
    : id_(id), capacity_(capacity), data_(new char[capacity]) {}

Segment::~Segment() = default;

bool Segment::Append(std::string_view record, std::int64_t time_us,
                     std::span<const std::uint64_t> terms, bool* grew) {
    if (index_owner_ != nullptr || record.size() + kLengthPrefix > capacity_ - used_) return false;
    const auto offset = static_cast<std::uint32_t>(used_);
    char* p = data_.get() + used_;
    const auto n = static_cast<std::uint32_t>(record.size());
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
    std::copy(record.begin(), record.end(), p + kLengthPrefix);
    used_ += kLengthPrefix + record.size();
    const std::size_t before = pending_.capacity();
    for (std::uint64_t term : terms) pending_.push_back({term, offset});
    if (pending_.capacity() != before) {
        pending_bytes_.store(VectorBytes(pending_), std::memory_order_relaxed);
        if (grew != nullptr) *grew = true;
    }
    if (time_us < min_time_us_.load(std::memory_order_relaxed)) {
        min_time_us_.store(time_us, std::memory_order_relaxed);
    }
    if (time_us > max_time_us_.load(std::memory_order_relaxed)) {
        max_time_us_.store(time_us, std::memory_order_relaxed);
    }
    records_.store(records_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    published_.store(used_, std::memory_order_release);
    return true;
}

void Segment::Seal() {
    if (index_owner_ != nullptr) return;
    auto index = std::make_unique<Index>();
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const PendingTerm& a, const PendingTerm& b) { return a.term < b.term; });
    index->postings.reserve(pending_.size());
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        const PendingTerm& t = pending_[i];
        if (i == 0 || pending_[i - 1].term != t.term) {
            index->terms.push_back(t.term);
            index->starts.push_back(static_cast<std::uint32_t>(index->postings.size()));
        } else if (pending_[i - 1].offset == t.offset) {
            continue;  // the same term twice in one record
        }
        index->postings.push_back(t.offset);
    }
    index->starts.push_back(static_cast<std::uint32_t>(index->postings.size()));
    index->offsets.reserve(records_.load(std::memory_order_relaxed));
    for (std::size_t at = 0; at < used_;) {
        index->offsets.push_back(static_cast<std::uint32_t>(at));
        at += kLengthPrefix + ReadLength(data_.get() + at);
    }
    index->terms.shrink_to_fit();
    index->starts.shrink_to_fit();
    index->postings.shrink_to_fit();
    std::vector<PendingTerm>().swap(pending_);
    pending_bytes_.store(0, std::memory_order_relaxed);
    index_owner_ = std::move(index);
    index_.store(index_owner_.get(), std::memory_order_release);
}

std::size_t Segment::Index::Bytes() const noexcept {
    return sizeof(Index) + VectorBytes(terms) + VectorBytes(starts) + VectorBytes(postings) +
           VectorBytes(offsets);
}

std::size_t Segment::AllocatedBytes() const noexcept {
    std::size_t bytes = sizeof(Segment) + capacity_ + pending_bytes_.load(std::memory_order_relaxed);
    if (const Index* index = index_.load(std::memory_order_acquire)) bytes += index->Bytes();
    return bytes;
}

std::string_view Segment::RecordAt(std::uint32_t offset) const noexcept {
    const std::size_t published = published_.load(std::memory_order_acquire);
    if (std::size_t{offset} + kLengthPrefix > published) return {};
    const char* p = data_.get() + offset;
    const std::uint32_t n = ReadLength(p);
    if (std::size_t{offset} + kLengthPrefix + n > published) return {};
    return {p + kLengthPrefix, n};
}

std::span<const std::uint32_t> Segment::Postings(std::uint64_t term) const noexcept {
    const Index* index = index_.load(std::memory_order_acquire);
    if (index == nullptr) return {};
    auto it = std::lower_bound(index->terms.begin(), index->terms.end(), term);
    if (it == index->terms.end() || *it != term) return {};
    const auto i = static_cast<std::size_t>(it - index->terms.begin());
    return std::span<const std::uint32_t>(index->postings.data() + index->starts[i],
                                          index->starts[i + 1] - index->starts[i]);
}

bool Segment::ForEachNewestFirst(
    const std::function<bool(std::uint32_t, std::string_view)>& fn) const {
    if (const Index* index = index_.load(std::memory_order_acquire)) {
        for (auto it = index->offsets.rbegin(); it != index->offsets.rend(); ++it) {
            if (!fn(*it, RecordAt(*it))) return false;
        }
        return true;
    }
    // Active: walk forward to find the records, then visit them backwards.
    const std::size_t published = published_.load(std::memory_order_acquire);
    std::vector<std::uint32_t> offsets;
    for (std::size_t at = 0; at + kLengthPrefix <= published;) {
        offsets.push_back(static_cast<std::uint32_t>(at));
        at += kLengthPrefix + ReadLength(data_.get() + at);
    }
    for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
        if (!fn(*it, RecordAt(*it))) return false;
    }
    return true;
}

// ---- SegmentLog -----------------------------------------------------------------------------

SegmentLog::SegmentLog(SegmentLogOptions options) : options_(options) {
    StartSegment(options_.segment_bytes);
}

SegmentLog::~SegmentLog() = default;

void SegmentLog::StartSegment(std::size_t capacity) {
    auto segment = std::make_shared<Segment>(next_id_++, capacity);
    std::lock_guard lock(mu_);
    segments_.push_back(std::move(segment));
}

Segment& SegmentLog::Append(std::string_view record, std::int64_t time_us,
                            std::span<const std::uint64_t> terms) {
    Segment* active = segments_.back().get();
    bool grew = false;
    if (!active->Append(record, time_us, terms, &grew)) {
        active->Seal();
        StartSegment(std::max(options_.segment_bytes, record.size() + kLengthPrefix));
        active = segments_.back().get();
        active->Append(record, time_us, terms, &grew);
        grew = true;
    }
    {
        std::lock_guard lock(mu_);
        ++appended_;
    }
    // A new segment, or the active one's pending terms grew: make room at the old end.
    if (grew) EvictOverBudget();
    return *active;
}

void SegmentLog::SealActive() {
    if (segments_.back()->records() == 0) return;
    segments_.back()->Seal();
    StartSegment(options_.segment_bytes);
    EvictOverBudget();
}

void SegmentLog::EvictOverBudget() {
    std::size_t total = 0;
    for (const auto& s : segments_) total += s->AllocatedBytes();
    std::lock_guard lock(mu_);
    while (total > options_.budget_bytes && segments_.size() > 1) {
        const Segment& oldest = *segments_.front();
        total -= oldest.AllocatedBytes();
        evicted_ += oldest.records();
        evicted_marks_ += oldest.marks();
        if (oldest.records() > 0) last_eviction_us_ = std::max(last_eviction_us_, oldest.max_time_us());
        if (first_eviction_at_us_ == 0) {
            first_eviction_at_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
        }
        segments_.erase(segments_.begin());
    }
}

SegmentList SegmentLog::Snapshot() const {
    std::lock_guard lock(mu_);
    return SegmentList(segments_.begin(), segments_.end());
}

SegmentLogStats SegmentLog::Stats() const {
    SegmentLogStats s;
    std::lock_guard lock(mu_);
    s.appended = appended_;
    s.evicted = evicted_;
    s.evicted_marks = evicted_marks_;
    s.last_eviction_us = last_eviction_us_;
    s.first_eviction_at_us = first_eviction_at_us_;
    s.segments = segments_.size();
    std::int64_t oldest = INT64_MAX;
    for (const auto& seg : segments_) {
        s.bytes += seg->AllocatedBytes();
        s.records += seg->records();
        if (seg->records() > 0) oldest = std::min(oldest, seg->min_time_us());
    }
    s.oldest_time_us = oldest == INT64_MAX ? 0 : oldest;
    return s;
}

}  // namespace tome::console::internal
