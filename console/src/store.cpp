#include "store.hpp"

#include <algorithm>

namespace tome::console::internal {
namespace {

SegmentLogOptions LogOptions(double share, std::size_t max_bytes) {
    SegmentLogOptions o;
    o.budget_bytes = static_cast<std::size_t>(share * static_cast<double>(max_bytes));
    // About 32 segments per log: eviction frees ~3 % at a time, and the one segment a query
    // scans without an index stays small.
    o.segment_bytes = std::clamp<std::size_t>(o.budget_bytes / 32, 64u << 10, 4u << 20);
    o.budget_bytes = std::max(o.budget_bytes, 2 * o.segment_bytes);
    return o;
}

std::size_t Part(double share, std::size_t max_bytes, double part) {
    return static_cast<std::size_t>(share * part * static_cast<double>(max_bytes));
}

}  // namespace

Store::Store(StoreOptions options)
    : options_(options),
      strings_(Part(options.derived_share, options.max_bytes, 0.3)),
      resources_(std::clamp<std::size_t>(Part(options.derived_share, options.max_bytes, 0.1) / 2048,
                                         64, ResourceTable::kMaxEntries)),
      spans_(LogOptions(options.spans_share, options.max_bytes), strings_, resources_),
      logs_(LogOptions(options.logs_share, options.max_bytes), strings_, resources_),
      metrics_(LogOptions(options.metrics_share * 0.75, options.max_bytes), resources_,
               std::clamp<std::size_t>(Part(options.metrics_share, options.max_bytes, 0.25) / 512,
                                       64, MetricStore::kMaxSeries)),
      graph_(ServiceGraphOptions{Part(options.derived_share, options.max_bytes, 0.55),
                                 options.pairing_wait_ms, 100'000}) {}

Store::~Store() = default;

std::string_view Store::ServiceOf(std::uint32_t resource_id) const noexcept {
    const ResourceEntry* r = resources_.Get(resource_id);
    return r != nullptr ? std::string_view(r->service) : std::string_view("unknown_service");
}

void Store::AddSpan(std::string_view record, std::int64_t now_ms) {
    auto span = spans_.Append(record);
    if (!span) {
        spans_rejected_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const std::string_view service = ServiceOf(span->header.resource_id);
    graph_.Observe(*span, service, now_ms);
    if (span->header.is_root() || (span->header.flags & 0x300u) == 0x300u) {
        std::lock_guard lock(listeners_mu_);
        for (auto& [id, l] : listeners_) {
            if (l.on_root) l.on_root(*span, service);
        }
    }
}

void Store::AddLog(std::string_view record) {
    auto log = logs_.Append(record);
    if (!log) {
        logs_rejected_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::lock_guard lock(listeners_mu_);
    for (auto& [id, l] : listeners_) {
        if (l.on_log) l.on_log(*log, ServiceOf(log->header.resource_id));
    }
}

void Store::AddPoint(const MetricPoint& point) { metrics_.Append(point); }

void Store::SealAll() {
    spans_.SealActive();
    logs_.SealActive();
    metrics_.SealActive();
}

std::uint64_t Store::AddListener(LiveListener listener) {
    std::lock_guard lock(listeners_mu_);
    const std::uint64_t id = next_listener_++;
    listeners_.emplace_back(id, std::move(listener));
    return id;
}

void Store::RemoveListener(std::uint64_t id) {
    std::lock_guard lock(listeners_mu_);
    std::erase_if(listeners_, [id](const auto& p) { return p.first == id; });
}

StoreStats Store::Stats() const {
    StoreStats s;
    s.budget_bytes = options_.max_bytes;
    auto fill = [](SignalStats& out, const SegmentLogStats& in, std::size_t budget) {
        out.bytes = in.bytes;
        out.budget_bytes = budget;
        out.items = in.records;
        out.ingested = in.appended;
        out.evicted = in.evicted;
        out.oldest_us = in.oldest_time_us;
        out.last_eviction_us = in.last_eviction_us;
        out.first_eviction_at_us = in.first_eviction_at_us;
    };
    const SegmentLogStats spans = spans_.Stats();
    fill(s.spans, spans, spans_.budget_bytes());
    s.spans.rejected = spans_rejected_.load(std::memory_order_relaxed);
    s.traces_evicted = spans.evicted_marks;
    fill(s.logs, logs_.Stats(), logs_.budget_bytes());
    s.logs.rejected = logs_rejected_.load(std::memory_order_relaxed);
    fill(s.metrics, metrics_.Stats(), metrics_.budget_bytes());
    s.metrics.bytes += metrics_.SeriesBytes();
    s.metrics.budget_bytes = static_cast<std::size_t>(options_.metrics_share * static_cast<double>(options_.max_bytes));
    s.metrics.rejected = metrics_.series_overflow();
    s.graph = graph_.Stats();
    s.derived.bytes = s.graph.bytes + strings_.bytes() + resources_.bytes() + spans_.RegistryBytes();
    s.derived.budget_bytes = static_cast<std::size_t>(options_.derived_share * static_cast<double>(options_.max_bytes));
    s.derived.items = s.graph.keys;
    return s;
}

}  // namespace tome::console::internal
