#include "tome/robotcopy/message_history.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_set>
#include <utility>

namespace tome::robotcopy {

Json ToJson(const TrackedMessage& message) {
    Json out = {
        {"traceId", message.trace_id},
        {"spanId", message.span_id},
        {"parentSpanId", message.parent_span_id},
        {"action", message.action},
        {"data", message.data},
        {"status", message.status},
    };
    if (!message.error.empty()) out["error"] = message.error;
    out["timestamp"] = FormatRfc3339(message.timestamp);
    out["durationMs"] = message.duration_ms;
    return out;
}

MessageHistory::MessageHistory(const Clock& clock, MessageHistoryOptions options)
    : clock_(clock), options_(options) {}

void MessageHistory::Track(TrackedMessage message) {
    if (message.timestamp == Clock::TimePoint{}) message.timestamp = clock_.Now();
    std::string trace_id = message.trace_id;  // copied before the message is moved

    // Evicted messages are moved out and destroyed after the lock is released.
    List graveyard;
    {
        std::lock_guard lock(mu_);
        messages_.push_back(std::move(message));
        auto& trace = by_trace_[std::move(trace_id)];
        trace.push_back(std::prev(messages_.end()));

        if (trace.size() > options_.max_per_trace) {
            graveyard.splice(graveyard.end(), messages_, trace.front());
            trace.pop_front();
            ++evicted_;
            if (trace.empty()) by_trace_.erase(graveyard.back().trace_id);
        }
        while (messages_.size() > options_.capacity) {
            // The oldest message overall is the oldest of its own trace.
            auto oldest = messages_.begin();
            auto it = by_trace_.find(oldest->trace_id);
            it->second.pop_front();
            if (it->second.empty()) by_trace_.erase(it);
            graveyard.splice(graveyard.end(), messages_, oldest);
            ++evicted_;
        }
    }
}

std::vector<TrackedMessage> MessageHistory::MessagesOf(const std::string& trace_id) const {
    std::vector<TrackedMessage> out;
    std::lock_guard lock(mu_);
    auto it = by_trace_.find(trace_id);
    if (it == by_trace_.end()) return out;
    out.reserve(it->second.size());
    for (const auto& message : it->second) out.push_back(*message);
    return out;
}

Result<Json> MessageHistory::FullTrace(const std::string& trace_id) const {
    std::vector<TrackedMessage> messages = MessagesOf(trace_id);
    if (messages.empty()) return NotFound("trace '" + trace_id + "' has no tracked messages");

    Json spans = Json::array();
    std::unordered_set<std::string> seen;
    Json items = Json::array();
    Clock::TimePoint start = messages.front().timestamp;
    Clock::TimePoint end = start;
    for (const auto& message : messages) {
        if (!message.span_id.empty() && seen.insert(message.span_id).second) {
            spans.push_back(message.span_id);
        }
        start = std::min(start, message.timestamp);
        end = std::max(end, message.timestamp);
        items.push_back(ToJson(message));
    }
    const double duration_ms = std::chrono::duration<double, std::milli>(end - start).count();
    return Json{
        {"traceId", trace_id},
        {"messageCount", messages.size()},
        {"spans", std::move(spans)},
        {"startTime", FormatRfc3339(start)},
        {"endTime", FormatRfc3339(end)},
        {"durationMs", duration_ms},
        {"messages", std::move(items)},
    };
}

std::size_t MessageHistory::size() const {
    std::lock_guard lock(mu_);
    return messages_.size();
}

std::uint64_t MessageHistory::evicted() const {
    std::lock_guard lock(mu_);
    return evicted_;
}

std::size_t MessageHistory::trace_count() const {
    std::lock_guard lock(mu_);
    return by_trace_.size();
}

}  // namespace tome::robotcopy
