#include "latency_sketch.hpp"

#include <algorithm>
#include <cmath>

namespace tome::console::internal {
namespace {

constexpr double kGamma = (1 + LatencySketch::kRelativeAccuracy) /
                          (1 - LatencySketch::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);

}  // namespace

std::int32_t LatencySketch::IndexOf(double micros) noexcept {
    if (!(micros > 1.0)) micros = 1.0;  // also maps NaN to the first bucket
    return static_cast<std::int32_t>(std::ceil(std::log(micros) / kLogGamma));
}

double LatencySketch::ValueOf(std::int32_t index) noexcept {
    // The midpoint that keeps the relative error of every value in (g^(i-1), g^i] within alpha.
    return 2.0 * std::pow(kGamma, index) / (kGamma + 1.0);
}

void LatencySketch::Add(double micros, std::uint32_t count) {
    if (count == 0) return;
    const std::int32_t index = IndexOf(micros);
    auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                               [](const Bucket& b, std::int32_t i) { return b.index < i; });
    if (it != buckets_.end() && it->index == index) {
        it->count += count;
    } else {
        buckets_.insert(it, Bucket{index, count});
    }
    count_ += count;
}

void LatencySketch::Merge(const LatencySketch& other) {
    if (other.buckets_.empty()) return;
    if (buckets_.empty()) {
        buckets_ = other.buckets_;
        count_ = other.count_;
        return;
    }
    std::vector<Bucket> merged;
    merged.reserve(buckets_.size() + other.buckets_.size());
    auto a = buckets_.begin();
    auto b = other.buckets_.begin();
    while (a != buckets_.end() || b != other.buckets_.end()) {
        if (b == other.buckets_.end() || (a != buckets_.end() && a->index < b->index)) {
            merged.push_back(*a++);
        } else if (a == buckets_.end() || b->index < a->index) {
            merged.push_back(*b++);
        } else {
            merged.push_back(Bucket{a->index, a->count + b->count});
            ++a;
            ++b;
        }
    }
    buckets_ = std::move(merged);
    count_ += other.count_;
}

double LatencySketch::Quantile(double q) const {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    // The rank of the quantile among count_ sorted values (0-based, nearest-rank from below).
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1));
    std::uint64_t seen = 0;
    for (const Bucket& bucket : buckets_) {
        seen += bucket.count;
        if (seen > rank) return ValueOf(bucket.index);
    }
    return ValueOf(buckets_.back().index);
}

void LatencySketch::Clear() noexcept {
    buckets_.clear();
    count_ = 0;
}

}  // namespace tome::console::internal
