// RunningSpans: the spans of this process that have started and not yet ended (zPages' "running"
// view), recorded by the span tee at start and dropped at end. Only what is fixed at start is
// copied (ids, name, kind, start time, resource), so the live span is never read from another
// thread. Sharded by span id; bounded (kMaxPerShard per shard, the excess is not shown and
// counted). All methods may be called concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "span_record.hpp"
#include "tome/telemetry/trace/resource.hpp"
#include "tome/telemetry/trace/span_data.hpp"

namespace tome::console::internal {

struct RunningSpan {
    TraceIdBytes trace_id{};
    SpanIdBytes span_id{};
    SpanIdBytes parent_span_id{};
    std::string name;
    std::uint8_t kind = 0;
    std::uint64_t start_ns = 0;
    const telemetry::trace::Resource* resource = nullptr;  ///< Owned by the provider.
};

class RunningSpans {
public:
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kMaxPerShard = 4096;

    void Add(const telemetry::trace::SpanData& span) noexcept;
    void Remove(const telemetry::trace::SpanData& span) noexcept;
    /// Up to `limit` running spans, longest running first.
    std::vector<RunningSpan> List(std::size_t limit) const;
    std::uint64_t not_tracked() const noexcept;

private:
    struct Shard {
        mutable std::mutex mu;
        std::unordered_map<std::uint64_t, RunningSpan> spans;  // by span id
        std::uint64_t not_tracked = 0;
    };
    static std::uint64_t Key(const telemetry::SpanId& id) noexcept;
    std::array<Shard, kShards> shards_;
};

}  // namespace tome::console::internal
