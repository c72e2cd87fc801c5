#include "string_table.hpp"

namespace tome::console::internal {
namespace {

// What one entry costs besides its characters: the std::string in its chunk slot, and the hash
// node of the writer's map (key view, id, next pointer, cached hash, allocator overhead).
constexpr std::size_t kEntryOverhead = sizeof(std::string) + 48;

}  // namespace

StringTable::StringTable(std::size_t max_bytes) : max_bytes_(max_bytes) {}
StringTable::~StringTable() = default;

std::optional<std::uint32_t> StringTable::Intern(std::string_view s) {
    if (auto it = ids_.find(s); it != ids_.end()) return it->second;
    const std::size_t n = size_.load(std::memory_order_relaxed);
    if (s.size() > kMaxLength || n >= kMaxEntries ||
        bytes_.load(std::memory_order_relaxed) + s.size() + kEntryOverhead > max_bytes_) {
        return std::nullopt;
    }
    auto& chunk = chunks_[n / kChunk];
    if (!chunk) {
        chunk = std::make_unique<Chunk>();
        bytes_.fetch_add(sizeof(Chunk), std::memory_order_relaxed);
    }
    std::string& slot = (*chunk)[n % kChunk];
    slot.assign(s);
    const auto id = static_cast<std::uint32_t>(n);
    ids_.emplace(std::string_view(slot), id);
    // Characters beyond the small-string buffer live on the heap.
    const std::size_t heap = slot.size() > 15 ? slot.capacity() + 1 : 0;
    bytes_.fetch_add(heap + kEntryOverhead, std::memory_order_relaxed);
    size_.store(n + 1, std::memory_order_release);
    return id;
}

std::string_view StringTable::Get(std::uint32_t id) const noexcept {
    if (id >= size_.load(std::memory_order_acquire)) return {};
    return (*chunks_[id / kChunk])[id % kChunk];
}

}  // namespace tome::console::internal
