#include "storage.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "tome/telemetry/trace/context.hpp"

namespace tome::telemetry::metrics::detail {
namespace {

constexpr std::string_view kOverflowKey = "otel.metric.overflow";

std::size_t TableCapacity(std::size_t limit) {
    // At most half full (probes stay short), with room for as many overflow aliases as real
    // series so overflowing attribute sets keep the lock-free path.
    return std::bit_ceil(std::max<std::size_t>(16, 4 * std::max<std::size_t>(limit, 1)));
}

void AtomicMin(std::atomic<double>& a, double v) noexcept {
    double cur = a.load(std::memory_order_relaxed);
    while (v < cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}
void AtomicMax(std::atomic<double>& a, double v) noexcept {
    double cur = a.load(std::memory_order_relaxed);
    while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}

}  // namespace

InstrumentStorage::InstrumentStorage(InstrumentDescriptor descriptor, StorageConfig config)
    : descriptor_(std::move(descriptor)),
      config_(std::move(config)),
      mask_(TableCapacity(config_.cardinality_limit) - 1),
      slots_(new std::atomic<Series*>[mask_ + 1]) {
    for (std::size_t i = 0; i <= mask_; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
}

InstrumentStorage::~InstrumentStorage() = default;

void InstrumentStorage::InitCells(Series& s) {
    if (descriptor_.kind == InstrumentKind::kHistogram)
        s.histogram = std::make_unique<HistogramCell>(config_.bounds.size() + 1);
}

Series* InstrumentStorage::OverflowSeriesLocked() {
    if (overflow_ == nullptr) {
        AttributeSet attrs;
        attrs.push_back({std::string(kOverflowKey), true});
        auto s = std::make_unique<Series>(std::move(attrs), 0);
        InitCells(*s);
        overflow_ = s.get();
        real_.push_back(overflow_);
        owned_.push_back(std::move(s));
    }
    return overflow_;
}

Series* InstrumentStorage::LookupSlow(AttributesRef attributes) noexcept {
    bool overflow_started = false;
    Series* result = nullptr;
    try {
        AttributeSet set = Normalize(attributes);
        const std::uint64_t h = HashAttributes(set);
        std::lock_guard lock(mu_);
        std::size_t i = h & mask_;
        for (;; i = (i + 1) & mask_) {
            Series* s = slots_[i].load(std::memory_order_relaxed);
            if (s == nullptr) break;
            if (s->hash == h && s->attributes == set) return Resolve(s);
        }
        const std::size_t real_count = real_.size() - (overflow_ != nullptr ? 1 : 0);
        const bool over_limit = real_count + 1 >= config_.cardinality_limit;
        if (over_limit && overflow_ == nullptr) overflow_started = true;
        if (over_limit && table_entries_ + 1 > (mask_ + 1) / 2) {
            // No room left even for an alias: this attribute set keeps taking the slow path.
            result = OverflowSeriesLocked();
            config_.overflowed->fetch_add(1, std::memory_order_relaxed);
        } else {
            auto node = std::make_unique<Series>(std::move(set), h);
            if (over_limit) {
                node->target = OverflowSeriesLocked();
                config_.overflowed->fetch_add(1, std::memory_order_relaxed);
            } else {
                InitCells(*node);
                real_.push_back(node.get());
            }
            Series* raw = node.get();
            owned_.push_back(std::move(node));
            slots_[i].store(raw, std::memory_order_release);
            ++table_entries_;
            if (attributes.empty()) empty_.store(raw, std::memory_order_release);
            result = raw->target;
        }
    } catch (...) {
        return nullptr;  // out of memory: drop the measurement
    }
    if (overflow_started && config_.diagnostic) {
        // Outside the lock: the hook is user code.
        try {
            config_.diagnostic("tome metrics: instrument '" + descriptor_.name +
                               "' reached its cardinality limit of " +
                               std::to_string(config_.cardinality_limit) +
                               " series; further attribute sets go to the "
                               "otel.metric.overflow=true series");
        } catch (...) {
        }
    }
    return result;
}

void InstrumentStorage::MaybeKeepExemplar(ExemplarSlot& slot, double v) noexcept {
    const trace::SpanContext& sc = trace::Context::Current().span_context;
    if (config_.exemplar_filter == ExemplarFilter::kTraceBased &&
        !(sc.IsValid() && sc.IsSampled())) {
        return;
    }
    if (slot.busy.test_and_set(std::memory_order_acquire)) return;  // someone else is writing
    slot.value = v;
    slot.time_unix_nano = (*config_.now)();
    slot.trace_id = sc.trace_id;
    slot.span_id = sc.span_id;
    slot.set = true;
    slot.busy.clear(std::memory_order_release);
}

void InstrumentStorage::RecordHistogram(Series* s, double v) noexcept {
    if (std::isnan(v)) return;
    HistogramCell& h = *s->histogram;
    const auto& b = config_.bounds;
    std::size_t idx = 0;
    if (b.size() <= 16) {
        while (idx < b.size() && v > b[idx]) ++idx;  // first bound >= v
    } else {
        idx = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), v) - b.begin());
    }
    h.counts[idx].fetch_add(1, std::memory_order_relaxed);
    h.sum.fetch_add(v, std::memory_order_relaxed);
    AtomicMin(h.min, v);
    AtomicMax(h.max, v);
    AtomicMin(h.window_min, v);
    AtomicMax(h.window_max, v);
    if (config_.exemplar_filter != ExemplarFilter::kAlwaysOff)
        MaybeKeepExemplar(h.exemplars[idx], v);
}

void InstrumentStorage::Observe(AttributesRef attributes, std::int64_t i, double d,
                                std::uint64_t epoch) noexcept {
    Series* s = Lookup(attributes);
    if (s == nullptr) return;
    if (s == overflow_ && s->version.load(std::memory_order_relaxed) == epoch) {
        // Several overflowing observations in one collection: sum them.
        s->int_value.fetch_add(i, std::memory_order_relaxed);
        s->double_value.fetch_add(d, std::memory_order_relaxed);
        return;
    }
    s->int_value.store(i, std::memory_order_relaxed);
    s->double_value.store(d, std::memory_order_relaxed);
    s->version.store(epoch, std::memory_order_release);
}

std::vector<Series*> InstrumentStorage::SeriesInOrder() const {
    std::lock_guard lock(mu_);
    return real_;
}

void InstrumentStorage::RunCallback(const ObservableCallback& callback,
                                    std::uint64_t epoch) noexcept {
    ObserverResult result(this, epoch);
    try {
        callback(result);
    } catch (...) {
        // A throwing callback loses its observations for this collection, nothing more.
    }
}

}  // namespace tome::telemetry::metrics::detail
