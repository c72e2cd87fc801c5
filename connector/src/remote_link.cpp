// RemoteLinkOptions validation and the circuit breaker's state machine.
#include "tome/connector/remote_link.hpp"

#include <string>

namespace tome::connector {

Status Validate(const RemoteLinkOptions& o) {
    using std::chrono::milliseconds;
    if (o.timeout < milliseconds(1) || o.timeout > std::chrono::minutes(10)) {
        return InvalidArgument("timeoutMs must be between 1 and 600000");
    }
    if (o.max_attempts < 1 || o.max_attempts > 10) {
        return InvalidArgument("maxAttempts must be between 1 and 10");
    }
    if (o.initial_backoff < milliseconds(1) || o.max_backoff < o.initial_backoff ||
        o.max_backoff > std::chrono::minutes(1)) {
        return InvalidArgument(
            "initialBackoffMs must be at least 1 and at most maxBackoffMs, itself at most 60000");
    }
    if (o.failure_threshold < 1 || o.failure_threshold > 1000) {
        return InvalidArgument("failureThreshold must be between 1 and 1000");
    }
    if (o.open_duration < milliseconds(1) || o.open_duration > std::chrono::hours(1)) {
        return InvalidArgument("openMs must be between 1 and 3600000");
    }
    return Status::Ok();
}

std::string_view CircuitStateName(CircuitState state) {
    switch (state) {
        case CircuitState::kClosed: return "closed";
        case CircuitState::kHalfOpen: return "half_open";
        case CircuitState::kOpen: return "open";
    }
    return "closed";
}

CircuitBreaker::CircuitBreaker(int failure_threshold, std::chrono::milliseconds open_duration)
    : failure_threshold_(failure_threshold < 1 ? 1 : failure_threshold),
      open_duration_(open_duration) {}

CircuitBreaker::Transition CircuitBreaker::MoveTo(CircuitState next) {
    Transition t{state_, next};
    state_ = next;
    return t;
}

CircuitBreaker::Decision CircuitBreaker::Admit(Clock::TimePoint now) {
    std::lock_guard lock(mu_);
    Decision d;
    d.transition = {state_, state_};
    switch (state_) {
        case CircuitState::kClosed:
            d.admission = Admission::kAllowed;
            return d;
        case CircuitState::kOpen:
            if (now - opened_at_ < open_duration_) break;
            d.transition = MoveTo(CircuitState::kHalfOpen);
            probe_out_ = true;
            d.admission = Admission::kProbe;
            return d;
        case CircuitState::kHalfOpen:
            if (probe_out_) break;
            probe_out_ = true;
            d.admission = Admission::kProbe;
            return d;
    }
    ++rejected_;
    d.admission = Admission::kRejected;
    return d;
}

CircuitBreaker::Transition CircuitBreaker::RecordSuccess() {
    std::lock_guard lock(mu_);
    consecutive_failures_ = 0;
    probe_out_ = false;
    return MoveTo(CircuitState::kClosed);
}

CircuitBreaker::Transition CircuitBreaker::RecordFailure(Clock::TimePoint now) {
    std::lock_guard lock(mu_);
    ++consecutive_failures_;
    const bool probe_failed = state_ == CircuitState::kHalfOpen;
    probe_out_ = false;
    if (probe_failed || (state_ == CircuitState::kClosed &&
                         consecutive_failures_ >= failure_threshold_)) {
        opened_at_ = now;
        return MoveTo(CircuitState::kOpen);
    }
    return {state_, state_};
}

CircuitState CircuitBreaker::state() const {
    std::lock_guard lock(mu_);
    return state_;
}

int CircuitBreaker::consecutive_failures() const {
    std::lock_guard lock(mu_);
    return consecutive_failures_;
}

std::uint64_t CircuitBreaker::rejected() const {
    std::lock_guard lock(mu_);
    return rejected_;
}

}  // namespace tome::connector
