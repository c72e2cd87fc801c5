// Private: the aggregation engine of one instrument. Series are found through a lock-free
// open-addressing table (hash -> Series*) that only ever grows up to a fixed capacity; a new
// attribute set takes the instrument mutex once. Series are never freed before the storage, so
// readers and pre-bound handles may hold raw pointers. Cells are relaxed atomics: every
// measurement is counted exactly once; a collection racing a Record may see it in the sum but
// not yet in the bucket (counts are derived from buckets, so count and buckets always agree).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "attributes_hash.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_data.hpp"

namespace tome::telemetry::metrics::detail {

enum class InstrumentKind : std::uint8_t {
    kCounter,
    kUpDownCounter,
    kHistogram,
    kGauge,
    kObservableCounter,
    kObservableUpDownCounter,
    kObservableGauge,
};
enum class ValueType : std::uint8_t { kInt, kDouble };

struct InstrumentDescriptor {
    std::string name;
    std::string description;
    std::string unit;
    InstrumentKind kind = InstrumentKind::kCounter;
    ValueType value_type = ValueType::kInt;
};

/// The latest sampled measurement of one bucket. `busy` is a try-lock: a writer that finds it
/// taken skips the exemplar rather than wait.
struct ExemplarSlot {
    std::atomic_flag busy;
    bool set = false;
    double value = 0;
    std::uint64_t time_unix_nano = 0;
    TraceId trace_id;
    SpanId span_id;
};

struct HistogramCell {
    explicit HistogramCell(std::size_t buckets)
        : counts(new std::atomic<std::uint64_t>[buckets]), exemplars(new ExemplarSlot[buckets]) {
        for (std::size_t i = 0; i < buckets; ++i) counts[i].store(0, std::memory_order_relaxed);
    }
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts;
    std::unique_ptr<ExemplarSlot[]> exemplars;
    std::atomic<double> sum{0};
    std::atomic<double> min{std::numeric_limits<double>::infinity()};
    std::atomic<double> max{-std::numeric_limits<double>::infinity()};
    // Reset by each delta collection.
    std::atomic<double> window_min{std::numeric_limits<double>::infinity()};
    std::atomic<double> window_max{-std::numeric_limits<double>::infinity()};
};

struct Series {
    Series(AttributeSet a, std::uint64_t h) : attributes(std::move(a)), hash(h), target(this) {}

    const AttributeSet attributes;
    const std::uint64_t hash;
    /// this, or the overflow series when this entry is an alias created past the limit.
    Series* target;
    std::atomic<std::int64_t> int_value{0};
    std::atomic<double> double_value{0};
    /// Gauges: bumped by every Record. Observable kinds: the epoch of the last observation.
    std::atomic<std::uint64_t> version{0};
    std::unique_ptr<HistogramCell> histogram;  ///< Histograms only (not on aliases).
};

struct StorageConfig {
    std::vector<double> bounds;  ///< Histograms only.
    std::size_t cardinality_limit = kDefaultCardinalityLimit;
    ExemplarFilter exemplar_filter = ExemplarFilter::kTraceBased;
    const std::function<std::uint64_t()>* now = nullptr;  ///< Provider's clock; outlives us.
    std::atomic<std::uint64_t>* overflowed = nullptr;     ///< Provider's counter.
    std::function<void(std::string_view)> diagnostic;
};

class InstrumentStorage {
  public:
    InstrumentStorage(InstrumentDescriptor descriptor, StorageConfig config);
    ~InstrumentStorage();
    InstrumentStorage(const InstrumentStorage&) = delete;
    InstrumentStorage& operator=(const InstrumentStorage&) = delete;

    const InstrumentDescriptor& descriptor() const noexcept { return descriptor_; }
    const std::vector<double>& bounds() const noexcept { return config_.bounds; }

    /// The series (already redirected to the overflow series past the limit) for `attributes`;
    /// nullptr only when memory ran out.
    Series* Lookup(AttributesRef attributes) noexcept {
        if (attributes.empty()) {
            if (Series* s = empty_.load(std::memory_order_acquire)) return Resolve(s);
            return LookupSlow(attributes);
        }
        const std::uint64_t h = HashAttributes(attributes);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            Series* s = slots_[i].load(std::memory_order_acquire);
            if (s == nullptr) break;
            if (s->hash == h && SameAttributes(attributes, s->attributes)) return Resolve(s);
        }
        return LookupSlow(attributes);
    }

    static void AddInt(Series* s, std::int64_t v) noexcept {
        s->int_value.fetch_add(v, std::memory_order_relaxed);
    }
    static void AddDouble(Series* s, double v) noexcept {
        s->double_value.fetch_add(v, std::memory_order_relaxed);
    }
    static void SetInt(Series* s, std::int64_t v) noexcept {
        s->int_value.store(v, std::memory_order_relaxed);
        s->version.fetch_add(1, std::memory_order_release);
    }
    static void SetDouble(Series* s, double v) noexcept {
        s->double_value.store(v, std::memory_order_relaxed);
        s->version.fetch_add(1, std::memory_order_release);
    }
    void RecordHistogram(Series* s, double v) noexcept;
    /// An asynchronous observation during the collection of `epoch`.
    void Observe(AttributesRef attributes, std::int64_t i, double d, std::uint64_t epoch) noexcept;

    /// Every real series (overflow included, aliases not) in creation order.
    std::vector<Series*> SeriesInOrder() const;
    /// Runs `callback` for this instrument (collections only).
    void RunCallback(const ObservableCallback& callback, std::uint64_t epoch) noexcept;

  private:
    Series* Resolve(Series* s) noexcept {
        if (s->target != s) config_.overflowed->fetch_add(1, std::memory_order_relaxed);
        return s->target;
    }
    Series* LookupSlow(AttributesRef attributes) noexcept;
    Series* OverflowSeriesLocked();  // requires mu_
    void InitCells(Series& s);
    void MaybeKeepExemplar(ExemplarSlot& slot, double v) noexcept;

    const InstrumentDescriptor descriptor_;
    const StorageConfig config_;
    const std::size_t mask_;
    const std::unique_ptr<std::atomic<Series*>[]> slots_;
    std::atomic<Series*> empty_{nullptr};

    mutable std::mutex mu_;                       // guards everything below
    std::vector<std::unique_ptr<Series>> owned_;  // real series and aliases
    std::vector<Series*> real_;                   // creation order
    std::size_t table_entries_ = 0;
    Series* overflow_ = nullptr;
};

}  // namespace tome::telemetry::metrics::detail
