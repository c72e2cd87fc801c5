#include "postings.hpp"

#include <algorithm>

namespace tome::console::internal {

bool TermIterator::SeekAtMost(std::uint32_t x) {
    if (end_ == 0) return false;
    if (postings_[end_ - 1] <= x) return true;
    // Everything at or after the first element > x goes.
    auto it = std::upper_bound(postings_.begin(),
                               postings_.begin() + static_cast<std::ptrdiff_t>(end_ - 1), x);
    end_ = static_cast<std::size_t>(it - postings_.begin());
    return end_ > 0;
}

UnionIterator::UnionIterator(std::vector<std::unique_ptr<PostingsIterator>> parts)
    : parts_(std::move(parts)), live_(parts_.size(), true) {}

bool UnionIterator::SeekAtMost(std::uint32_t x) {
    bool any = false;
    std::uint32_t best = 0;
    for (std::size_t i = 0; i < parts_.size(); ++i) {
        if (!live_[i]) continue;
        if (!parts_[i]->SeekAtMost(x)) {
            live_[i] = false;
            continue;
        }
        if (!any || parts_[i]->current() > best) best = parts_[i]->current();
        any = true;
    }
    current_ = best;
    return any;
}

std::size_t UnionIterator::size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < parts_.size(); ++i) {
        if (live_[i]) n += parts_[i]->size();
    }
    return n;
}

}  // namespace tome::console::internal
