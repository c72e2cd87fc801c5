// Instrument handles: Counter, UpDownCounter, Histogram and Gauge (synchronous), their pre-bound
// forms, and the ObservableInstrument registration of an asynchronous callback. A handle is a
// cheap shared reference to its provider's storage; a default-constructed handle is a no-op.
// All recording methods are noexcept and may be called concurrently from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "tome/telemetry/api/result.hpp"
#include "tome/telemetry/trace/attribute.hpp"

namespace tome::telemetry::metrics {

namespace detail {
class InstrumentStorage;
struct Series;
struct CallbackRegistration;
}  // namespace detail

/// The borrowed attributes of one measurement: a braced list, a span or a vector of
/// trace::AttributeKV. Nothing is copied unless the measurement starts a new series. Only use
/// it as a parameter: it must not outlive the call.
class AttributesRef {
  public:
    AttributesRef() noexcept = default;
    // The list's array lives until the end of the full expression that calls Add/Record,
    // which is as long as an AttributesRef parameter is used; so the warning does not apply.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
    AttributesRef(std::initializer_list<trace::AttributeKV> list) noexcept  // NOLINT
        : data_(list.begin()), size_(list.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    AttributesRef(std::span<const trace::AttributeKV> s) noexcept  // NOLINT
        : data_(s.data()), size_(s.size()) {}
    AttributesRef(const std::vector<trace::AttributeKV>& v) noexcept  // NOLINT
        : data_(v.data()), size_(v.size()) {}

    const trace::AttributeKV* begin() const noexcept { return data_; }
    const trace::AttributeKV* end() const noexcept { return data_ + size_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

  private:
    const trace::AttributeKV* data_ = nullptr;
    std::size_t size_ = 0;
};

/// A counter or up-down counter pre-bound to one attribute set: the fastest way to record
/// (one atomic add). Keeps its instrument's storage alive.
template <class T>
class BoundCounter {
  public:
    BoundCounter() noexcept = default;
    /// Counter: negative and NaN values are ignored. UpDownCounter: any finite value.
    void Add(T value) const noexcept;

  private:
    template <class>
    friend class Counter;
    template <class>
    friend class UpDownCounter;
    std::shared_ptr<detail::InstrumentStorage> storage_;
    detail::Series* series_ = nullptr;
};

/// A histogram pre-bound to one attribute set.
template <class T>
class BoundHistogram {
  public:
    BoundHistogram() noexcept = default;
    void Record(T value) const noexcept;

  private:
    template <class>
    friend class Histogram;
    std::shared_ptr<detail::InstrumentStorage> storage_;
    detail::Series* series_ = nullptr;
};

/// Monotonic sum. T is std::uint64_t or double. Integer sums live in a signed 64-bit cell
/// (OTLP's as_int is sfixed64), so a total past 2^63 - 1 wraps.
template <class T>
class Counter {
  public:
    Counter() noexcept = default;
    /// Adds `value` to the series of `attributes`. Negative and NaN values are ignored.
    void Add(T value, AttributesRef attributes = {}) const noexcept;
    /// A handle for one attribute set (the overflow series when the limit is reached).
    BoundCounter<T> Bind(AttributesRef attributes) const noexcept;
    bool is_noop() const noexcept { return storage_ == nullptr; }

  private:
    friend class Meter;
    explicit Counter(std::shared_ptr<detail::InstrumentStorage> s) noexcept
        : storage_(std::move(s)) {}
    std::shared_ptr<detail::InstrumentStorage> storage_;
};

/// Non-monotonic sum. T is std::int64_t or double.
template <class T>
class UpDownCounter {
  public:
    UpDownCounter() noexcept = default;
    void Add(T value, AttributesRef attributes = {}) const noexcept;
    BoundCounter<T> Bind(AttributesRef attributes) const noexcept;
    bool is_noop() const noexcept { return storage_ == nullptr; }

  private:
    friend class Meter;
    explicit UpDownCounter(std::shared_ptr<detail::InstrumentStorage> s) noexcept
        : storage_(std::move(s)) {}
    std::shared_ptr<detail::InstrumentStorage> storage_;
};

/// Explicit-bucket histogram with min, max, sum, count and exemplars. T is std::uint64_t or
/// double. NaN values are ignored.
template <class T>
class Histogram {
  public:
    Histogram() noexcept = default;
    void Record(T value, AttributesRef attributes = {}) const noexcept;
    BoundHistogram<T> Bind(AttributesRef attributes) const noexcept;
    bool is_noop() const noexcept { return storage_ == nullptr; }

  private:
    friend class Meter;
    explicit Histogram(std::shared_ptr<detail::InstrumentStorage> s) noexcept
        : storage_(std::move(s)) {}
    std::shared_ptr<detail::InstrumentStorage> storage_;
};

/// Synchronous last-value gauge. T is std::int64_t or double.
template <class T>
class Gauge {
  public:
    Gauge() noexcept = default;
    void Record(T value, AttributesRef attributes = {}) const noexcept;
    bool is_noop() const noexcept { return storage_ == nullptr; }

  private:
    friend class Meter;
    explicit Gauge(std::shared_ptr<detail::InstrumentStorage> s) noexcept
        : storage_(std::move(s)) {}
    std::shared_ptr<detail::InstrumentStorage> storage_;
};

/// What an asynchronous callback reports into. Valid only during the callback.
class ObserverResult {
  public:
    /// Reports the current value of one series (a cumulative total for observable counters).
    /// Values of the other numeric type are converted to the instrument's type.
    void Observe(std::int64_t value, AttributesRef attributes = {}) noexcept;
    void Observe(double value, AttributesRef attributes = {}) noexcept;

  private:
    friend class detail::InstrumentStorage;
    ObserverResult(detail::InstrumentStorage* storage, std::uint64_t epoch) noexcept
        : storage_(storage), epoch_(epoch) {}
    detail::InstrumentStorage* storage_;
    std::uint64_t epoch_;
};

/// Runs at every collection, on the collecting thread, never concurrently with itself. It must
/// not call MetricReader::Collect and must not throw (an exception is caught and dropped).
using ObservableCallback = std::function<void(ObserverResult&)>;

/// Keeps an asynchronous instrument's callback registered; destroying (or Reset) unregisters
/// it, waiting for a running invocation to finish (so never destroy it from its own callback).
class ObservableInstrument {
  public:
    ObservableInstrument() noexcept = default;
    ~ObservableInstrument() { Reset(); }
    ObservableInstrument(ObservableInstrument&&) noexcept = default;
    ObservableInstrument& operator=(ObservableInstrument&& other) noexcept {
        if (this != &other) {
            Reset();
            registration_ = std::move(other.registration_);
        }
        return *this;
    }
    void Reset() noexcept;
    bool is_noop() const noexcept { return registration_ == nullptr; }

  private:
    friend class Meter;
    explicit ObservableInstrument(std::shared_ptr<detail::CallbackRegistration> r) noexcept
        : registration_(std::move(r)) {}
    std::shared_ptr<detail::CallbackRegistration> registration_;
};

/// What Meter::Create* returns: the instrument, and the error when it is a no-op because the
/// name, unit or kind was rejected.
template <class Instrument>
struct [[nodiscard]] Created {
    Instrument instrument;
    std::optional<Error> error;

    bool ok() const noexcept { return !error.has_value(); }
};

}  // namespace tome::telemetry::metrics
