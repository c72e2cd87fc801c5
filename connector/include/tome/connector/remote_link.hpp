// The link to one remote tome: how long a forward may take, which failures are retried, and the
// circuit breaker that turns a slow or dead far side into fast, counted "circuit_open" drops
// instead of a routing thread held for the timeout on every event. CircuitBreaker is pure logic
// over a time point the caller passes in; all its methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "tome/core/clock.hpp"
#include "tome/core/status.hpp"

namespace tome::connector {

struct RemoteLinkOptions {
    /// Deadline of one attempt, connect to answer. Default 5 s.
    std::chrono::milliseconds timeout{5000};
    /// Attempts per forward, the first included, for failures the far side cannot have acted
    /// on (Code::kUnavailable from the sender: not connected, or 429/502/503/504). A timeout or a
    /// broken exchange is never retried: the far side may have delivered. 1 turns retrying
    /// off. Default 2.
    int max_attempts = 2;
    /// Wait before the first retry, doubled for each next one up to max_backoff, with equal
    /// jitter (between half and all of it). Defaults 50 ms and 500 ms.
    std::chrono::milliseconds initial_backoff{50};
    std::chrono::milliseconds max_backoff{500};
    /// Consecutive failed forwards (after their retries) that open the breaker. Default 5.
    int failure_threshold = 5;
    /// How long an open breaker refuses forwards before it lets one probe through
    /// (half-open). Default 10 s.
    std::chrono::milliseconds open_duration{10000};
};

/// kInvalidArgument naming the field ("maxAttempts must be between 1 and 10").
Status Validate(const RemoteLinkOptions& options);

/// The value of the tome.remote.circuit_state gauge: 0 closed, 1 half-open, 2 open.
enum class CircuitState : int { kClosed = 0, kHalfOpen = 1, kOpen = 2 };

/// "closed" | "half_open" | "open".
std::string_view CircuitStateName(CircuitState state);

/// Closed: every forward goes through; `failure_threshold` consecutive failures open it. Open:
/// every forward is refused until `open_duration` has passed, then the next one is the probe
/// (half-open) while the others are still refused. The probe's success closes the breaker, its
/// failure opens it again for another `open_duration`.
class CircuitBreaker {
public:
    CircuitBreaker(int failure_threshold, std::chrono::milliseconds open_duration);

    enum class Admission {
        kAllowed,   ///< Closed: send.
        kProbe,     ///< The one forward that tests a far side that failed: send, and report.
        kRejected,  ///< Open, or half-open with the probe still out: do not send.
    };
    /// A state change, for the caller's span event, log and metric.
    struct Transition {
        CircuitState from = CircuitState::kClosed;
        CircuitState to = CircuitState::kClosed;
        bool changed() const { return from != to; }
    };
    struct Decision {
        Admission admission = Admission::kAllowed;
        Transition transition;  ///< open -> half_open when this call is the probe.
    };

    /// Asks to send one forward at `now`.
    Decision Admit(Clock::TimePoint now);
    /// The outcome of a forward that Admit allowed (or probed).
    Transition RecordSuccess();
    Transition RecordFailure(Clock::TimePoint now);

    CircuitState state() const;
    int consecutive_failures() const;
    /// Forwards refused since construction.
    std::uint64_t rejected() const;

private:
    Transition MoveTo(CircuitState next);  // requires mu_

    const int failure_threshold_;
    const std::chrono::milliseconds open_duration_;
    mutable std::mutex mu_;
    CircuitState state_ = CircuitState::kClosed;  // guarded by mu_
    int consecutive_failures_ = 0;                // guarded by mu_
    Clock::TimePoint opened_at_{};                // guarded by mu_
    bool probe_out_ = false;                      // guarded by mu_
    std::uint64_t rejected_ = 0;                  // guarded by mu_
};

}  // namespace tome::connector
