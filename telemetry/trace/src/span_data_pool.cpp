#include "tome/telemetry/trace/span_data_pool.hpp"

#include "tome/telemetry/api/record_pool.hpp"

namespace tome::telemetry::trace::detail {
namespace {

using Pool = telemetry::detail::RecordPool<SpanData>;

void Reset(SpanData& d) noexcept {
    d.context = SpanContext{};
    d.parent_span_id = SpanId{};
    d.parent_is_remote = false;
    d.name.clear();
    d.kind = SpanKind::kInternal;
    d.start_unix_nano = 0;
    d.end_unix_nano = 0;
    d.attributes.clear();
    d.dropped_attributes_count = 0;
    d.events.clear();
    d.dropped_events_count = 0;
    d.links.clear();
    d.dropped_links_count = 0;
    d.status.code = StatusCode::kUnset;
    d.status.description.clear();
    // scope and resource are left for the caller to set: they are usually the same pointers
    // again, and comparing them saves two reference-count round trips per span.
}

}  // namespace

std::unique_ptr<SpanData> AcquireSpanData() {
    std::unique_ptr<SpanData> d = Pool::Instance().Acquire();
    Reset(*d);
    return d;
}

void RecycleSpanData(std::vector<std::unique_ptr<SpanData>>& spans) noexcept {
    Pool::Instance().Recycle(spans);
}

void RecycleSpanDataHere(std::unique_ptr<SpanData> span) noexcept {
    Pool::Instance().RecycleHere(std::move(span));
}

}  // namespace tome::telemetry::trace::detail
