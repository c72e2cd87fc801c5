// Test helpers for the metrics suite: a provider with a fixed clock and an attached reader.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "tome/telemetry/metrics/meter.hpp"
#include "tome/telemetry/metrics/metric_reader.hpp"

namespace tome::telemetry::metrics::testing {

struct TestMetrics {
    explicit TestMetrics(MeterProviderOptions options = {},
                         TemporalityPreference temporality = TemporalityPreference::kCumulative)
        : now(std::make_shared<std::atomic<std::uint64_t>>(1'000'000'000)),
          diagnostics(std::make_shared<std::vector<std::string>>()) {
        options.now_unix_nano = [n = now] { return n->load(); };
        options.diagnostic = [d = diagnostics](std::string_view m) { d->emplace_back(m); };
        if (!options.resource) {
            options.resource = std::make_shared<const trace::Resource>(
                std::vector<trace::Attribute>{{"service.name", std::string("tome-test")}});
        }
        provider = std::make_shared<MeterProvider>(std::move(options));
        reader = std::make_shared<MetricReader>(MetricReaderOptions{temporality});
        provider->AddReader(reader);
        meter = provider->GetMeter("tome.test", "1.2.3");
    }

    MetricsData Collect(std::uint64_t advance_ns = 1'000'000'000) {
        now->fetch_add(advance_ns);
        return reader->Collect();
    }

    std::shared_ptr<std::atomic<std::uint64_t>> now;
    std::shared_ptr<std::vector<std::string>> diagnostics;  // written by the provider
    std::shared_ptr<MeterProvider> provider;
    std::shared_ptr<MetricReader> reader;
    Meter meter;
};

/// The point whose attributes contain key=value (string), or nullptr.
template <class Point>
const Point* FindPoint(const std::vector<Point>& points, std::string_view key,
                       std::string_view value) {
    for (const auto& p : points)
        for (const auto& a : p.attributes)
            if (a.key == key) {
                const auto* s = std::get_if<std::string>(&a.value);
                if (s != nullptr && *s == value) return &p;
            }
    return nullptr;
}

}  // namespace tome::telemetry::metrics::testing
