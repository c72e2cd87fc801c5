// LogStore: the log records the console keeps, in a byte-bounded SegmentLog, indexed by trace
// id, span id, service, severity range, scalar attribute (key=value) and the words of the body
// (full-text search). A search walks the postings of its terms, newest first, to its limit.
// Thread-safety: Append on the one writer thread; everything else from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "log_record.hpp"
#include "resource_table.hpp"
#include "segment.hpp"
#include "string_table.hpp"

namespace tome::console::internal {

struct LogQuery {
    std::vector<std::string> words;    ///< Lower-case; each must be a word of the body.
    std::vector<std::string> phrases;  ///< Lower-case; each must appear in the body as is.
    int min_severity_range = 0;        ///< 0: any; else 1 trace .. 6 fatal.
    std::optional<TraceIdBytes> trace_id;
    std::optional<SpanIdBytes> span_id;
    std::string service;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::int64_t start_us = 0;
    std::int64_t end_us = INT64_MAX;
    std::size_t limit = 100;
};

/// Splits a search text into words and "quoted phrases" (both lower-cased).
void ParseSearchText(std::string_view text, LogQuery& query);

struct LogSearchResult {
    std::vector<std::string> records;  ///< Copies, newest first.
    bool more = false;
};

class LogStore {
public:
    LogStore(SegmentLogOptions options, StringTable& strings, ResourceTable& resources);

    /// Stores one record (LogRecordWriter's output); its view borrows `record`, nullopt when
    /// malformed. Writer thread only.
    std::optional<LogView> Append(std::string_view record);
    void SealActive() { log_.SealActive(); }

    LogSearchResult Search(const LogQuery& query) const;
    SegmentLogStats Stats() const { return log_.Stats(); }
    std::size_t budget_bytes() const noexcept { return log_.budget_bytes(); }
    const StringTable& strings() const noexcept { return strings_; }
    const ResourceTable& resources() const noexcept { return resources_; }

private:
    bool Matches(const LogView& log, const LogQuery& q, std::string& scratch) const;

    StringTable& strings_;
    ResourceTable& resources_;
    SegmentLog log_;
    std::vector<std::uint64_t> terms_;  // writer scratch
};

}  // namespace tome::console::internal
