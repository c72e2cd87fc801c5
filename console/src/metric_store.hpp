// MetricStore: the history of every metric instrument the console sees (its own SDK's, each
// collection, and every OTLP sender's points), as points in a byte-bounded SegmentLog indexed
// by metric name, series and service, plus the table of series (resource, name, type, unit,
// attributes). A query returns the points of one metric's series inside a time window.
// Thread-safety: InternSeries/Append on the one writer thread; the rest from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "resource_table.hpp"
#include "segment.hpp"
#include "span_record.hpp"
#include "string_table.hpp"

namespace tome::console::internal {

enum class MetricKind : std::uint8_t { kSum = 0, kGauge = 1, kHistogram = 2 };
enum class Temporality : std::uint8_t { kUnspecified = 0, kDelta = 1, kCumulative = 2 };

struct SeriesInfo {
    std::uint32_t resource_id = 0;
    std::string name;
    std::string description;
    std::string unit;
    MetricKind kind = MetricKind::kGauge;
    bool monotonic = false;
    Temporality temporality = Temporality::kCumulative;
    std::string encoded_attributes;  ///< A map value in the record encoding.
    nlohmann::json attributes;
};

struct Exemplar {
    std::uint64_t time_ns = 0;
    double value = 0;
    TraceIdBytes trace_id{};
    SpanIdBytes span_id{};
};

/// One point as stored: a number (sum or gauge) or an explicit-bucket histogram.
struct MetricPoint {
    std::uint32_t series = 0;
    std::uint64_t start_ns = 0;
    std::uint64_t time_ns = 0;
    double value = 0;  ///< Numbers.
    // Histograms.
    std::uint64_t count = 0;
    double sum = 0;
    std::vector<double> bounds;
    std::vector<std::uint64_t> bucket_counts;  ///< bounds.size() + 1
    std::vector<Exemplar> exemplars;
};

class MetricStore {
public:
    static constexpr std::size_t kMaxSeries = 20000;

    /// `max_series` (<= kMaxSeries): series kept; points of further series are refused.
    MetricStore(SegmentLogOptions options, ResourceTable& resources,
                std::size_t max_series = kMaxSeries);
    ~MetricStore();

    /// The id of a series (new ones are added); nullopt past kMaxSeries. Writer thread only.
    std::optional<std::uint32_t> InternSeries(SeriesInfo info);
    /// Stores one point of an interned series. Writer thread only.
    void Append(const MetricPoint& point);
    void SealActive() { log_.SealActive(); }

    /// Every series, by metric name. Any thread.
    std::vector<const SeriesInfo*> AllSeries() const;
    const SeriesInfo* Series(std::uint32_t id) const noexcept;
    /// Points of metric `name` with time in [start_us, end_us], oldest first, by series id.
    std::map<std::uint32_t, std::vector<MetricPoint>> Points(std::string_view name,
                                                             std::int64_t start_us,
                                                             std::int64_t end_us) const;
    SegmentLogStats Stats() const { return log_.Stats(); }
    std::size_t budget_bytes() const noexcept { return log_.budget_bytes(); }
    std::size_t SeriesBytes() const noexcept { return series_bytes_.load(std::memory_order_relaxed); }
    std::uint64_t series_overflow() const noexcept { return overflow_.load(std::memory_order_relaxed); }

private:
    static constexpr std::size_t kChunk = 256;
    using Chunk = std::array<SeriesInfo, kChunk>;

    ResourceTable& resources_;
    SegmentLog log_;
    const std::size_t max_series_;
    std::array<std::unique_ptr<Chunk>, kMaxSeries / kChunk + 1> chunks_;
    std::atomic<std::size_t> size_{0};
    std::atomic<std::size_t> series_bytes_{0};
    std::atomic<std::uint64_t> overflow_{0};
    std::unordered_map<std::string, std::uint32_t> ids_;  // writer only
    std::string buffer_;                                  // writer scratch
    std::vector<std::uint64_t> terms_;                    // writer scratch
};

/// Decodes a stored point (the store's record). nullopt when malformed.
std::optional<MetricPoint> DecodePoint(std::string_view record);

}  // namespace tome::console::internal
