#include "red_ring.hpp"

#include <algorithm>

namespace tome::console::internal {
namespace {

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }

}  // namespace

bool RedRing::Record(std::int64_t time_ms, std::int64_t now_ms, double duration_us, bool error) {
    if (time_ms < now_ms - kHorizonMs + kBucketMs || time_ms > now_ms + kBucketMs) return false;
    if (cells_.empty()) cells_.resize(kBuckets);
    const std::int64_t bucket = FloorDiv(time_ms, kBucketMs);
    Cell& cell = cells_[static_cast<std::size_t>(bucket % static_cast<std::int64_t>(kBuckets))];
    if (cell.bucket != bucket) {
        if (cell.bucket > bucket) return false;  // the slot already holds newer data
        cell.bucket = bucket;
        cell.totals.requests = 0;
        cell.totals.errors = 0;
        cell.totals.latency.Clear();
    }
    ++cell.totals.requests;
    if (error) ++cell.totals.errors;
    cell.totals.latency.Add(duration_us);
    last_ms_ = std::max(last_ms_, time_ms);
    return true;
}

RedTotals RedRing::Sum(std::int64_t from_ms, std::int64_t to_ms) const {
    RedTotals out;
    const std::int64_t first = FloorDiv(from_ms + kBucketMs - 1, kBucketMs);
    const std::int64_t last = FloorDiv(to_ms - 1, kBucketMs);
    for (const Cell& cell : cells_) {
        if (cell.bucket >= first && cell.bucket <= last) out.Merge(cell.totals);
    }
    return out;
}

std::vector<RedTotals> RedRing::Series(std::int64_t from_ms, std::int64_t to_ms,
                                       std::int64_t step_ms) const {
    step_ms = std::max<std::int64_t>(kBucketMs, step_ms - step_ms % kBucketMs);
    from_ms = FloorDiv(from_ms, kBucketMs) * kBucketMs;
    const std::int64_t steps = std::max<std::int64_t>(0, (to_ms - from_ms + step_ms - 1) / step_ms);
    std::vector<RedTotals> out(static_cast<std::size_t>(steps));
    for (const Cell& cell : cells_) {
        if (cell.bucket < 0) continue;
        const std::int64_t start = cell.bucket * kBucketMs;
        if (start < from_ms || start >= to_ms) continue;
        out[static_cast<std::size_t>((start - from_ms) / step_ms)].Merge(cell.totals);
    }
    return out;
}

std::size_t RedRing::HeapBytes() const noexcept {
    std::size_t bytes = cells_.capacity() * sizeof(Cell);
    for (const Cell& cell : cells_) bytes += cell.totals.latency.HeapBytes();
    return bytes;
}

}  // namespace tome::console::internal
