// Collection: turns every instrument's cells into a MetricsData snapshot for one reader.
#include <algorithm>

#include "provider_state.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"

namespace tome::telemetry::metrics {
namespace detail {
namespace {

bool IsObservable(InstrumentKind k) {
    return k == InstrumentKind::kObservableCounter ||
           k == InstrumentKind::kObservableUpDownCounter || k == InstrumentKind::kObservableGauge;
}

struct CollectContext {
    ReaderState& reader;
    AggregationTemporality temporality;
    std::uint64_t start_cumulative;
    std::uint64_t start_delta;
    std::uint64_t now;
    std::uint64_t epoch;
};

void CollectNumbers(const InstrumentStorage& st, const std::vector<Series*>& series,
                    const CollectContext& cx, Metric& m) {
    const InstrumentKind kind = st.descriptor().kind;
    const bool is_int = st.descriptor().value_type == ValueType::kInt;
    const bool gauge = kind == InstrumentKind::kGauge || kind == InstrumentKind::kObservableGauge;
    const bool delta = cx.temporality == AggregationTemporality::kDelta;
    for (Series* s : series) {
        const std::uint64_t version = s->version.load(std::memory_order_acquire);
        if (IsObservable(kind) && version != cx.epoch) continue;       // not observed this time
        if (kind == InstrumentKind::kGauge && version == 0) continue;  // never recorded
        NumberPoint p;
        p.is_int = is_int;
        p.as_int = s->int_value.load(std::memory_order_relaxed);
        p.as_double = s->double_value.load(std::memory_order_relaxed);
        p.time_unix_nano = cx.now;
        p.start_time_unix_nano = delta ? cx.start_delta : cx.start_cumulative;
        if (delta && !gauge) {
            auto& prev = cx.reader.previous[s];
            const std::int64_t di = p.as_int - prev.as_int;
            const double dd = p.as_double - prev.as_double;
            prev.as_int = p.as_int;
            prev.as_double = p.as_double;
            p.as_int = di;
            p.as_double = dd;
            if (!IsObservable(kind) && (is_int ? di == 0 : dd == 0)) continue;  // unchanged
        }
        if (gauge) p.start_time_unix_nano = 0;
        p.attributes = s->attributes;
        m.number_points.push_back(std::move(p));
    }
}

void CollectHistograms(const InstrumentStorage& st, const std::vector<Series*>& series,
                       const CollectContext& cx, Metric& m) {
    const bool delta = cx.temporality == AggregationTemporality::kDelta;
    const std::size_t n = st.bounds().size() + 1;
    for (Series* s : series) {
        HistogramCell& h = *s->histogram;
        HistogramPoint p;
        p.bucket_counts.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            p.bucket_counts[i] = h.counts[i].load(std::memory_order_relaxed);
        p.sum = h.sum.load(std::memory_order_relaxed);
        if (delta) {
            auto& prev = cx.reader.previous[s];
            prev.counts.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint64_t c = p.bucket_counts[i];
                p.bucket_counts[i] = c - prev.counts[i];
                prev.counts[i] = c;
            }
            const double sum = p.sum;
            p.sum = sum - prev.sum;
            prev.sum = sum;
            p.min = h.window_min.exchange(std::numeric_limits<double>::infinity());
            p.max = h.window_max.exchange(-std::numeric_limits<double>::infinity());
        } else {
            p.min = h.min.load(std::memory_order_relaxed);
            p.max = h.max.load(std::memory_order_relaxed);
        }
        for (std::uint64_t c : p.bucket_counts) p.count += c;
        if (p.count == 0) continue;
        p.has_min_max = p.min <= p.max;
        p.bounds = st.bounds();
        for (std::size_t i = 0; i < n; ++i) {
            ExemplarSlot& slot = h.exemplars[i];
            while (slot.busy.test_and_set(std::memory_order_acquire)) {
                // A writer holds it for a few stores only.
            }
            if (slot.set) {
                p.exemplars.push_back(
                    {slot.time_unix_nano, slot.value, slot.trace_id, slot.span_id});
                if (delta) slot.set = false;
            }
            slot.busy.clear(std::memory_order_release);
        }
        p.start_time_unix_nano = delta ? cx.start_delta : cx.start_cumulative;
        p.time_unix_nano = cx.now;
        p.attributes = s->attributes;
        m.histogram_points.push_back(std::move(p));
    }
}

}  // namespace

AggregationTemporality TemporalityFor(InstrumentKind kind, TemporalityPreference pref) {
    switch (kind) {
        case InstrumentKind::kGauge:
        case InstrumentKind::kObservableGauge:
            return AggregationTemporality::kUnspecified;
        case InstrumentKind::kCounter:
        case InstrumentKind::kHistogram:
            return pref == TemporalityPreference::kCumulative ? AggregationTemporality::kCumulative
                                                              : AggregationTemporality::kDelta;
        case InstrumentKind::kObservableCounter:
            return pref == TemporalityPreference::kDelta ? AggregationTemporality::kDelta
                                                         : AggregationTemporality::kCumulative;
        default:
            return AggregationTemporality::kCumulative;
    }
}

MetricsData ProviderState::Collect(ReaderState& reader, TemporalityPreference pref) noexcept {
    MetricsData data;
    data.resource = resource;
    try {
        std::lock_guard collect_lock(collect_mu);
        const std::uint64_t current_epoch = ++epoch;
        std::vector<std::shared_ptr<CallbackRegistration>> callbacks_copy;
        std::vector<ScopeEntry> scopes_copy;
        {
            std::lock_guard lock(mu);
            callbacks_copy = callbacks;
            scopes_copy = scopes;
        }
        // Callbacks run outside `mu` so they may create instruments or read the provider.
        for (const auto& reg : callbacks_copy) {
            std::lock_guard reg_lock(reg->mu);
            if (!reg->dead) reg->storage->RunCallback(reg->callback, current_epoch);
        }
        const std::uint64_t now = options.now_unix_nano();
        const CollectContext base{
            reader,
            AggregationTemporality::kCumulative,
            start_unix_nano,
            reader.last_collect_unix_nano != 0 ? reader.last_collect_unix_nano : start_unix_nano,
            now,
            current_epoch};
        for (const ScopeEntry& scope : scopes_copy) {
            ScopeMetrics sm;
            sm.scope = scope.scope;
            for (const auto& st : scope.instruments) {
                const InstrumentDescriptor& d = st->descriptor();
                Metric m;
                m.name = d.name;
                m.description = d.description;
                m.unit = d.unit;
                m.temporality = TemporalityFor(d.kind, pref);
                CollectContext cx = base;
                cx.temporality = m.temporality;
                const std::vector<Series*> series = st->SeriesInOrder();
                if (d.kind == InstrumentKind::kHistogram) {
                    m.type = MetricType::kHistogram;
                    CollectHistograms(*st, series, cx, m);
                    if (m.histogram_points.empty()) continue;
                } else {
                    const bool gauge = m.temporality == AggregationTemporality::kUnspecified;
                    m.type = gauge ? MetricType::kGauge : MetricType::kSum;
                    m.is_monotonic = d.kind == InstrumentKind::kCounter ||
                                     d.kind == InstrumentKind::kObservableCounter;
                    CollectNumbers(*st, series, cx, m);
                    if (m.number_points.empty()) continue;
                }
                sm.metrics.push_back(std::move(m));
            }
            if (!sm.metrics.empty()) data.scope_metrics.push_back(std::move(sm));
        }
        reader.last_collect_unix_nano = now;
    } catch (...) {
        // Out of memory while copying: return what was gathered.
    }
    return data;
}

}  // namespace detail

MetricReader::MetricReader(MetricReaderOptions options) : options_(options) {}
MetricReader::~MetricReader() = default;

bool MetricReader::is_attached() const noexcept {
    std::lock_guard lock(mu_);
    return provider_ != nullptr && !provider_->shut_down.load(std::memory_order_acquire);
}

MetricsData MetricReader::Collect() noexcept {
    std::lock_guard lock(mu_);
    if (provider_ == nullptr || provider_->shut_down.load(std::memory_order_acquire)) {
        MetricsData empty;
        empty.resource =
            provider_ ? provider_->resource : std::make_shared<const trace::Resource>();
        return empty;
    }
    return provider_->Collect(*state_, options_.temporality);
}

TemporalityPreference TemporalityPreferenceFromEnv(const EnvLookup& env,
                                                   std::vector<std::string>* warnings) {
    auto v = GetNonEmpty(env, "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE");
    if (!v) return TemporalityPreference::kCumulative;
    std::string s = *v;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "cumulative") return TemporalityPreference::kCumulative;
    if (s == "delta") return TemporalityPreference::kDelta;
    if (s == "lowmemory") return TemporalityPreference::kLowMemory;
    if (warnings)
        warnings->push_back("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: unknown value '" +
                            *v + "' ignored (cumulative used)");
    return TemporalityPreference::kCumulative;
}

}  // namespace tome::telemetry::metrics
