// Private: the Logger's in-place fill of a pooled record (log_record_pool.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "tome/telemetry/logs/log_record.hpp"
#include "tome/telemetry/trace/attribute.hpp"
#include "tome/telemetry/trace/span_context.hpp"

namespace tome::telemetry::logs::detail {

/// A pooled record as it was handed back (not reset): FillLogRecord overwrites all of it.
std::unique_ptr<LogRecord> AcquireLogRecordForFill();

/// Overwrites every field of `r` but resource and scope: a string body, the attributes (keys
/// and string values assigned into the buffers `r` already has), the time, and the ids of
/// `span` when valid (else none). May throw std::bad_alloc.
void FillLogRecord(LogRecord& r, Severity severity, std::string_view message,
                   std::span<const trace::AttributeKV> attributes, std::uint64_t time_unix_nano,
                   const trace::SpanContext& span);

}  // namespace tome::telemetry::logs::detail
