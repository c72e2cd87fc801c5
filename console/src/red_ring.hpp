// RedRing: rate, errors and duration (RED) of one thing (a service, an operation, an edge) in
// fixed time buckets over a trailing horizon: kBuckets buckets of kBucketMs each (10 s over the
// last hour). Observations older than the horizon are refused; a bucket is reused (cleared) when
// time wraps round to it. Any window inside the horizon can be summed. Plain value type: the
// owner (ServiceGraph) guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "latency_sketch.hpp"

namespace tome::console::internal {

/// Totals over a window.
struct RedTotals {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    LatencySketch latency;  ///< Microseconds.

    void Merge(const RedTotals& other) {
        requests += other.requests;
        errors += other.errors;
        latency.Merge(other.latency);
    }
};

class RedRing {
public:
    static constexpr std::int64_t kBucketMs = 10'000;
    static constexpr std::size_t kBuckets = 360;  // one hour
    static constexpr std::int64_t kHorizonMs = kBucketMs * static_cast<std::int64_t>(kBuckets);

    /// Records one request ending at `time_ms` (unix ms). False (nothing recorded) when it is
    /// older than the horizon measured from `now_ms`, or later than `now_ms` + one bucket.
    bool Record(std::int64_t time_ms, std::int64_t now_ms, double duration_us, bool error);

    /// Sums the buckets whose start lies in [from_ms, to_ms).
    RedTotals Sum(std::int64_t from_ms, std::int64_t to_ms) const;
    /// One RedTotals per `step_ms` step (a multiple of kBucketMs) from `from_ms` to `to_ms`.
    std::vector<RedTotals> Series(std::int64_t from_ms, std::int64_t to_ms,
                                  std::int64_t step_ms) const;

    /// Time of the last recorded request (unix ms); 0 when none.
    std::int64_t last_ms() const noexcept { return last_ms_; }
    /// Heap bytes held, for the store's accounting.
    std::size_t HeapBytes() const noexcept;

private:
    struct Cell {
        std::int64_t bucket = -1;  // time_ms / kBucketMs of what the cell holds; -1 = empty
        RedTotals totals;
    };
    std::vector<Cell> cells_;  // kBuckets once the first request arrives
    std::int64_t last_ms_ = 0;
};

}  // namespace tome::console::internal
