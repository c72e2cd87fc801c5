// Backward iteration over sorted postings (record offsets in one sealed segment), and their
// intersection (leapfrog) and union, so that a query walks only the records that can match,
// newest first, and stops at its limit. Plain values over borrowed spans; one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tome::console::internal {

class PostingsIterator {
public:
    virtual ~PostingsIterator() = default;
    /// Moves to the largest element <= x (never forward past the current one). False when
    /// there is none (the iterator is then exhausted).
    virtual bool SeekAtMost(std::uint32_t x) = 0;
    virtual std::uint32_t current() const = 0;
    /// An upper bound of the elements left, to order iterators from most to least selective.
    virtual std::size_t size() const = 0;
};

/// One postings list.
class TermIterator final : public PostingsIterator {
public:
    explicit TermIterator(std::span<const std::uint32_t> postings) : postings_(postings), end_(postings.size()) {}
    bool SeekAtMost(std::uint32_t x) override;
    std::uint32_t current() const override { return postings_[end_ - 1]; }
    std::size_t size() const override { return end_; }

private:
    std::span<const std::uint32_t> postings_;
    std::size_t end_;  // elements [0, end_) remain; the current one is end_ - 1
};

/// Any of several lists.
class UnionIterator final : public PostingsIterator {
public:
    explicit UnionIterator(std::vector<std::unique_ptr<PostingsIterator>> parts);
    bool SeekAtMost(std::uint32_t x) override;
    std::uint32_t current() const override { return current_; }
    std::size_t size() const override;

private:
    std::vector<std::unique_ptr<PostingsIterator>> parts_;
    std::vector<bool> live_;
    std::uint32_t current_ = 0;
};

/// Calls fn(offset) for each offset present in every iterator, largest first, until fn
/// returns false. An empty `all` visits nothing.
template <class Fn>
void IntersectNewestFirst(std::vector<std::unique_ptr<PostingsIterator>>& all, Fn&& fn) {
    if (all.empty()) return;
    std::uint32_t target = UINT32_MAX;
    while (true) {
        bool agreed = false;
        while (!agreed) {
            agreed = true;
            for (auto& it : all) {
                if (!it->SeekAtMost(target)) return;
                if (it->current() < target) {
                    target = it->current();
                    agreed = false;
                }
            }
        }
        if (!fn(target)) return;
        if (target == 0) return;
        --target;
    }
}

}  // namespace tome::console::internal
