#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "provider_state.hpp"
#include "tome/telemetry/api/ascii.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"

namespace tome::telemetry::metrics {
namespace detail {
namespace {

bool StrictlyIncreasing(const std::vector<double>& v) noexcept {
    for (std::size_t i = 1; i < v.size(); ++i)
        if (!(v[i - 1] < v[i])) return false;
    for (double d : v)
        if (std::isnan(d) || std::isinf(d)) return false;
    return true;
}

std::uint64_t SystemNow() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace

ProviderState::ProviderState(MeterProviderOptions o) : options(std::move(o)) {
    if (!options.now_unix_nano) options.now_unix_nano = SystemNow;
    if (!options.diagnostic) {
        options.diagnostic = [](std::string_view msg) {
            std::fprintf(stderr, "%.*s\n", static_cast<int>(msg.size()), msg.data());
        };
    }
    if (options.cardinality_limit == 0) options.cardinality_limit = kDefaultCardinalityLimit;
    resource = options.resource;
    if (!resource) {
        auto r = trace::MakeResource({}, [](std::string_view) { return std::nullopt; });
        resource = std::make_shared<const trace::Resource>(r.ok() ? r.value() : trace::Resource());
    }
    start_unix_nano = options.now_unix_nano();
}

std::size_t ProviderState::ScopeIndex(std::string_view name, std::string_view version,
                                      std::string_view schema_url) {
    std::lock_guard lock(mu);
    for (std::size_t i = 0; i < scopes.size(); ++i) {
        const auto& s = scopes[i].scope;
        if (s.name == name && s.version == version && s.schema_url == schema_url) return i;
    }
    scopes.push_back({{std::string(name), std::string(version), std::string(schema_url)}, {}});
    return scopes.size() - 1;
}

Result<std::shared_ptr<InstrumentStorage>> ProviderState::CreateInstrument(
    std::size_t scope_index, InstrumentDescriptor d, const InstrumentOptions& o) {
    if (!IsValidInstrumentName(d.name))
        return Error{"invalid instrument name '" + d.name +
                     "' (must match [A-Za-z][A-Za-z0-9_./-]{0,254})"};
    if (!IsValidInstrumentUnit(d.unit))
        return Error{"invalid unit '" + d.unit + "' for instrument '" + d.name +
                     "' (ASCII, at most 63 characters)"};
    StorageConfig config;
    config.cardinality_limit = options.cardinality_limit;
    config.exemplar_filter = options.exemplar_filter;
    config.now = &options.now_unix_nano;
    config.overflowed = &overflowed;
    config.diagnostic = options.diagnostic;
    if (d.kind == InstrumentKind::kHistogram) {
        config.bounds = DefaultHistogramBoundaries();
        if (!o.histogram_boundaries.empty()) {
            if (!StrictlyIncreasing(o.histogram_boundaries))
                return Error{"histogram boundaries of '" + d.name +
                             "' must be finite and strictly increasing"};
            config.bounds = o.histogram_boundaries;
        }
    }
    for (const View& v : options.views) {
        if (!EqualsIgnoreAsciiCase(v.instrument_name, d.name)) continue;
        if (v.cardinality_limit != 0) config.cardinality_limit = v.cardinality_limit;
        if (d.kind == InstrumentKind::kHistogram && !v.histogram_boundaries.empty() &&
            StrictlyIncreasing(v.histogram_boundaries)) {
            config.bounds = v.histogram_boundaries;
        }
    }
    std::lock_guard lock(mu);
    auto& instruments = scopes.at(scope_index).instruments;
    for (const auto& existing : instruments) {
        const auto& e = existing->descriptor();
        if (!EqualsIgnoreAsciiCase(e.name, d.name)) continue;
        if (e.kind == d.kind && e.value_type == d.value_type && e.unit == d.unit) return existing;
        return Error{"instrument '" + d.name +
                     "' already exists in this meter with a different kind, type or unit"};
    }
    auto storage = std::make_shared<InstrumentStorage>(std::move(d), std::move(config));
    instruments.push_back(storage);
    return storage;
}

void ProviderState::Unregister(const CallbackRegistration* registration) noexcept {
    std::lock_guard lock(mu);
    std::erase_if(callbacks, [&](const auto& c) { return c.get() == registration; });
}

}  // namespace detail

using detail::InstrumentDescriptor;
using detail::InstrumentKind;
using detail::ValueType;

bool IsValidInstrumentName(std::string_view name) noexcept {
    if (name.empty() || name.size() > 255) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(name[0])) return false;
    for (char c : name) {
        if (!(alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' || c == '/'))
            return false;
    }
    return true;
}

bool IsValidInstrumentUnit(std::string_view unit) noexcept {
    if (unit.size() > 63) return false;
    for (char c : unit)
        if (static_cast<unsigned char>(c) > 0x7F) return false;
    return true;
}

namespace {

template <class T>
constexpr ValueType TypeOf() {
    return std::is_floating_point_v<T> ? ValueType::kDouble : ValueType::kInt;
}

template <class Instrument, class T>
Created<Instrument> MakeSync(const std::shared_ptr<detail::ProviderState>& state, std::size_t scope,
                             std::string_view name, InstrumentKind kind,
                             const InstrumentOptions& o) {
    if (!state) return {Instrument(), std::nullopt};
    InstrumentDescriptor d{std::string(name), std::string(o.description), std::string(o.unit), kind,
                           TypeOf<T>()};
    auto r = state->CreateInstrument(scope, std::move(d), o);
    if (!r.ok()) return {Instrument(), r.error()};
    return {Instrument(std::move(r).value()), std::nullopt};
}

}  // namespace

// Meter is a friend of the instruments; these helpers reach their private constructors.
template <class T>
Created<Counter<T>> Meter::CreateCounter(std::string_view name, InstrumentOptions o) {
    static_assert(std::is_same_v<T, std::uint64_t> || std::is_same_v<T, double>);
    auto c = MakeSync<std::shared_ptr<detail::InstrumentStorage>, T>(state_, scope_index_, name,
                                                                     InstrumentKind::kCounter, o);
    return {Counter<T>(std::move(c.instrument)), std::move(c.error)};
}
template <class T>
Created<UpDownCounter<T>> Meter::CreateUpDownCounter(std::string_view name, InstrumentOptions o) {
    static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>);
    auto c = MakeSync<std::shared_ptr<detail::InstrumentStorage>, T>(
        state_, scope_index_, name, InstrumentKind::kUpDownCounter, o);
    return {UpDownCounter<T>(std::move(c.instrument)), std::move(c.error)};
}
template <class T>
Created<Histogram<T>> Meter::CreateHistogram(std::string_view name, InstrumentOptions o) {
    static_assert(std::is_same_v<T, std::uint64_t> || std::is_same_v<T, double>);
    auto c = MakeSync<std::shared_ptr<detail::InstrumentStorage>, T>(state_, scope_index_, name,
                                                                     InstrumentKind::kHistogram, o);
    return {Histogram<T>(std::move(c.instrument)), std::move(c.error)};
}
template <class T>
Created<Gauge<T>> Meter::CreateGauge(std::string_view name, InstrumentOptions o) {
    static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>);
    auto c = MakeSync<std::shared_ptr<detail::InstrumentStorage>, T>(state_, scope_index_, name,
                                                                     InstrumentKind::kGauge, o);
    return {Gauge<T>(std::move(c.instrument)), std::move(c.error)};
}

namespace {

template <class T>
Created<std::shared_ptr<detail::CallbackRegistration>> MakeObservable(
    const std::shared_ptr<detail::ProviderState>& state, std::size_t scope, std::string_view name,
    InstrumentKind kind, ObservableCallback callback, const InstrumentOptions& o) {
    static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>);
    if (!state) return {nullptr, std::nullopt};
    auto c = MakeSync<std::shared_ptr<detail::InstrumentStorage>, T>(state, scope, name, kind, o);
    if (!c.ok()) return {nullptr, std::move(c.error)};
    if (!callback)
        return {nullptr,
                Error{"observable instrument '" + std::string(name) + "' needs a callback"}};
    auto reg = std::make_shared<detail::CallbackRegistration>();
    reg->callback = std::move(callback);
    reg->storage = std::move(c.instrument);
    reg->provider = state;
    std::lock_guard lock(state->mu);
    state->callbacks.push_back(reg);
    return {std::move(reg), std::nullopt};
}

}  // namespace

template <class T>
Created<ObservableInstrument> Meter::CreateObservableCounter(std::string_view name,
                                                             ObservableCallback cb,
                                                             InstrumentOptions o) {
    auto r = MakeObservable<T>(state_, scope_index_, name, InstrumentKind::kObservableCounter,
                               std::move(cb), o);
    return {ObservableInstrument(std::move(r.instrument)), std::move(r.error)};
}
template <class T>
Created<ObservableInstrument> Meter::CreateObservableUpDownCounter(std::string_view name,
                                                                   ObservableCallback cb,
                                                                   InstrumentOptions o) {
    auto r = MakeObservable<T>(state_, scope_index_, name, InstrumentKind::kObservableUpDownCounter,
                               std::move(cb), o);
    return {ObservableInstrument(std::move(r.instrument)), std::move(r.error)};
}
template <class T>
Created<ObservableInstrument> Meter::CreateObservableGauge(std::string_view name,
                                                           ObservableCallback cb,
                                                           InstrumentOptions o) {
    auto r = MakeObservable<T>(state_, scope_index_, name, InstrumentKind::kObservableGauge,
                               std::move(cb), o);
    return {ObservableInstrument(std::move(r.instrument)), std::move(r.error)};
}

template Created<Counter<std::uint64_t>> Meter::CreateCounter(std::string_view, InstrumentOptions);
template Created<Counter<double>> Meter::CreateCounter(std::string_view, InstrumentOptions);
template Created<UpDownCounter<std::int64_t>> Meter::CreateUpDownCounter(std::string_view,
                                                                         InstrumentOptions);
template Created<UpDownCounter<double>> Meter::CreateUpDownCounter(std::string_view,
                                                                   InstrumentOptions);
template Created<Histogram<std::uint64_t>> Meter::CreateHistogram(std::string_view,
                                                                  InstrumentOptions);
template Created<Histogram<double>> Meter::CreateHistogram(std::string_view, InstrumentOptions);
template Created<Gauge<std::int64_t>> Meter::CreateGauge(std::string_view, InstrumentOptions);
template Created<Gauge<double>> Meter::CreateGauge(std::string_view, InstrumentOptions);
#define TOME_METRICS_OBSERVABLE(KIND)                                 \
    template Created<ObservableInstrument> Meter::KIND<std::int64_t>( \
        std::string_view, ObservableCallback, InstrumentOptions);     \
    template Created<ObservableInstrument> Meter::KIND<double>(       \
        std::string_view, ObservableCallback, InstrumentOptions);
TOME_METRICS_OBSERVABLE(CreateObservableCounter)
TOME_METRICS_OBSERVABLE(CreateObservableUpDownCounter)
TOME_METRICS_OBSERVABLE(CreateObservableGauge)
#undef TOME_METRICS_OBSERVABLE

void ObservableInstrument::Reset() noexcept {
    if (!registration_) return;
    {
        std::lock_guard lock(registration_->mu);  // waits for a running invocation
        registration_->dead = true;
    }
    if (auto provider = registration_->provider.lock()) provider->Unregister(registration_.get());
    registration_.reset();
}

MeterProvider::MeterProvider(MeterProviderOptions options)
    : state_(std::make_shared<detail::ProviderState>(std::move(options))) {}

MeterProvider::~MeterProvider() { Shutdown(); }

std::shared_ptr<MeterProvider> MeterProvider::MakeNoop() {
    return std::shared_ptr<MeterProvider>(new MeterProvider());
}

Meter MeterProvider::GetMeter(std::string_view name, std::string_view version,
                              std::string_view schema_url) {
    if (!state_ || state_->shut_down.load(std::memory_order_acquire)) return Meter();
    return Meter(state_, state_->ScopeIndex(name, version, schema_url));
}

bool MeterProvider::AddReader(const std::shared_ptr<MetricReader>& reader) {
    if (!state_ || !reader || state_->shut_down.load(std::memory_order_acquire)) return false;
    std::lock_guard lock(reader->mu_);
    if (reader->provider_) return false;
    reader->provider_ = state_;
    reader->state_ = std::make_unique<detail::ReaderState>();
    return true;
}

void MeterProvider::Shutdown() noexcept {
    if (state_) state_->shut_down.store(true, std::memory_order_release);
}

std::uint64_t MeterProvider::overflowed_measurements() const noexcept {
    return state_ ? state_->overflowed.load(std::memory_order_relaxed) : 0;
}

namespace {

struct GlobalSlot {
    std::mutex mu;
    std::shared_ptr<MeterProvider> provider = MeterProvider::MakeNoop();
};

GlobalSlot& Global() noexcept {
    static GlobalSlot* const slot = new GlobalSlot();  // leaked: survives static destruction
    return *slot;
}

}  // namespace

std::shared_ptr<MeterProvider> GetMeterProvider() noexcept {
    auto& g = Global();
    std::lock_guard lock(g.mu);
    return g.provider;
}

void SetMeterProvider(std::shared_ptr<MeterProvider> provider) noexcept {
    auto& g = Global();
    if (!provider) provider = MeterProvider::MakeNoop();
    std::shared_ptr<MeterProvider> old;
    {
        std::lock_guard lock(g.mu);
        old = std::exchange(g.provider, std::move(provider));
    }
}  // `old` is released outside the lock

ExemplarFilter ExemplarFilterFromEnv(const EnvLookup& env, std::vector<std::string>* warnings) {
    auto v = GetNonEmpty(env, "OTEL_METRICS_EXEMPLAR_FILTER");
    if (!v) return ExemplarFilter::kTraceBased;
    std::string s = *v;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "trace_based") return ExemplarFilter::kTraceBased;
    if (s == "always_on") return ExemplarFilter::kAlwaysOn;
    if (s == "always_off") return ExemplarFilter::kAlwaysOff;
    if (warnings)
        warnings->push_back("OTEL_METRICS_EXEMPLAR_FILTER: unknown value '" + *v +
                            "' ignored (trace_based used)");
    return ExemplarFilter::kTraceBased;
}

}  // namespace tome::telemetry::metrics
