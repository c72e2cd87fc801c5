// MessageHistory: the bounded record of messages RobotCopy saw, grouped by trace id, so that a
// whole conversation across tomes and backends can be read back as one trace.
// All methods may be called concurrently (one internal mutex; no callback runs under it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tome/core/clock.hpp"
#include "tome/core/status.hpp"

namespace tome::robotcopy {

using Json = nlohmann::json;

/// One tracked message. Ids are lowercase hex (32 for traces, 16 for spans).
struct TrackedMessage {
    std::string trace_id, span_id, parent_span_id;
    /// "connection.create", "event.forward", "sendMessage:<action>", "health.check", ...
    std::string action;
    Json data = Json::object();
    std::string status = "ok";  ///< "ok" | "error" | "timeout" | ...
    std::string error;          ///< Empty unless the message failed.
    Clock::TimePoint timestamp{};  ///< Filled with the history's clock by Track if left empty.
    double duration_ms = 0;
};

/// {traceId, spanId, parentSpanId, action, data, status, error (only when non-empty),
/// timestamp (RFC 3339), durationMs}.
Json ToJson(const TrackedMessage& message);

struct MessageHistoryOptions {
    /// Total messages kept across all traces; the oldest is evicted first (and counted in
    /// evicted()). Default 10000. Memory grows with it, roughly one message payload each.
    std::size_t capacity = 10000;
    /// Messages kept per trace; past it the trace's oldest message is evicted (and counted).
    /// Default 1000. Protects the history from one runaway trace.
    std::size_t max_per_trace = 1000;
};

class MessageHistory {
public:
    /// Borrows `clock`, which must outlive the history.
    MessageHistory(const Clock& clock, MessageHistoryOptions options = {});
    MessageHistory(const MessageHistory&) = delete;
    MessageHistory& operator=(const MessageHistory&) = delete;

    /// Records a message under its trace id, filling an empty timestamp from the clock. May
    /// evict older messages (see MessageHistoryOptions). Never fails.
    void Track(TrackedMessage message);

    /// The messages of one trace in tracking order; empty when the trace is unknown.
    std::vector<TrackedMessage> MessagesOf(const std::string& trace_id) const;

    /// {traceId, messageCount, spans: [unique span ids, first-seen order], startTime,
    /// endTime (earliest and latest timestamp, RFC 3339), durationMs (end - start),
    /// messages: [ToJson(...) in tracking order]}. kNotFound when no message of the trace is
    /// held (never tracked, or evicted).
    Result<Json> FullTrace(const std::string& trace_id) const;

    /// Messages currently held.
    std::size_t size() const;
    /// Messages evicted so far (by capacity or by max_per_trace).
    std::uint64_t evicted() const;
    /// Traces with at least one message held.
    std::size_t trace_count() const;

    const MessageHistoryOptions& options() const { return options_; }

private:
    using List = std::list<TrackedMessage>;

    const Clock& clock_;
    const MessageHistoryOptions options_;

    mutable std::mutex mu_;
    List messages_;  // guarded by mu_; all messages, oldest first
    // guarded by mu_; trace id -> its messages (iterators into messages_), oldest first
    std::unordered_map<std::string, std::deque<List::iterator>> by_trace_;
    std::uint64_t evicted_ = 0;  // guarded by mu_
};

}  // namespace tome::robotcopy
