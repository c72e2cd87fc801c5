// RecordPool<T>: the process-wide free list behind the SDK's batch paths. A producer thread
// takes a heap record (a span's or a log record's data), fills it and queues it; the export
// worker, once the batch is sent, hands the records back untouched; producers take them again
// and overwrite them, so strings and vectors keep their capacity. Every allocation and free of
// a record's contents therefore happens on producer threads: the worker never frees what a
// producer allocated, which on glibc would make both contend on malloc's arena lock.
//
// Bounds: the shared pool keeps at most kMaxPooled records (the excess is freed by the thread
// that hands it back), each thread's cache at most kMaxThreadCache. A record comes back "as it
// was handed back": the caller resets or overwrites every field it uses.
// Thread-safety: all functions may be called concurrently.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace tome::telemetry::detail {

template <typename T>
class RecordPool {
public:
    static constexpr std::size_t kMaxPooled = 8192;      ///< Records kept in the shared pool.
    static constexpr std::size_t kRefill = 32;           ///< Records a thread takes per lock.
    static constexpr std::size_t kMaxThreadCache = 256;  ///< Records one thread's cache keeps.

    /// The pool of T records (one per record type, never destroyed: usable by late callers
    /// during static destruction).
    static RecordPool& Instance() noexcept {
        static RecordPool* const pool = new RecordPool();
        return *pool;
    }

    /// A record from the calling thread's cache, the shared pool, or the heap (new, T{}).
    /// A recycled record holds whatever it held when handed back.
    std::unique_ptr<T> Acquire() {
        std::vector<std::unique_ptr<T>>& cache = ThreadCache();
        if (cache.empty()) {
            std::lock_guard lock(mu_);
            const std::size_t n = std::min(kRefill, items_.size());
            cache.insert(cache.end(), std::make_move_iterator(items_.end() - n),
                         std::make_move_iterator(items_.end()));
            items_.resize(items_.size() - n);
        }
        if (cache.empty()) return std::make_unique<T>();
        std::unique_ptr<T> r = std::move(cache.back());
        cache.pop_back();
        return r;
    }

    /// Hands records back to the shared pool; what does not fit is freed, outside the lock.
    /// Leaves `records` empty (its capacity kept).
    void Recycle(std::vector<std::unique_ptr<T>>& records) noexcept {
        {
            std::lock_guard lock(mu_);
            try {
                for (auto& r : records) {
                    if (items_.size() >= kMaxPooled) break;
                    if (r) items_.push_back(std::move(r));
                }
            } catch (...) {  // the pool could not grow: the rest is freed below
            }
        }
        records.clear();
    }

    /// Hands one record back to the calling thread's cache (for records that never left the
    /// thread, e.g. one a full queue refused); freed when the cache is full.
    void RecycleHere(std::unique_ptr<T> record) noexcept {
        if (!record) return;
        std::vector<std::unique_ptr<T>>& cache = ThreadCache();
        if (cache.size() >= kMaxThreadCache) return;  // `record` is freed here
        try {
            cache.push_back(std::move(record));
        } catch (...) {
        }
    }

private:
    RecordPool() = default;

    static std::vector<std::unique_ptr<T>>& ThreadCache() noexcept {
        thread_local std::vector<std::unique_ptr<T>> cache;
        return cache;
    }

    std::mutex mu_;
    std::vector<std::unique_ptr<T>> items_;  // guarded by mu_
};

}  // namespace tome::telemetry::detail
