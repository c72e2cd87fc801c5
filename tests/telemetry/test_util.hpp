// Test helpers for the telemetry suite: a provider wired to an in-test collecting exporter.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "tome/telemetry/trace/tracer.hpp"

namespace tome::telemetry::trace {

/// Collects exported spans; thread-safe.
class CollectingExporter final : public SpanExporter {
public:
    struct Store {
        std::mutex mu;
        std::vector<std::unique_ptr<SpanData>> spans;
        int shutdowns = 0;
    };
    explicit CollectingExporter(std::shared_ptr<Store> store) : store_(std::move(store)) {}
    ExportResult Export(std::span<const std::unique_ptr<SpanData>> batch,
                        Clock::time_point) noexcept override {
        std::lock_guard lock(store_->mu);
        for (const auto& s : batch) store_->spans.push_back(std::make_unique<SpanData>(*s));
        return ExportResult::kSuccess;
    }
    bool Shutdown(std::chrono::milliseconds) noexcept override {
        std::lock_guard lock(store_->mu);
        ++store_->shutdowns;
        return true;
    }

private:
    std::shared_ptr<Store> store_;
};

struct TestProvider {
    explicit TestProvider(std::unique_ptr<Sampler> sampler = MakeAlwaysOnSampler(),
                          SpanLimits limits = {}, SelfStats* stats = nullptr)
        : store(std::make_shared<CollectingExporter::Store>()) {
        TracerProviderOptions o;
        o.sampler = std::move(sampler);
        o.limits = limits;
        o.stats = stats;
        o.processors.push_back(std::make_unique<SimpleSpanProcessor>(
            std::make_unique<CollectingExporter>(store), stats));
        provider = std::make_shared<TracerProvider>(std::move(o));
    }
    Tracer tracer() { return provider->GetTracer("test"); }
    std::vector<std::unique_ptr<SpanData>>& spans() { return store->spans; }

    std::shared_ptr<CollectingExporter::Store> store;
    std::shared_ptr<TracerProvider> provider;
};

}  // namespace tome::telemetry::trace
