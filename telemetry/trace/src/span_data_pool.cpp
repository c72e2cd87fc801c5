#include "span_data_pool.hpp"

#include <mutex>

namespace tome::telemetry::trace::detail {
namespace {

constexpr std::size_t kMaxPooled = 8192;      // records kept in the shared pool
constexpr std::size_t kRefill = 32;           // records a thread takes per lock
constexpr std::size_t kMaxThreadCache = 128;  // never reached in steady state

struct SharedPool {
    std::mutex mu;
    std::vector<std::unique_ptr<SpanData>> items;  // guarded by mu
};

SharedPool& Pool() noexcept {
    static SharedPool* const pool = new SharedPool();  // leaked: safe for late callers at exit
    return *pool;
}

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
    d.scope.reset();
    d.resource.reset();
}

}  // namespace

std::unique_ptr<SpanData> AcquireSpanData() {
    thread_local std::vector<std::unique_ptr<SpanData>> cache;
    if (cache.empty()) {
        SharedPool& pool = Pool();
        std::lock_guard lock(pool.mu);
        const std::size_t n = std::min(kRefill, pool.items.size());
        for (std::size_t i = 0; i < n; ++i) {
            cache.push_back(std::move(pool.items.back()));
            pool.items.pop_back();
        }
    }
    if (cache.empty()) return std::make_unique<SpanData>();
    std::unique_ptr<SpanData> d = std::move(cache.back());
    cache.pop_back();
    Reset(*d);
    (void)kMaxThreadCache;
    return d;
}

void RecycleSpanData(std::vector<std::unique_ptr<SpanData>>& spans) noexcept {
    {
        SharedPool& pool = Pool();
        std::lock_guard lock(pool.mu);
        try {
            for (auto& s : spans) {
                if (!s || pool.items.size() >= kMaxPooled) break;
                pool.items.push_back(std::move(s));
            }
        } catch (...) {  // the pool could not grow: the rest is freed below
        }
    }
    spans.clear();  // frees whatever did not fit, outside the lock
}

}  // namespace tome::telemetry::trace::detail
