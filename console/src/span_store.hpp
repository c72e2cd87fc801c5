// SpanStore: the spans the console keeps, in a byte-bounded SegmentLog, indexed by trace id,
// service, operation (service + span name), error status, duration band and every scalar span
// attribute (key=value), and the list of services and their operations. Trace search walks the
// postings of the most selective terms, newest first, and stops at its limit.
// Thread-safety: Append on the one writer thread; everything else from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resource_table.hpp"
#include "segment.hpp"
#include "span_record.hpp"
#include "string_table.hpp"

namespace tome::console::internal {

struct TraceQuery {
    std::string service;    ///< Empty: any.
    std::string operation;  ///< Span name; empty: any. Needs `service`? No: any service.
    std::vector<std::pair<std::string, std::string>> attributes;  ///< All must hold.
    std::uint64_t min_duration_ns = 0;
    std::uint64_t max_duration_ns = 0;  ///< 0: no maximum.
    bool errors_only = false;
    std::int64_t start_us = 0;         ///< Span start >= this.
    std::int64_t end_us = INT64_MAX;   ///< Span start <= this.
    std::size_t limit = 20;            ///< Traces.
};

struct TraceSearchResult {
    std::vector<TraceIdBytes> traces;  ///< Newest first (by when their matching span arrived).
    bool more = false;                 ///< More traces matched beyond the limit.
};

struct OperationInfo {
    std::string name;
    std::uint8_t kind = 0;
};

class SpanStore {
public:
    SpanStore(SegmentLogOptions options, StringTable& strings, ResourceTable& resources);

    /// Stores one span record (SpanRecordWriter's output). Returns its view (borrowing
    /// `record`, the caller's bytes), or nullopt for a malformed record (not stored). Writer
    /// thread only.
    std::optional<SpanView> Append(std::string_view record);
    /// Seals the active segment (tests and benchmarks: makes everything indexed).
    void SealActive() { log_.SealActive(); }

    TraceSearchResult Search(const TraceQuery& query) const;
    /// Every stored span of each trace (record bytes, copied), in the order given.
    std::vector<std::vector<std::string>> Traces(const std::vector<TraceIdBytes>& ids) const;

    std::vector<std::pair<std::string, std::int64_t>> Services() const;  ///< name, last seen µs
    std::vector<OperationInfo> Operations(std::string_view service) const;

    SegmentLogStats Stats() const { return log_.Stats(); }
    std::size_t budget_bytes() const noexcept { return log_.budget_bytes(); }
    std::size_t RegistryBytes() const;
    const StringTable& strings() const noexcept { return strings_; }
    const ResourceTable& resources() const noexcept { return resources_; }

    /// The index terms of a span (public for tests).
    static void Terms(const SpanView& span, std::string_view service, std::vector<std::uint64_t>& out);
    /// Duration band of the index: floor(log2(duration in µs)), 0 for < 2 µs.
    static int DurationBand(std::uint64_t duration_ns) noexcept;

private:
    bool Matches(const SpanView& span, const TraceQuery& query,
                 const std::vector<std::set<std::uint32_t>>& resource_matches,
                 std::string& scratch) const;

    static constexpr std::size_t kMaxOperationsPerService = 1000;
    static constexpr std::size_t kMaxServices = 1000;

    StringTable& strings_;
    ResourceTable& resources_;
    SegmentLog log_;
    std::vector<std::uint64_t> terms_;  // writer scratch
    mutable std::mutex registry_mu_;    // guards services_
    struct ServiceInfo {
        std::int64_t last_seen_us = 0;
        std::map<std::string, std::uint8_t, std::less<>> operations;
    };
    std::map<std::string, ServiceInfo, std::less<>> services_;
};

}  // namespace tome::console::internal
