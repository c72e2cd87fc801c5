// LatencySketch: a mergeable distribution of durations with bounded relative error (the
// log-bucket scheme of DDSketch): every value v > 0 falls in bucket ceil(log_gamma(v)) and is
// reported as that bucket's midpoint, so any quantile is within kRelativeAccuracy (1 %) of the
// exact one. Buckets are kept sparse (sorted index/count pairs), so a sketch of a narrow latency
// band costs a few hundred bytes. Plain value type: confine to one thread or guard it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tome::console::internal {

class LatencySketch {
public:
    /// Relative error bound of every quantile (alpha of DDSketch).
    static constexpr double kRelativeAccuracy = 0.01;

    /// Adds `count` observations of `micros` (values below 1 µs count as 1 µs).
    void Add(double micros, std::uint32_t count = 1);
    /// Adds every observation of `other`.
    void Merge(const LatencySketch& other);
    /// The q-quantile (0 <= q <= 1) in microseconds; 0 when empty.
    double Quantile(double q) const;

    std::uint64_t count() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    void Clear() noexcept;
    /// Heap bytes held (for the store's byte accounting).
    std::size_t HeapBytes() const noexcept { return buckets_.capacity() * sizeof(Bucket); }

private:
    struct Bucket {
        std::int32_t index;
        std::uint32_t count;
    };
    static std::int32_t IndexOf(double micros) noexcept;
    static double ValueOf(std::int32_t index) noexcept;

    std::vector<Bucket> buckets_;  // sorted by index, counts > 0
    std::uint64_t count_ = 0;
};

}  // namespace tome::console::internal
