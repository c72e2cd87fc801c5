#include "tome/core/tome.hpp"

#include <algorithm>

namespace tome {

Tome::Tome(TomeDefinition definition)
    : definition_(std::move(definition)),
      state_(definition_.initial),
      context_(std::make_shared<const Json>(definition_.context)) {}

TransitionOutcome Tome::Send(const TomeEvent& event) {
    TransitionOutcome out;
    std::unique_lock lock(mu_);
    out.sequence = ++events_received_;
    out.from = state_;
    if (event.type == kSyncStateEvent) {
        const Json* updates = FindPath(event.payload, "updates");
        if (updates != nullptr && updates->is_object()) {
            auto next = std::make_shared<Json>(*context_);
            MergeInto(*next, *updates);
            out.context_changed = *next != *context_;
            if (out.context_changed) context_ = std::move(next);
            out.handled = true;
        } else {
            out.reason = "SYNC_STATE without an 'updates' object";
        }
    } else {
        const StateDefinition& state = definition_.states.at(state_);
        auto it = state.on.find(event.type);
        if (state.final) {
            out.reason = "state '" + state_ + "' is final";
        } else if (it == state.on.end()) {
            out.reason = "no transition for '" + event.type + "' in state '" + state_ + "'";
        } else if (it->second.guard && !it->second.guard->Holds(*context_)) {
            out.reason = "guard on '" + it->second.guard->field + "' does not hold";
        } else {
            const Transition& t = it->second;
            if (!t.assign.empty()) {
                auto next = std::make_shared<Json>(*context_);
                for (const auto& [ctx_path, event_path] : t.assign) {
                    if (const Json* v = FindPath(event.payload, event_path)) {
                        SetPath(*next, ctx_path, *v);
                    }
                }
                out.context_changed = *next != *context_;
                if (out.context_changed) context_ = std::move(next);
            }
            state_ = t.target;
            out.handled = true;
            ++transitions_;
        }
    }
    if (!out.handled) ++events_ignored_;
    out.to = state_;
    out.state_changed = out.from != out.to;
    out.context = context_;

    std::vector<std::shared_ptr<Listener>> listeners;
    {
        std::lock_guard l(listeners_mu_);
        listeners.reserve(listeners_.size());
        for (const auto& entry : listeners_) listeners.push_back(entry.second);
    }
    if (listeners.empty()) return out;
    // Hand over to the notify lock before releasing the state lock, so a later event cannot
    // notify before this one.
    std::unique_lock notify(notify_mu_);
    lock.unlock();
    TomeNotification n{TomeNotification::Kind::kEvent, definition_.id, event.type, {}, {}};
    for (const auto& l : listeners) (*l)(n);
    if (out.state_changed) {
        n.kind = TomeNotification::Kind::kStateChange;
        n.from = out.from;
        n.to = out.to;
        for (const auto& l : listeners) (*l)(n);
    }
    return out;
}

TomeSnapshot Tome::Snapshot() const {
    std::lock_guard lock(mu_);
    TomeSnapshot s;
    s.id = definition_.id;
    s.state = state_;
    s.context = context_;
    s.events_received = events_received_;
    s.transitions = transitions_;
    s.events_ignored = events_ignored_;
    s.final = definition_.states.at(state_).final;
    return s;
}

Status Tome::Restore(const TomeSnapshot& saved) {
    if (definition_.states.count(saved.state) == 0) {
        return InvalidArgument("tome '" + definition_.id + "': kept state '" + saved.state +
                               "' is not a state of its definition");
    }
    if (saved.context == nullptr || !saved.context->is_object()) {
        return InvalidArgument("tome '" + definition_.id + "': kept context is not an object");
    }
    std::lock_guard lock(mu_);
    state_ = saved.state;
    context_ = saved.context;
    events_received_ = saved.events_received;
    transitions_ = saved.transitions;
    events_ignored_ = saved.events_ignored;
    return Status::Ok();
}

std::uint64_t Tome::Subscribe(Listener listener) {
    std::lock_guard l(listeners_mu_);
    const auto id = next_subscription_++;
    listeners_.emplace_back(id, std::make_shared<Listener>(std::move(listener)));
    return id;
}

void Tome::Unsubscribe(std::uint64_t subscription) {
    std::lock_guard l(listeners_mu_);
    std::erase_if(listeners_, [&](const auto& e) { return e.first == subscription; });
}

}  // namespace tome
