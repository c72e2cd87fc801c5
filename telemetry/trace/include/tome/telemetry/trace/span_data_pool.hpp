// The process-wide pool of SpanData records (telemetry/api record_pool.hpp). The batch
// processor's worker returns exported records untouched; producers reset and reuse them
// (strings and vectors keep their capacity), so the worker never frees what a producer
// allocated. All functions may be called concurrently.
#pragma once

#include <memory>
#include <vector>

#include "tome/telemetry/trace/span_data.hpp"

namespace tome::telemetry::trace::detail {

/// A cleared record, from the calling thread's cache, the shared pool, or the heap. Its scope
/// and resource are those of its last use (null for a new one): the caller sets both.
std::unique_ptr<SpanData> AcquireSpanData();

/// Hands records back to the shared pool (bounded; the excess is freed). Leaves `spans` empty.
void RecycleSpanData(std::vector<std::unique_ptr<SpanData>>& spans) noexcept;

/// Hands one record back to the calling thread's cache (a record exported or refused on the
/// thread that ended it: the simple processor, a full queue).
void RecycleSpanDataHere(std::unique_ptr<SpanData> span) noexcept;

}  // namespace tome::telemetry::trace::detail
