#include "running_spans.hpp"

#include <algorithm>
#include <cstring>

namespace tome::console::internal {

std::uint64_t RunningSpans::Key(const telemetry::SpanId& id) noexcept {
    std::uint64_t k;
    std::memcpy(&k, id.bytes.data(), sizeof k);
    return k;
}

void RunningSpans::Add(const telemetry::trace::SpanData& span) noexcept {
    const std::uint64_t key = Key(span.context.span_id);
    Shard& shard = shards_[key % kShards];
    try {
        RunningSpan r;
        r.trace_id = span.context.trace_id.bytes;
        r.span_id = span.context.span_id.bytes;
        r.parent_span_id = span.parent_span_id.bytes;
        r.name = span.name;
        r.kind = static_cast<std::uint8_t>(span.kind);
        r.start_ns = span.start_unix_nano;
        r.resource = span.resource.get();
        std::lock_guard lock(shard.mu);
        if (shard.spans.size() >= kMaxPerShard) {
            ++shard.not_tracked;
            return;
        }
        shard.spans.emplace(key, std::move(r));
    } catch (...) {
        // Out of memory: the span is simply not shown as running.
    }
}

void RunningSpans::Remove(const telemetry::trace::SpanData& span) noexcept {
    const std::uint64_t key = Key(span.context.span_id);
    Shard& shard = shards_[key % kShards];
    std::lock_guard lock(shard.mu);
    shard.spans.erase(key);
}

std::vector<RunningSpan> RunningSpans::List(std::size_t limit) const {
    std::vector<RunningSpan> out;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mu);
        for (const auto& [key, span] : shard.spans) out.push_back(span);
    }
    std::sort(out.begin(), out.end(), [](const RunningSpan& a, const RunningSpan& b) { return a.start_ns < b.start_ns; });
    if (out.size() > limit) out.resize(limit);
    return out;
}

std::uint64_t RunningSpans::not_tracked() const noexcept {
    std::uint64_t n = 0;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mu);
        n += shard.not_tracked;
    }
    return n;
}

}  // namespace tome::console::internal
