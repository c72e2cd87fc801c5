#include "tome/telemetry/metrics/instruments.hpp"

#include <cmath>

#include "storage.hpp"

namespace tome::telemetry::metrics {

using detail::InstrumentStorage;
using detail::Series;

namespace {

template <class T>
void AddTo(Series* s, T value) noexcept {
    if constexpr (std::is_floating_point_v<T>) {
        InstrumentStorage::AddDouble(s, value);
    } else {
        InstrumentStorage::AddInt(s, static_cast<std::int64_t>(value));
    }
}

template <class T>
bool ValidCounterValue(T value) noexcept {
    if constexpr (std::is_floating_point_v<T>) return value >= 0;  // false for NaN too
    return true;
}

template <class T>
bool ValidUpDownValue(T value) noexcept {
    if constexpr (std::is_floating_point_v<T>) return std::isfinite(value);
    return true;
}

}  // namespace

template <class T>
void Counter<T>::Add(T value, AttributesRef attributes) const noexcept {
    if (!storage_ || !ValidCounterValue(value)) return;
    if (Series* s = storage_->Lookup(attributes)) AddTo(s, value);
}

template <class T>
BoundCounter<T> Counter<T>::Bind(AttributesRef attributes) const noexcept {
    BoundCounter<T> b;
    if (!storage_) return b;
    b.series_ = storage_->Lookup(attributes);
    if (b.series_ != nullptr) b.storage_ = storage_;
    return b;
}

template <class T>
void UpDownCounter<T>::Add(T value, AttributesRef attributes) const noexcept {
    if (!storage_ || !ValidUpDownValue(value)) return;
    if (Series* s = storage_->Lookup(attributes)) AddTo(s, value);
}

template <class T>
BoundCounter<T> UpDownCounter<T>::Bind(AttributesRef attributes) const noexcept {
    BoundCounter<T> b;
    if (!storage_) return b;
    b.series_ = storage_->Lookup(attributes);
    if (b.series_ != nullptr) b.storage_ = storage_;
    return b;
}

template <class T>
void BoundCounter<T>::Add(T value) const noexcept {
    if (series_ == nullptr) return;
    // Counters reject negatives; up-down counters of unsigned type do not exist, so a negative
    // value here can only come from an up-down counter.
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value)) return;
        if (value < 0 && storage_->descriptor().kind == detail::InstrumentKind::kCounter) {
            return;
        }
    }
    AddTo(series_, value);
}

template <class T>
void Histogram<T>::Record(T value, AttributesRef attributes) const noexcept {
    if (!storage_) return;
    if (Series* s = storage_->Lookup(attributes))
        storage_->RecordHistogram(s, static_cast<double>(value));
}

template <class T>
BoundHistogram<T> Histogram<T>::Bind(AttributesRef attributes) const noexcept {
    BoundHistogram<T> b;
    if (!storage_) return b;
    b.series_ = storage_->Lookup(attributes);
    if (b.series_ != nullptr) b.storage_ = storage_;
    return b;
}

template <class T>
void BoundHistogram<T>::Record(T value) const noexcept {
    if (series_ != nullptr) storage_->RecordHistogram(series_, static_cast<double>(value));
}

template <class T>
void Gauge<T>::Record(T value, AttributesRef attributes) const noexcept {
    if (!storage_) return;
    Series* s = storage_->Lookup(attributes);
    if (s == nullptr) return;
    if constexpr (std::is_floating_point_v<T>) {
        InstrumentStorage::SetDouble(s, value);
    } else {
        InstrumentStorage::SetInt(s, value);
    }
}

void ObserverResult::Observe(std::int64_t value, AttributesRef attributes) noexcept {
    storage_->Observe(attributes, value, static_cast<double>(value), epoch_);
}

void ObserverResult::Observe(double value, AttributesRef attributes) noexcept {
    if (std::isnan(value)) return;
    storage_->Observe(attributes, static_cast<std::int64_t>(std::llround(value)), value, epoch_);
}

template class BoundCounter<std::uint64_t>;
template class BoundCounter<std::int64_t>;
template class BoundCounter<double>;
template class BoundHistogram<std::uint64_t>;
template class BoundHistogram<double>;
template class Counter<std::uint64_t>;
template class Counter<double>;
template class UpDownCounter<std::int64_t>;
template class UpDownCounter<double>;
template class Histogram<std::uint64_t>;
template class Histogram<double>;
template class Gauge<std::int64_t>;
template class Gauge<double>;

}  // namespace tome::telemetry::metrics
