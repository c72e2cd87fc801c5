// The logs SDK's pool of LogRecords (telemetry/api record_pool.hpp): processors that are done
// with records hand them back here instead of freeing them, and the Logger and fan-outs take
// them from here, so an export worker never frees what an application thread allocated and a
// record's strings keep their capacity from one use to the next.
// Thread-safety: all functions may be called concurrently.
#pragma once

#include <memory>
#include <vector>

#include "tome/telemetry/logs/log_record.hpp"

namespace tome::telemetry::logs {

/// A record equal to LogRecord{} (its vectors and strings may keep capacity), from the pool
/// or the heap. May throw std::bad_alloc.
std::unique_ptr<LogRecord> AcquireLogRecord();

/// A copy of `source` into a pooled record (strings and vectors assigned into the capacity it
/// already has). May throw std::bad_alloc.
std::unique_ptr<LogRecord> CopyLogRecord(const LogRecord& source);

/// Hands records back to the pool (what does not fit is freed). Leaves `records` empty.
void RecycleLogRecords(std::vector<std::unique_ptr<LogRecord>>& records) noexcept;

/// Hands one record back to the calling thread's cache: for a record that never left the
/// thread (refused by a full queue, written synchronously).
void RecycleLogRecordHere(std::unique_ptr<LogRecord> record) noexcept;

}  // namespace tome::telemetry::logs
