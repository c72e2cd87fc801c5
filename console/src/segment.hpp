// Segment and SegmentLog: the storage of one signal. A Segment is an append-only run of
// length-prefixed records in one buffer allocated at creation (its capacity never changes, so
// readers see stable bytes). While active, readers scan it; once sealed it carries an inverted
// index (term hash -> byte offsets of the records holding the term, ascending) and the offset of
// every record. A SegmentLog is a list of segments under a byte budget: appends go to the active
// segment, a full one is sealed and a new one started, and the oldest sealed segments are
// evicted (whole) while the log is over its budget.
// Thread-safety: one writer thread calls Append/Seal/Flush; any thread may take a Snapshot and
// read the segments in it, concurrently with the writer (the published byte count and the index
// pointer are release/acquire; a segment a reader holds stays alive after eviction).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tome::console::internal {

class Segment {
public:
    /// `capacity`: bytes of records it can hold (each record costs its size + 4).
    Segment(std::uint64_t id, std::size_t capacity);
    ~Segment();
    Segment(const Segment&) = delete;
    Segment& operator=(const Segment&) = delete;

    // --- writer -------------------------------------------------------------------------
    /// Appends a record (time in unix µs, its index terms). False when it does not fit.
    /// `grew` (optional) is set when the segment's memory grew (its pending terms).
    bool Append(std::string_view record, std::int64_t time_us, std::span<const std::uint64_t> terms,
                bool* grew = nullptr);
    /// Builds the index and makes the segment read-only. Idempotent.
    void Seal();
    /// Adds to the owner's tally (e.g. root spans), read back when the segment is evicted.
    void AddMarks(std::uint64_t n) noexcept { marks_.fetch_add(n, std::memory_order_relaxed); }

    // --- readers ------------------------------------------------------------------------
    std::uint64_t id() const noexcept { return id_; }
    bool sealed() const noexcept { return index_.load(std::memory_order_acquire) != nullptr; }
    /// Records published so far.
    std::uint32_t records() const noexcept { return records_.load(std::memory_order_acquire); }
    std::int64_t min_time_us() const noexcept { return min_time_us_.load(std::memory_order_acquire); }
    std::int64_t max_time_us() const noexcept { return max_time_us_.load(std::memory_order_acquire); }
    std::uint64_t marks() const noexcept { return marks_.load(std::memory_order_relaxed); }
    /// Bytes this segment holds in memory (buffer, pending terms or index).
    std::size_t AllocatedBytes() const noexcept;

    /// The record at byte offset `offset` (an offset from Postings or ForEach).
    std::string_view RecordAt(std::uint32_t offset) const noexcept;
    /// Offsets of the records holding `term`, ascending. Sealed segments only (else empty).
    std::span<const std::uint32_t> Postings(std::uint64_t term) const noexcept;
    /// Calls `fn(offset, record)` for every published record, newest first, until it returns
    /// false. Returns false when stopped early.
    bool ForEachNewestFirst(const std::function<bool(std::uint32_t, std::string_view)>& fn) const;

private:
    struct Index {
        std::vector<std::uint64_t> terms;     // sorted, unique
        std::vector<std::uint32_t> starts;    // terms.size() + 1 positions in postings
        std::vector<std::uint32_t> postings;  // record offsets, ascending per term
        std::vector<std::uint32_t> offsets;   // every record, ascending
        std::size_t Bytes() const noexcept;
    };
    struct PendingTerm {
        std::uint64_t term;
        std::uint32_t offset;
    };

    const std::uint64_t id_;
    const std::size_t capacity_;
    const std::unique_ptr<char[]> data_;
    std::size_t used_ = 0;                        // writer only
    std::atomic<std::size_t> published_{0};       // bytes readers may read
    std::atomic<std::uint32_t> records_{0};
    std::atomic<std::int64_t> min_time_us_{INT64_MAX};
    std::atomic<std::int64_t> max_time_us_{INT64_MIN};
    std::atomic<std::uint64_t> marks_{0};
    std::vector<PendingTerm> pending_;            // writer only; released by Seal
    std::atomic<std::size_t> pending_bytes_{0};
    std::unique_ptr<Index> index_owner_;
    std::atomic<const Index*> index_{nullptr};
};

/// What a query reads: the segments of one moment, oldest first.
using SegmentList = std::vector<std::shared_ptr<const Segment>>;

struct SegmentLogOptions {
    /// Bytes the log may hold (segments' buffers plus indexes). Must be >= 2 segments.
    std::size_t budget_bytes = 64 << 20;
    /// Capacity of each segment; a record larger than this gets a segment of its own size.
    std::size_t segment_bytes = 1 << 20;
};

struct SegmentLogStats {
    std::size_t bytes = 0;             ///< Held now.
    std::uint64_t records = 0;         ///< Held now.
    std::uint64_t appended = 0;        ///< Since start.
    std::uint64_t evicted = 0;         ///< Records evicted (budget) since start.
    std::uint64_t evicted_marks = 0;   ///< Sum of the evicted segments' marks.
    std::size_t segments = 0;
    std::int64_t oldest_time_us = 0;   ///< Smallest record time held; 0 when empty.
    std::int64_t last_eviction_us = 0; ///< Time of the newest evicted record; 0 = never.
    std::int64_t first_eviction_at_us = 0;  ///< Wall clock of the first eviction; 0 = never.
};

class SegmentLog {
public:
    explicit SegmentLog(SegmentLogOptions options);
    ~SegmentLog();
    SegmentLog(const SegmentLog&) = delete;
    SegmentLog& operator=(const SegmentLog&) = delete;

    // --- writer -------------------------------------------------------------------------
    /// Appends one record; seals and evicts as needed. Returns the segment it went into.
    Segment& Append(std::string_view record, std::int64_t time_us,
                    std::span<const std::uint64_t> terms);
    /// Seals the active segment if it holds anything (so its index serves queries).
    void SealActive();

    // --- readers ------------------------------------------------------------------------
    SegmentList Snapshot() const;
    SegmentLogStats Stats() const;
    std::size_t budget_bytes() const noexcept { return options_.budget_bytes; }

private:
    void StartSegment(std::size_t capacity);  // requires writer
    void EvictOverBudget();                   // requires writer

    const SegmentLogOptions options_;
    std::uint64_t next_id_ = 0;  // writer only
    mutable std::mutex mu_;      // guards segments_ and the stats below
    std::vector<std::shared_ptr<Segment>> segments_;  // oldest first; back() is active
    std::uint64_t appended_ = 0;
    std::uint64_t evicted_ = 0;
    std::uint64_t evicted_marks_ = 0;
    std::int64_t last_eviction_us_ = 0;
    std::int64_t first_eviction_at_us_ = 0;
};

}  // namespace tome::console::internal
