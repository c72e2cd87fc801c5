// Store: everything the console keeps, under one byte budget split into shares (spans, logs,
// metric points, and what is derived: the service graph and the shared string, resource and
// service tables). Records arrive already encoded (SpanRecordWriter, LogRecordWriter,
// MetricPoint) from the ingest front ends; the store indexes them, derives the graph and RED
// from spans, and tells live listeners about new traces and log records.
// Thread-safety: Add* and Maintain on the one writer thread (the Console's ingest thread);
// queries and Stats from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "log_store.hpp"
#include "metric_store.hpp"
#include "resource_table.hpp"
#include "service_graph.hpp"
#include "span_store.hpp"
#include "string_table.hpp"

namespace tome::console::internal {

struct StoreOptions {
    /// Everything the store holds, in bytes. Default 256 MiB.
    std::size_t max_bytes = 256u << 20;
    /// Shares of max_bytes (they sum to 1). Derived: the service graph and the tables.
    double spans_share = 0.55;
    double logs_share = 0.30;
    double metrics_share = 0.08;
    double derived_share = 0.07;
    /// How long a CLIENT/SERVER span waits for its pair. Default 10 s.
    std::int64_t pairing_wait_ms = 10'000;
};

/// What the live stream is told: a root span arrived (a new trace), or a log record.
struct LiveListener {
    std::function<void(const SpanView& root, std::string_view service)> on_root;
    std::function<void(const LogView& log, std::string_view service)> on_log;
};

struct SignalStats {
    std::size_t bytes = 0;
    std::size_t budget_bytes = 0;
    std::uint64_t items = 0;
    std::uint64_t ingested = 0;
    std::uint64_t evicted = 0;        ///< By the byte budget (the only eviction reason).
    std::uint64_t rejected = 0;       ///< Malformed or refused (series limit) at the store.
    std::int64_t oldest_us = 0;
    std::int64_t last_eviction_us = 0;
    std::int64_t first_eviction_at_us = 0;  ///< Wall clock of the first eviction; 0 = never.
};

struct StoreStats {
    std::size_t budget_bytes = 0;
    SignalStats spans, logs, metrics, derived;
    std::uint64_t traces_evicted = 0;  ///< Root spans evicted.
    ServiceGraphStats graph;
    std::size_t used_bytes() const { return spans.bytes + logs.bytes + metrics.bytes + derived.bytes; }
};

class Store {
public:
    explicit Store(StoreOptions options);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // --- writer (one thread) --------------------------------------------------------------
    StringTable& strings() noexcept { return strings_; }
    ResourceTable& resources() noexcept { return resources_; }
    void AddSpan(std::string_view record, std::int64_t now_ms);
    void AddLog(std::string_view record);
    /// Interns the series of a point, then stores it; false when the series limit refused it.
    std::optional<std::uint32_t> InternSeries(SeriesInfo info) { return metrics_.InternSeries(std::move(info)); }
    void AddPoint(const MetricPoint& point);
    /// Expires unpaired spans. Call about once a second.
    void Maintain(std::int64_t now_ms) { graph_.Expire(now_ms); }
    /// Seals every active segment so that all data is indexed (tests, benchmarks).
    void SealAll();
    /// Adds or removes a live listener (any thread). The listener is called on the writer
    /// thread and must not block.
    std::uint64_t AddListener(LiveListener listener);
    void RemoveListener(std::uint64_t id);

    // --- readers (any thread) -----------------------------------------------------------
    const SpanStore& spans() const noexcept { return spans_; }
    const LogStore& logs() const noexcept { return logs_; }
    const MetricStore& metrics() const noexcept { return metrics_; }
    const ServiceGraph& graph() const noexcept { return graph_; }
    const StringTable& strings() const noexcept { return strings_; }
    const ResourceTable& resources() const noexcept { return resources_; }
    StoreStats Stats() const;
    /// The service name of a resource id ("unknown_service" when unknown).
    std::string_view ServiceOf(std::uint32_t resource_id) const noexcept;

private:
    const StoreOptions options_;
    StringTable strings_;
    ResourceTable resources_;
    SpanStore spans_;
    LogStore logs_;
    MetricStore metrics_;
    ServiceGraph graph_;
    std::atomic<std::uint64_t> spans_rejected_{0};
    std::atomic<std::uint64_t> logs_rejected_{0};
    std::atomic<std::uint64_t> points_rejected_{0};
    mutable std::mutex listeners_mu_;
    std::vector<std::pair<std::uint64_t, LiveListener>> listeners_;  // guarded by listeners_mu_
    std::uint64_t next_listener_ = 1;                                // guarded by listeners_mu_
};

}  // namespace tome::console::internal
