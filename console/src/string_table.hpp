// StringTable: interns the short, repeated strings of telemetry (attribute keys, span and event
// names, scope names, service names) so a stored record refers to them by a small id. Ids are
// stable for the table's life. Bounded: past kMaxEntries or its byte limit (or for strings over kMaxLength) Intern
// answers "not interned" and the caller stores the string inline.
// Thread-safety: Intern is called from one writer thread; Get may be called concurrently from
// any thread for any id that Intern returned (ids are published with release/acquire).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tome::console::internal {

class StringTable {
public:
    static constexpr std::size_t kMaxEntries = 1u << 16;
    static constexpr std::size_t kMaxLength = 256;

    /// `max_bytes`: what the table may hold; past it Intern answers "not interned".
    explicit StringTable(std::size_t max_bytes = 16 << 20);
    ~StringTable();
    StringTable(const StringTable&) = delete;
    StringTable& operator=(const StringTable&) = delete;

    /// The id of `s`, adding it when new. nullopt when `s` is too long or the table is full.
    /// Writer thread only.
    std::optional<std::uint32_t> Intern(std::string_view s);
    /// The string of an id Intern returned. Any thread.
    std::string_view Get(std::uint32_t id) const noexcept;
    std::size_t size() const noexcept { return size_.load(std::memory_order_acquire); }
    /// Bytes held (strings, chunks and the writer's lookup map), for the store's accounting.
    std::size_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }

private:
    static constexpr std::size_t kChunk = 256;
    using Chunk = std::array<std::string, kChunk>;
    std::array<std::unique_ptr<Chunk>, kMaxEntries / kChunk> chunks_;
    std::atomic<std::size_t> size_{0};
    std::atomic<std::size_t> bytes_{0};
    const std::size_t max_bytes_;
    std::unordered_map<std::string_view, std::uint32_t> ids_;  // writer thread only
};

}  // namespace tome::console::internal
