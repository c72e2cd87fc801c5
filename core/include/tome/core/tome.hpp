// Tome: a running state machine built from a TomeDefinition. A tome handles its events one at
// a time, in arrival order: Send() may be called from any thread and calls are serialised
// internally. Notifications are delivered in the same order, after the state lock is released.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tome/core/status.hpp"
#include "tome/core/tome_definition.hpp"

namespace tome {

struct TomeEvent {
    std::string type;
    Json payload = Json::object();
};

/// What Send() did with one event.
struct TransitionOutcome {
    bool handled = false;        ///< A transition was taken, or SYNC_STATE merged its updates.
    bool state_changed = false;  ///< The current state is different afterwards.
    bool context_changed = false;  ///< The context's value is different afterwards.
    std::string from;
    std::string to;
    std::string reason;  ///< Why the event was not handled ("no transition ...", "guard ...").
    std::shared_ptr<const Json> context;  ///< The context after the event (shared, immutable).
    std::uint64_t sequence = 0;           ///< 1 for the tome's first event, and so on.
};

/// Point-in-time view of a tome.
struct TomeSnapshot {
    std::string id;
    std::string state;
    std::shared_ptr<const Json> context;
    std::uint64_t events_received = 0;
    std::uint64_t transitions = 0;
    std::uint64_t events_ignored = 0;
    bool final = false;
};

struct TomeNotification {
    enum class Kind { kEvent, kStateChange };
    Kind kind = Kind::kEvent;
    std::string tome_id;
    std::string event_type;
    std::string from;  ///< kStateChange only.
    std::string to;    ///< kStateChange only.
};

class Tome {
public:
    using Listener = std::function<void(const TomeNotification&)>;

    explicit Tome(TomeDefinition definition);
    Tome(const Tome&) = delete;
    Tome& operator=(const Tome&) = delete;

    const std::string& id() const noexcept { return definition_.id; }
    const TomeDefinition& definition() const noexcept { return definition_; }

    /// Applies one event. Never fails: an event with no transition in the current state, or
    /// whose guard does not hold, is counted as ignored and reported in the outcome.
    TransitionOutcome Send(const TomeEvent& event);

    TomeSnapshot Snapshot() const;

    /// Puts back the state, context and counters a store kept (storage/), as they were before
    /// a restart: `saved.id` and `saved.final` are ignored. kInvalidArgument when saved.state
    /// is not a state of this tome's definition or the context is not an object. No
    /// notification: no event happened.
    Status Restore(const TomeSnapshot& saved);

    /// Registers a listener for `event` (every event received) and `stateChange`
    /// notifications. Listeners run on the sending thread, in event order, and must not call
    /// Send() on this same tome. Returns an id for Unsubscribe.
    std::uint64_t Subscribe(Listener listener);
    void Unsubscribe(std::uint64_t subscription);

private:
    const TomeDefinition definition_;

    mutable std::mutex mu_;  // guards the fields below
    std::string state_;
    std::shared_ptr<const Json> context_;
    std::uint64_t events_received_ = 0;
    std::uint64_t transitions_ = 0;
    std::uint64_t events_ignored_ = 0;

    // Held while notifying, taken before mu_ is released, so notifications keep event order.
    std::mutex notify_mu_;
    std::mutex listeners_mu_;  // guards listeners_ and next_subscription_
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Listener>>> listeners_;
    std::uint64_t next_subscription_ = 1;
};

}  // namespace tome
