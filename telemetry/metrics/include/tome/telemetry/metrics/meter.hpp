// MeterProvider (owns every instrument's storage, the views, the resource and the registered
// callbacks), Meter (creates instruments for one instrumentation scope) and the process-wide
// provider accessor. All methods may be called concurrently from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tome/telemetry/api/env.hpp"
#include "tome/telemetry/metrics/instruments.hpp"
#include "tome/telemetry/trace/resource.hpp"

namespace tome::telemetry::metrics {

class MetricReader;
namespace detail {
struct ProviderState;
}

/// The spec's default explicit bucket boundaries.
inline const std::vector<double>& DefaultHistogramBoundaries() noexcept {
    static const std::vector<double> kBounds = {0,   5,   10,   25,   50,   75,   100,  250,
                                                500, 750, 1000, 2500, 5000, 7500, 10000};
    return kBounds;
}

/// Default per-instrument cardinality limit (the overflow series included).
inline constexpr std::size_t kDefaultCardinalityLimit = 2000;

/// Which measurements may become exemplars (OTEL_METRICS_EXEMPLAR_FILTER).
enum class ExemplarFilter : std::uint8_t { kTraceBased, kAlwaysOn, kAlwaysOff };

/// Per-instrument settings applied when an instrument whose name matches is created.
struct View {
    /// Instrument name to match (case-insensitive, exact).
    std::string instrument_name;
    /// Histogram bucket boundaries (strictly increasing). Empty: keep the instrument's.
    std::vector<double> histogram_boundaries;
    /// Series limit for this instrument, overflow series included. 0: the provider's default.
    std::size_t cardinality_limit = 0;
};

/// Descriptive settings of one instrument.
struct InstrumentOptions {
    std::string_view description;  ///< Default empty.
    std::string_view unit;         ///< UCUM, ASCII, at most 63 characters. Default empty.
    /// Advisory histogram boundaries (strictly increasing); a View wins. Default: the spec's.
    std::vector<double> histogram_boundaries;
};

struct MeterProviderOptions {
    /// Default: MakeResource({}, no environment) (telemetry.sdk.*, host, process, service).
    std::shared_ptr<const trace::Resource> resource;
    /// Matched by instrument name at creation. Default none.
    std::vector<View> views;
    /// Series per instrument including the overflow series. Default 2000. Each series costs
    /// about 150 bytes plus its attributes (histograms: 56 bytes more per bucket), and the
    /// lock-free lookup table takes 32 bytes per unit of limit up front. Series are kept for
    /// the provider's lifetime, also under delta temporality (so the limit counts every
    /// attribute set ever seen, not those of one collection).
    std::size_t cardinality_limit = kDefaultCardinalityLimit;
    /// Default kTraceBased (only measurements inside a sampled span).
    ExemplarFilter exemplar_filter = ExemplarFilter::kTraceBased;
    /// Wall clock in Unix nanoseconds. Default: std::chrono::system_clock.
    std::function<std::uint64_t()> now_unix_nano;
    /// Where the SDK reports its own problems (overflow started, ...); rate-limited by the
    /// callers (each message at most once per instrument). Default: one line to stderr.
    std::function<void(std::string_view)> diagnostic;
};

/// Creates instruments for one instrumentation scope. Cheap to copy.
class Meter {
  public:
    /// A no-op meter.
    Meter() noexcept = default;

    /// Synchronous instruments. T: Counter and Histogram std::uint64_t or double; UpDownCounter
    /// and Gauge std::int64_t or double. An invalid name (not
    /// `[A-Za-z][A-Za-z0-9_./-]{0,254}`), an invalid unit, or a name already used by a
    /// different kind, unit or value type yields a no-op instrument and the error. The same
    /// name, kind and type again returns an instrument sharing the first one's series.
    template <class T>
    Created<Counter<T>> CreateCounter(std::string_view name, InstrumentOptions options = {});
    template <class T>
    Created<UpDownCounter<T>> CreateUpDownCounter(std::string_view name,
                                                  InstrumentOptions options = {});
    template <class T>
    Created<Histogram<T>> CreateHistogram(std::string_view name, InstrumentOptions options = {});
    template <class T>
    Created<Gauge<T>> CreateGauge(std::string_view name, InstrumentOptions options = {});

    /// Asynchronous instruments: `callback` runs at each collection while the returned handle
    /// lives. T: std::int64_t or double.
    template <class T>
    Created<ObservableInstrument> CreateObservableCounter(std::string_view name,
                                                          ObservableCallback callback,
                                                          InstrumentOptions options = {});
    template <class T>
    Created<ObservableInstrument> CreateObservableUpDownCounter(std::string_view name,
                                                                ObservableCallback callback,
                                                                InstrumentOptions options = {});
    template <class T>
    Created<ObservableInstrument> CreateObservableGauge(std::string_view name,
                                                        ObservableCallback callback,
                                                        InstrumentOptions options = {});

    bool is_noop() const noexcept { return state_ == nullptr; }

  private:
    friend class MeterProvider;
    Meter(std::shared_ptr<detail::ProviderState> state, std::size_t scope_index) noexcept
        : state_(std::move(state)), scope_index_(scope_index) {}

    std::shared_ptr<detail::ProviderState> state_;
    std::size_t scope_index_ = 0;
};

class MeterProvider {
  public:
    explicit MeterProvider(MeterProviderOptions options);
    ~MeterProvider();
    MeterProvider(const MeterProvider&) = delete;
    MeterProvider& operator=(const MeterProvider&) = delete;

    /// A provider whose meters are all no-ops.
    static std::shared_ptr<MeterProvider> MakeNoop();

    /// The meter of scope (name, version, schema_url); equal scopes share their instruments.
    /// After Shutdown, or on a no-op provider, returns a no-op meter.
    Meter GetMeter(std::string_view name, std::string_view version = {},
                   std::string_view schema_url = {});

    /// Attaches a reader (pull). A reader belongs to one provider: returns false when it is
    /// already attached, or when this provider is a no-op or shut down.
    bool AddReader(const std::shared_ptr<MetricReader>& reader);

    /// Detaches every reader (their Collect then returns an empty snapshot) and makes later
    /// GetMeter calls return no-op meters. Idempotent. Instruments already handed out keep
    /// recording into memory nobody reads.
    void Shutdown() noexcept;

    bool is_noop() const noexcept { return state_ == nullptr; }
    /// Measurements that went to an overflow series so far (all instruments).
    std::uint64_t overflowed_measurements() const noexcept;

  private:
    MeterProvider() = default;
    std::shared_ptr<detail::ProviderState> state_;
};

/// The process-wide provider; never null (a no-op provider until SetMeterProvider).
std::shared_ptr<MeterProvider> GetMeterProvider() noexcept;
/// Installs `provider` (null restores the no-op one). The previous one is not shut down.
void SetMeterProvider(std::shared_ptr<MeterProvider> provider) noexcept;

/// Validates an instrument name (`[A-Za-z][A-Za-z0-9_./-]{0,254}`).
bool IsValidInstrumentName(std::string_view name) noexcept;
/// Validates a unit (ASCII, at most 63 characters).
bool IsValidInstrumentUnit(std::string_view unit) noexcept;

/// OTEL_METRICS_EXEMPLAR_FILTER (always_on|always_off|trace_based, case-insensitive); unset or
/// unknown (a warning is appended) gives kTraceBased.
ExemplarFilter ExemplarFilterFromEnv(const EnvLookup& env, std::vector<std::string>* warnings);

}  // namespace tome::telemetry::metrics
