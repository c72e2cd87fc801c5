// Private: a process-wide pool of SpanData records. The batch processor's worker returns
// exported records untouched; producers reset and reuse them (strings and vectors keep their
// capacity). Every allocation and free of a record's contents therefore happens on producer
// threads, which keeps the worker from contending with them on the allocator and on
// reference counts. All functions may be called concurrently.
#pragma once

#include <memory>
#include <vector>

#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::trace::detail {

/// A cleared record, from the calling thread's cache, the shared pool, or the heap.
std::unique_ptr<SpanData> AcquireSpanData();

/// Hands records back to the shared pool (bounded; the excess is freed). Leaves `spans` empty.
void RecycleSpanData(std::vector<std::unique_ptr<SpanData>>& spans) noexcept;

}  // namespace tome::telemetry::trace::detail
