#include "resource_table.hpp"

#include <algorithm>

namespace tome::console::internal {

ResourceTable::ResourceTable(std::size_t max_entries)
    : max_entries_(std::min(max_entries, kMaxEntries)) {}
ResourceTable::~ResourceTable() = default;

std::uint32_t ResourceTable::Add(std::string_view service, std::string encoded,
                                 nlohmann::json attributes) {
    const std::size_t n = size_.load(std::memory_order_relaxed);
    auto& chunk = chunks_[n / kChunk];
    if (!chunk) {
        chunk = std::make_unique<Chunk>();
        bytes_.fetch_add(sizeof(Chunk), std::memory_order_relaxed);
    }
    ResourceEntry& entry = (*chunk)[n % kChunk];
    entry.service.assign(service.empty() ? std::string_view("unknown_service") : service);
    // What the entry holds besides its slot: the encoding twice (slot and map key) and the
    // JSON tree (about four times the encoded size in nlohmann's nodes).
    bytes_.fetch_add(entry.service.capacity() + encoded.size() * 6 + 64, std::memory_order_relaxed);
    entry.encoded = std::move(encoded);
    entry.attributes = std::move(attributes);
    size_.store(n + 1, std::memory_order_release);
    return static_cast<std::uint32_t>(n);
}

std::uint32_t ResourceTable::Intern(std::string_view service, std::string encoded,
                                    nlohmann::json attributes) {
    if (auto it = by_encoding_.find(encoded); it != by_encoding_.end()) return it->second;
    if (size_.load(std::memory_order_relaxed) >= max_entries_) {
        overflow_.fetch_add(1, std::memory_order_relaxed);
        const std::string key(service);
        if (auto it = by_service_.find(key); it != by_service_.end()) return it->second;
        // One slot is kept free for each overflowing service name's first sighting... but
        // never past the fixed array: beyond it, everything shares the last entry.
        if (size_.load(std::memory_order_relaxed) >= max_entries_ + kChunk - 1) {
            return static_cast<std::uint32_t>(size_.load(std::memory_order_relaxed) - 1);
        }
        const std::uint32_t id = Add(service, std::string(), nlohmann::json::object(
                                                                 {{"service.name", key}}));
        by_service_.emplace(key, id);
        return id;
    }
    std::string key = encoded;
    const std::uint32_t id = Add(service, std::move(encoded), std::move(attributes));
    by_encoding_.emplace(std::move(key), id);
    return id;
}

const ResourceEntry* ResourceTable::Get(std::uint32_t id) const noexcept {
    if (id >= size_.load(std::memory_order_acquire)) return nullptr;
    return &(*chunks_[id / kChunk])[id % kChunk];
}

}  // namespace tome::console::internal
