// ResourceTable: the resources (service.name and the other attributes describing a process) of
// everything stored, interned so that each stored span, log record or metric series refers to
// its resource by id. Bounded: past kMaxEntries a new resource is stored as its service name
// alone (counted in `overflow`). Thread-safety: Intern on the one writer thread; Get, service
// and ForEach from any thread (entries are published with release/acquire and never change).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace tome::console::internal {

struct ResourceEntry {
    std::string service;        ///< service.name ("unknown_service" when absent).
    std::string encoded;        ///< The attributes in the record encoding (a map value).
    nlohmann::json attributes;  ///< The same, ready for answers.
};

class ResourceTable {
public:
    static constexpr std::size_t kMaxEntries = 4096;

    /// `max_entries` (<= kMaxEntries): distinct resources kept with all their attributes.
    explicit ResourceTable(std::size_t max_entries = kMaxEntries);
    ~ResourceTable();
    ResourceTable(const ResourceTable&) = delete;
    ResourceTable& operator=(const ResourceTable&) = delete;

    /// The id of the resource with these attributes (`encoded`: its attributes as a map value,
    /// `attributes`: the same as JSON). Writer thread only.
    std::uint32_t Intern(std::string_view service, std::string encoded, nlohmann::json attributes);
    /// nullptr for an unknown id. Any thread.
    const ResourceEntry* Get(std::uint32_t id) const noexcept;
    std::size_t size() const noexcept { return size_.load(std::memory_order_acquire); }
    std::uint64_t overflow() const noexcept { return overflow_.load(std::memory_order_relaxed); }
    std::size_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }

private:
    static constexpr std::size_t kChunk = 64;
    using Chunk = std::array<ResourceEntry, kChunk>;
    std::uint32_t Add(std::string_view service, std::string encoded, nlohmann::json attributes);

    const std::size_t max_entries_;
    std::array<std::unique_ptr<Chunk>, kMaxEntries / kChunk + 1> chunks_;
    std::atomic<std::size_t> size_{0};
    std::atomic<std::uint64_t> overflow_{0};
    std::atomic<std::size_t> bytes_{0};
    std::unordered_map<std::string, std::uint32_t> by_encoding_;  // writer only
    std::unordered_map<std::string, std::uint32_t> by_service_;   // overflow entries, writer only
};

}  // namespace tome::console::internal
