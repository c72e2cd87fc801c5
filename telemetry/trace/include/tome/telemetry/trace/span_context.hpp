// SpanContext (the propagated identity of a span: ids, flags, W3C tracestate, remote flag) and
// TraceState (an immutable, validated W3C tracestate list that is cheap to copy).
// Both are immutable values and may be shared between threads freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tome/telemetry/api/ids.hpp"

namespace tome::telemetry::trace {

/// W3C trace-flags bits.
inline constexpr std::uint8_t kTraceFlagSampled = 0x01;
inline constexpr std::uint8_t kTraceFlagRandom = 0x02;  ///< W3C Level 2 "random" bit.

/// Maximum list members in a tracestate (W3C).
inline constexpr std::size_t kMaxTraceStateMembers = 32;

/// Immutable W3C tracestate. Copies share one buffer (no allocation). The empty state is the
/// default. Keys and values follow the W3C grammar; an invalid header is dropped entirely.
class TraceState {
public:
    TraceState() noexcept = default;

    /// Parses a tracestate header value. Returns nullopt when it is invalid (bad key or value,
    /// duplicate key, more than 32 members); the caller then drops it entirely. Empty members
    /// and optional whitespace are allowed and removed from the normalised header().
    static std::optional<TraceState> Parse(std::string_view header);

    static bool IsValidKey(std::string_view key) noexcept;
    static bool IsValidValue(std::string_view value) noexcept;

    /// The normalised header ("k1=v1,k2=v2"); empty when there are no members.
    std::string_view header() const noexcept {
        return header_ ? std::string_view(*header_) : std::string_view();
    }
    bool empty() const noexcept { return !header_ || header_->empty(); }

    /// Value for `key`, or nullopt.
    std::optional<std::string_view> Get(std::string_view key) const noexcept;
    /// A copy with `key` set to `value`, moved to the front (W3C mutation rule). Returns an
    /// unchanged copy when key or value is invalid. Drops the last member past 32.
    TraceState Set(std::string_view key, std::string_view value) const;
    /// A copy without `key`.
    TraceState Delete(std::string_view key) const;

    friend bool operator==(const TraceState& a, const TraceState& b) noexcept {
        return a.header() == b.header();
    }

private:
    explicit TraceState(std::string normalised);
    std::shared_ptr<const std::string> header_;
};

/// The identity of a span as propagated across threads and processes.
struct SpanContext {
    TraceId trace_id;
    SpanId span_id;
    std::uint8_t trace_flags = 0;
    TraceState trace_state;
    bool is_remote = false;

    /// Both ids non-zero.
    bool IsValid() const noexcept { return trace_id.IsValid() && span_id.IsValid(); }
    bool IsSampled() const noexcept { return (trace_flags & kTraceFlagSampled) != 0; }

    friend bool operator==(const SpanContext&, const SpanContext&) = default;
};

}  // namespace tome::telemetry::trace
