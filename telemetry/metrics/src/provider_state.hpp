// Private: what a MeterProvider shares with its meters, instruments, callback registrations and
// readers. `mu_` guards the registry; `collect_mu_` serialises collections (callbacks run under
// it, never under `mu_`).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "storage.hpp"
#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"

namespace tome::telemetry::metrics::detail {

struct CallbackRegistration {
    std::mutex mu;  // held while the callback runs; Reset takes it to wait for a running one
    bool dead = false;
    ObservableCallback callback;
    std::shared_ptr<InstrumentStorage> storage;
    std::weak_ptr<ProviderState> provider;
};

/// What one reader remembers between collections (for delta points).
struct ReaderState {
    struct Previous {
        std::int64_t as_int = 0;
        double as_double = 0;
        double sum = 0;
        std::vector<std::uint64_t> counts;
    };
    std::unordered_map<const Series*, Previous> previous;
    std::uint64_t last_collect_unix_nano = 0;  ///< 0 before the first collection.
};

struct ScopeEntry {
    trace::InstrumentationScope scope;
    std::vector<std::shared_ptr<InstrumentStorage>> instruments;
};

struct ProviderState {
    explicit ProviderState(MeterProviderOptions options);

    Result<std::shared_ptr<InstrumentStorage>> CreateInstrument(std::size_t scope_index,
                                                                InstrumentDescriptor descriptor,
                                                                const InstrumentOptions& options);
    std::size_t ScopeIndex(std::string_view name, std::string_view version,
                           std::string_view schema_url);
    MetricsData Collect(ReaderState& reader, TemporalityPreference preference) noexcept;
    void Unregister(const CallbackRegistration* registration) noexcept;

    MeterProviderOptions options;  // views, limits, clock, diagnostic (immutable after start)
    std::shared_ptr<const trace::Resource> resource;
    std::uint64_t start_unix_nano = 0;
    std::atomic<std::uint64_t> overflowed{0};
    std::atomic<bool> shut_down{false};

    std::mutex mu;  // guards scopes and callbacks
    std::vector<ScopeEntry> scopes;
    std::vector<std::shared_ptr<CallbackRegistration>> callbacks;

    std::mutex collect_mu;  // guards epoch; serialises collections
    std::uint64_t epoch = 0;
};

/// The temporality `preference` gives instruments of `kind` (kUnspecified for gauges).
AggregationTemporality TemporalityFor(InstrumentKind kind, TemporalityPreference preference);

}  // namespace tome::telemetry::metrics::detail
