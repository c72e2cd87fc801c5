// The instruments tome::Telemetry hands out: the metrics SDK's Counter, Histogram and Gauge,
// each with a relaxed count of the measurements it recorded (for Telemetry::Stats). Cheap to
// copy; all methods are noexcept and may be called concurrently from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "tome/telemetry/metrics/instruments.hpp"

namespace tome::facade {

namespace detail {
/// Measurements of one instrument. Own cache line: instruments recorded from different
/// threads do not contend on each other's count.
struct alignas(64) MeasurementCount {
    std::atomic<std::uint64_t> value{0};
    void Bump() noexcept { value.fetch_add(1, std::memory_order_relaxed); }
};
}  // namespace detail

/// Monotonic sum (T: std::uint64_t or double). Negative and NaN values are ignored by the SDK
/// but still counted as measurements made.
template <class T>
class Counter {
public:
    Counter() = default;
    void Add(T value, telemetry::metrics::AttributesRef attributes = {}) const noexcept {
        if (count_) count_->Bump();
        instrument_.Add(value, attributes);
    }
    const telemetry::metrics::Counter<T>& sdk() const noexcept { return instrument_; }

private:
    friend class Telemetry;
    Counter(telemetry::metrics::Counter<T> i, std::shared_ptr<detail::MeasurementCount> c)
        : instrument_(std::move(i)), count_(std::move(c)) {}
    telemetry::metrics::Counter<T> instrument_;
    std::shared_ptr<detail::MeasurementCount> count_;
};

/// Explicit-bucket histogram (T: std::uint64_t or double).
template <class T>
class Histogram {
public:
    Histogram() = default;
    void Record(T value, telemetry::metrics::AttributesRef attributes = {}) const noexcept {
        if (count_) count_->Bump();
        instrument_.Record(value, attributes);
    }
    const telemetry::metrics::Histogram<T>& sdk() const noexcept { return instrument_; }

private:
    friend class Telemetry;
    Histogram(telemetry::metrics::Histogram<T> i, std::shared_ptr<detail::MeasurementCount> c)
        : instrument_(std::move(i)), count_(std::move(c)) {}
    telemetry::metrics::Histogram<T> instrument_;
    std::shared_ptr<detail::MeasurementCount> count_;
};

/// Synchronous last-value gauge (T: std::int64_t or double).
template <class T>
class Gauge {
public:
    Gauge() = default;
    void Record(T value, telemetry::metrics::AttributesRef attributes = {}) const noexcept {
        if (count_) count_->Bump();
        instrument_.Record(value, attributes);
    }
    const telemetry::metrics::Gauge<T>& sdk() const noexcept { return instrument_; }

private:
    friend class Telemetry;
    Gauge(telemetry::metrics::Gauge<T> i, std::shared_ptr<detail::MeasurementCount> c)
        : instrument_(std::move(i)), count_(std::move(c)) {}
    telemetry::metrics::Gauge<T> instrument_;
    std::shared_ptr<detail::MeasurementCount> count_;
};

}  // namespace tome::facade
