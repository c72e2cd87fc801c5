// Event routing: one BFS per entering event over one routing snapshot and one toggle snapshot.
// Everything here runs on the caller's thread; no connector lock is held while tomes handle
// events or user transforms run.
#include <algorithm>
#include <deque>
#include <exception>
#include <thread>
#include <unordered_set>

#include "instrumentation.hpp"
#include "journey.hpp"
#include "routing_table.hpp"
#include "tome/connector/connector.hpp"
#include "tome/connector/remote.hpp"
#include "tome/core/json_path.hpp"
#include "tome/telemetry/api/backoff.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::connector::internal {
namespace {

using logs::Severity;

constexpr auto kNoParent = static_cast<std::size_t>(-1);

/// The level of an "Event dropped" record. Already-visited skips are the BFS at work (several
/// per event in any cycle), so DEBUG; configured behaviour (filters, toggles, the hop limit)
/// INFO; a target that should have been reachable WARN.
Severity DropSeverity(DropReason reason) {
    switch (reason) {
        case DropReason::kAlreadyVisited:
        case DropReason::kCircuitOpen:  // "Remote circuit opened" is the WARN, once
            return Severity::kDebug;
        case DropReason::kFiltered:
        case DropReason::kRoutingDisabled:
        case DropReason::kSyncDisabled:
        case DropReason::kHopLimit:
            return Severity::kInfo;
        case DropReason::kTomeMissing:
        case DropReason::kTransformFailed:
        case DropReason::kRemoteFailed:
            return Severity::kWarn;
    }
    return Severity::kWarn;
}

/// "forward" when `receiver` is the connection's target, else "reverse".
std::string_view Direction(const ConnectionState& via, const std::string& receiver) {
    return via.target == receiver ? "forward" : "reverse";
}

/// Whether a delivery changed the tome's state or context.
bool Changed(const Tome&, const TomeEvent&, const TransitionOutcome& out) {
    return out.handled && (out.state_changed || out.context_changed);
}

/// The SYNC_STATE updates a connection carries after `out`; empty when nothing is mapped.
Json SyncUpdates(const ConnectionConfig& config, const TransitionOutcome& out) {
    Json updates = Json::object();
    const auto& allowed = config.filters.state_paths;
    for (const auto& [from, to] : config.state_mapping) {
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), from) == allowed.end()) {
            continue;
        }
        if (from == "state") {
            SetPath(updates, to, out.to);
        } else if (const Json* value = out.context ? FindPath(*out.context, from) : nullptr) {
            SetPath(updates, to, *value);
        }
    }
    return updates;
}

struct Pending {
    std::shared_ptr<Tome> tome;             ///< Null for a remote tome.
    const std::string* remote = nullptr;    ///< Remote tome id (points into the table).
    const RemoteLinkState* link = nullptr;  ///< Its link (owned by the table).
    TomeEvent event;
    std::size_t hop = 0;
    const ConnectionState* via = nullptr;
    bool state_sync = false;
    std::size_t parent = kNoParent;  ///< Index of the forwarding tome's delivery.
    /// The span of the delivery that caused this one (the journey's parent for the origin):
    /// this delivery's span is its child.
    trace::SpanContext cause;
};


/// One event's BFS through the network. Confined to the calling thread.
class Journey {
  public:
    Journey(const RouteRequest& request, const RoutingTable& table, const ToggleSet& toggle_set,
            const TomeRegistry& tomes, const Clock& clock, const ConnectorOptions& options,
            Totals totals, const Instrumentation& telemetry, const trace::Context& parent)
        : request_(request),
          table_(table),
          routing_(toggle_set.IsEnabled(toggles::kEventRouting)),
          sync_(toggle_set.IsEnabled(toggles::kStateSync)),
          tomes_(tomes),
          clock_(clock),
          options_(options),
          totals_(totals),
          telemetry_(telemetry),
          parent_(parent),
          tracing_(toggle_set.IsEnabled(toggles::kTracing)),
          spans_(tracing_ && telemetry.tracer.Enabled()),
          debug_logs_(telemetry.Logs(Severity::kDebug)) {
        if (request.path != nullptr) {
            visited_.insert(request.path->visited.begin(), request.path->visited.end());
        }
        visited_.insert(request.tome_id);
    }

    DeliveryReport Run(std::shared_ptr<Tome> origin, DeliveryReport report) {
        report_ = std::move(report);
        AdoptTrace(parent_.span_context);
        if (report_.trace_id.empty() && tracing_ && !spans_) {
            report_.trace_id = telemetry::GenerateTraceId().ToHex();  // no span will bring one
        }
        trace::Span root;
        if (request_.broadcast) {
            if (spans_) {
                root = telemetry_.Start("broadcast",
                                        {{attr::kSource, request_.tome_id},
                                         {attr::kEventType, request_.event.type},
                                         {attr::kEventId, report_.event_id}},
                                        &parent_);
            }
            const trace::SpanContext cause = spans_ ? root.GetContext() : parent_.span_context;
            AdoptTrace(cause);
            current_ = &root;
            Forward(request_.tome_id, request_.event, 0, kNoParent, cause);
            EndForwarding(root);
        } else {
            const std::size_t hop = request_.path ? request_.path->tomes.size() : 0;
            queue_.push_back(Pending{std::move(origin), nullptr, nullptr, request_.event, hop,
                                     nullptr, false, kNoParent, parent_.span_context});
        }
        while (!queue_.empty()) {
            Pending p = std::move(queue_.front());
            queue_.pop_front();
            if (p.tome) {
                DeliverLocal(p);
            } else {
                DeliverRemote(p);
            }
        }
        root.SetAttribute("tome.deliveries", report_.deliveries.size());
        totals_.deliveries.fetch_add(local_deliveries_, std::memory_order_relaxed);
        for (std::size_t i = 0; i < drops_.size(); ++i) {
            if (drops_[i] == 0) continue;
            totals_.dropped[i].fetch_add(drops_[i], std::memory_order_relaxed);
            telemetry_.dropped[i].Add(drops_[i]);
            report_.dropped[std::string(DropReasonName(static_cast<DropReason>(i)))] +=
                drops_[i];
        }
        return std::move(report_);
    }

  private:
    /// The report carries the trace of the journey's spans (one id system), when it has none.
    void AdoptTrace(const trace::SpanContext& context) {
        if (report_.trace_id.empty() && tracing_ && context.IsValid()) {
            report_.trace_id = context.trace_id.ToHex();
        }
    }

    /// The span of one delivery: a child of the delivery that caused it. Non-recording (and
    /// carrying `p.cause`) when tracing is off for the journey or for the connection.
    trace::Span StartDelivery(const Pending& p, const std::string& receiver,
                              trace::SpanKind kind = trace::SpanKind::kInternal) const {
        if (!spans_ || (p.via != nullptr && !p.via->config.enable_tracing)) {
            return trace::Span(p.cause);
        }
        const trace::Context parent = parent_.WithSpanContext(p.cause);
        return telemetry_.StartDelivery(p.state_sync ? "state.sync" : "event.forward",
                                        p.event.type, p.hop, receiver, report_.event_id, p.via,
                                        parent, kind);
    }

    /// Already-visited skips are the BFS at work, not lost events: one count per span (an
    /// event each would cost a ring journey ~30% more under a sampling SDK).
    void EndForwarding(trace::Span& span) {
        if (skipped_ > 0) span.SetAttribute("tome.already_visited", skipped_);
        skipped_ = 0;
        current_ = nullptr;
    }

    /// Counts a forward (or sync) from `from` to `neighbour` that does not happen, records it
    /// on the current span and logs "Event dropped" in that span.
    void Drop(const ConnectionState& via, const std::string& from, const std::string& neighbour,
              std::string_view event_type, DropReason reason) {
        const Severity severity = DropSeverity(reason);
        if ((severity != Severity::kDebug || debug_logs_) && telemetry_.Logs(severity)) {
            telemetry_.Log(severity, "Event dropped",
                           {{attr::kDropReason, DropReasonName(reason)},
                            {attr::kEventType, event_type},
                            {attr::kEventId, report_.event_id},
                            {attr::kConnectionId, via.id},
                            {attr::kSource, from},
                            {attr::kTarget, neighbour}},
                           CurrentSpan(), parent_.baggage);
        }
        if (reason == DropReason::kAlreadyVisited) {
            ++skipped_;
        } else if (current_ != nullptr && current_->IsRecording()) {
            current_->AddEvent("event.dropped",
                               {{attr::kDropReason, DropReasonName(reason)},
                                {attr::kConnectionId, via.id},
                                {attr::kTarget, neighbour}});
        }
        ++drops_[static_cast<std::size_t>(reason)];
        if (reason != DropReason::kAlreadyVisited) {
            via.events_dropped.fetch_add(1, std::memory_order_relaxed);
        }
    }

    /// The span drops and toggle decisions belong to (the journey's parent outside one).
    const trace::SpanContext& CurrentSpan() const {
        return current_ != nullptr ? current_->GetContext() : parent_.span_context;
    }

    void Counted(const ConnectionState& via, const std::string& receiver, bool state_sync) {
        via.Touch(clock_.Now());
        if (!state_sync) {
            (via.target == receiver ? telemetry_.forwarded_forward : telemetry_.forwarded_reverse)
                .Add(1);
        }
        (state_sync ? via.states_synced : via.events_forwarded)
            .fetch_add(1, std::memory_order_relaxed);
        (state_sync ? totals_.states_synced : totals_.events_forwarded)
            .fetch_add(1, std::memory_order_relaxed);
    }

    void Record(Delivery delivery, std::size_t parent) {
        report_.deliveries.push_back(std::move(delivery));
        parents_.push_back(parent);
    }

    void DeliverLocal(const Pending& p) {
        const std::string& id = p.tome->id();
        trace::Span span = StartDelivery(p, id);
        const trace::SpanContext self = span.GetContext();
        AdoptTrace(self);
        const TransitionOutcome out = p.tome->Send(p.event);
        if (span.IsRecording()) {
            span.SetAttributes({{"tome.handled", out.handled},
                                {"tome.state.from", out.from},
                                {"tome.state.to", out.to}});
            // The journey read both toggles once, at its start: the origin's span records the
            // decisions that let it travel; one that stops it is recorded where it stops it.
            if (p.via == nullptr && !p.state_sync) {
                if (routing_) Instrumentation::FlagEvaluated(span, toggles::kEventRouting, true);
                if (sync_) Instrumentation::FlagEvaluated(span, toggles::kStateSync, true);
            }
        }
        Delivery delivery{id, p.via ? p.via->id : std::string(), p.event.type, p.hop, out.handled,
                          out.from, out.to, p.state_sync};
        if (span.IsRecording()) {
            delivery.span_id = self.span_id;
            delivery.parent_span_id = p.cause.span_id;
        }
        Record(std::move(delivery), p.parent);
        ++local_deliveries_;
        if (p.via != nullptr) {
            Counted(*p.via, id, p.state_sync);
            if (debug_logs_) LogDelivery(p, id, span.GetContext());
        }
        if (p.state_sync) return;  // a sync never travels further
        const std::size_t index = report_.deliveries.size() - 1;
        current_ = &span;
        if (Changed(*p.tome, p.event, out)) SyncState(id, out, p.hop, index, self);
        Forward(id, p.event, p.hop, index, self);
        EndForwarding(span);
    }

    /// Hands the event to the far side, which continues the BFS and reports back, unless the
    /// link's breaker refuses it (a fast "circuit_open" drop). Retries, with backoff, what the
    /// far side cannot have acted on (kUnavailable); each retry is a "retry" span event.
    void DeliverRemote(const Pending& p) {
        const RemoteLinkState& link = *p.link;
        EventPath path{Branch(p.parent), {visited_.begin(), visited_.end()}};
        trace::Span span = StartDelivery(p, *p.remote, trace::SpanKind::kClient);
        AdoptTrace(span.GetContext());
        const CircuitBreaker::Decision decision = link.breaker.Admit(clock_.Now());
        CircuitChanged(p, decision.transition, span);
        if (decision.admission == CircuitBreaker::Admission::kRejected) {
            // Not delivered: another path (perhaps through the far side) may still reach it.
            visited_.erase(*p.remote);
            span.SetAttribute(attr::kCircuitState, CircuitStateName(link.breaker.state()));
            span.SetStatus(trace::StatusCode::kError, "circuit open");
            current_ = &span;
            Drop(*p.via, Sender(*p.via, *p.remote), *p.remote, p.event.type,
                 DropReason::kCircuitOpen);
            current_ = nullptr;
            return;
        }
        // The far side's spans are children of this hop's span when there is one.
        const std::string span_id = span.GetContext().IsValid() && span.GetContext() != p.cause
                                        ? span.GetContext().span_id.ToHex()
                                        : request_.parent.span_id;
        auto send = [&]() -> Result<DeliveryReport> {
            if (!table_.sender) return Unavailable("no remote sender");
            // The hop's span (or its cause) with the journey's baggage is current while the
            // sender runs, so it can inject the whole Context (business.* baggage included).
            const trace::Scope scope(parent_.WithSpanContext(span.GetContext()));
            try {
                return table_.sender->Deliver(link.endpoint, *p.remote, p.event,
                                              report_.event_id, report_.origin, path,
                                              TraceParent{report_.trace_id, span_id},
                                              link.options.timeout);
            } catch (...) {
                return Internal("remote sender threw");
            }
        };
        Result<DeliveryReport> far = send();
        auto backoff = link.options.initial_backoff;
        int attempt = 1;
        for (; attempt < link.options.max_attempts && !far.ok() &&
               far.status().code() == Code::kUnavailable && table_.sender;
             ++attempt) {
            const auto wait = telemetry::JitteredWait(backoff);
            backoff = telemetry::NextBackoff(backoff, link.options.max_backoff);
            span.AddEvent("retry", {{attr::kAttempt, static_cast<std::int64_t>(attempt + 1)},
                                    {attr::kErrorType, CodeName(far.status().code())},
                                    {"tome.backoff_ms", static_cast<std::int64_t>(wait.count())}});
            std::this_thread::sleep_for(wait);
            far = send();
        }
        span.SetAttribute(attr::kAttempts, static_cast<std::int64_t>(attempt));
        if (!far.ok() && far.status().code() == Code::kDeadlineExceeded) {
            span.AddEvent("timeout", {{"tome.remote.timeout_ms",
                                       static_cast<std::int64_t>(link.options.timeout.count())}});
        }
        const CircuitBreaker::Transition after =
            far.ok() ? link.breaker.RecordSuccess() : link.breaker.RecordFailure(clock_.Now());
        CircuitChanged(p, after, span);
        span.SetAttribute(attr::kCircuitState, CircuitStateName(after.to));
        if (!far.ok()) {
            // Not delivered: another path (perhaps through the far side) may still reach it.
            visited_.erase(*p.remote);
            span.SetAttribute(attr::kErrorType, CodeName(far.status().code()));
            span.SetStatus(trace::StatusCode::kError, far.status().message());
            current_ = &span;
            telemetry_.Log(Severity::kError, "Remote send failed",
                           {{attr::kEventType, p.event.type},
                            {attr::kEventId, report_.event_id},
                            {attr::kConnectionId, p.via->id},
                            {attr::kTarget, *p.remote},
                            {attr::kEndpoint, link.endpoint},
                            {attr::kAttempts, static_cast<std::int64_t>(attempt)},
                            {attr::kErrorType, CodeName(far.status().code())},
                            {attr::kErrorMessage, far.status().message()}},
                           span.GetContext(), parent_.baggage);
            Drop(*p.via, Sender(*p.via, *p.remote), *p.remote, p.event.type,
                 DropReason::kRemoteFailed);
            current_ = nullptr;
            return;
        }
        Counted(*p.via, *p.remote, false);
        if (debug_logs_) LogDelivery(p, *p.remote, span.GetContext());
        for (auto& d : far->deliveries) {
            visited_.insert(d.tome);
            Record(std::move(d), kNoParent);
        }
        for (const auto& [reason, n] : far->dropped) report_.dropped[reason] += n;
    }

    /// A breaker state change: a "circuit_state_change" span event and a log record (WARN when
    /// it opens, INFO otherwise), both in the hop's span.
    void CircuitChanged(const Pending& p, const CircuitBreaker::Transition& t, trace::Span& span) {
        if (!t.changed()) return;
        span.AddEvent("circuit_state_change",
                      {{attr::kCircuitState, CircuitStateName(t.to)},
                       {"tome.remote.circuit_state.previous", CircuitStateName(t.from)},
                       {attr::kTarget, *p.remote}});
        const bool opened = t.to == CircuitState::kOpen;
        telemetry_.Log(opened ? Severity::kWarn : Severity::kInfo,
                       opened ? "Remote circuit opened"
                              : (t.to == CircuitState::kHalfOpen ? "Remote circuit half-open"
                                                                 : "Remote circuit closed"),
                       {{attr::kTarget, *p.remote},
                        {attr::kEndpoint, p.link->endpoint},
                        {attr::kCircuitState, CircuitStateName(t.to)},
                        {"tome.remote.circuit_state.previous", CircuitStateName(t.from)},
                        {"tome.remote.consecutive_failures",
                         static_cast<std::int64_t>(p.link->breaker.consecutive_failures())}},
                       span.GetContext(), parent_.baggage);
    }

    /// The tome that hands an event over `via` to `receiver`.
    static const std::string& Sender(const ConnectionState& via, const std::string& receiver) {
        return via.target == receiver ? via.source : via.target;
    }

    /// DEBUG "Event forwarded" (or "State synced") in the delivery's span.
    void LogDelivery(const Pending& p, const std::string& receiver,
                     const trace::SpanContext& span) const {
        telemetry_.Log(Severity::kDebug, p.state_sync ? "State synced" : "Event forwarded",
                       {{attr::kEventType, p.event.type},
                        {attr::kEventId, report_.event_id},
                        {attr::kDirection, Direction(*p.via, receiver)},
                        {attr::kConnectionId, p.via->id},
                        {attr::kSource, Sender(*p.via, receiver)},
                        {attr::kTarget, receiver},
                        {attr::kHop, p.hop}},
                       span, parent_.baggage);
    }

    /// Tomes from the origin to the delivery at `parent`, inclusive.
    std::vector<std::string> Branch(std::size_t parent) const {
        std::vector<std::string> tomes;
        for (auto i = parent; i != kNoParent; i = parents_[i]) {
            tomes.push_back(report_.deliveries[i].tome);
        }
        if (request_.broadcast) tomes.push_back(request_.tome_id);
        if (request_.path != nullptr) {
            tomes.insert(tomes.end(), request_.path->tomes.rbegin(), request_.path->tomes.rend());
        }
        std::reverse(tomes.begin(), tomes.end());
        return tomes;
    }

    /// Queues `event` for every neighbour `from` may forward to, applying each connection's
    /// filter, mapping and transforms.
    void Forward(const std::string& from, const TomeEvent& event, std::size_t hop,
                 std::size_t parent, const trace::SpanContext& cause) {
        const std::vector<Link>& links = table_.LinksOf(from);
        if (!routing_ && !links.empty() && current_ != nullptr) {
            Instrumentation::FlagEvaluated(*current_, toggles::kEventRouting, false);
        }
        for (const Link& link : links) {
            const ConnectionState& via = *link.connection;
            const ConnectionConfig& config = via.config;
            const std::string& neighbour = *link.neighbour;
            if (!routing_) {
                Drop(via, from, neighbour, event.type, DropReason::kRoutingDisabled);
                continue;
            }
            if (visited_.count(*link.neighbour) > 0) {
                Drop(via, from, neighbour, event.type, DropReason::kAlreadyVisited);
                continue;
            }
            if (hop >= options_.hop_limit) {
                Drop(via, from, neighbour, event.type, DropReason::kHopLimit);
                continue;
            }
            Pending next{tomes_.Find(*link.neighbour)};
            if (!next.tome) {
                auto remote = table_.remotes.find(*link.neighbour);
                if (remote == table_.remotes.end()) {
                    Drop(via, from, neighbour, event.type, DropReason::kTomeMissing);
                    continue;
                }
                next.remote = &remote->first;
                next.link = remote->second.get();
            }
            const auto& allowed = config.filters.events;
            if (!allowed.empty() &&
                std::find(allowed.begin(), allowed.end(), event.type) == allowed.end()) {
                Drop(via, from, neighbour, event.type, DropReason::kFiltered);
                continue;
            }
            next.event = event;
            if (auto m = config.event_mapping.find(event.type); m != config.event_mapping.end()) {
                next.event.type = m->second;
            }
            if (config.transform) ApplyTransform(*config.transform, next.event.payload);
            if (config.transform_fn) {
                std::optional<TomeEvent> result;
                std::string error;
                try {
                    result = config.transform_fn(next.event);
                } catch (const std::exception& e) {
                    error = e.what();
                } catch (...) {
                    error = "unknown exception";
                }
                if (!error.empty()) {
                    // No exception crosses a user callback: the event is dropped and counted.
                    telemetry_.Log(Severity::kError, "Transform failed",
                                   {{attr::kEventType, event.type},
                                    {attr::kEventId, report_.event_id},
                                    {attr::kConnectionId, via.id},
                                    {attr::kSource, from},
                                    {attr::kTarget, neighbour},
                                    {attr::kErrorMessage, error}},
                                   CurrentSpan(), parent_.baggage);
                    Drop(via, from, neighbour, event.type, DropReason::kTransformFailed);
                    continue;
                }
                if (!result) {
                    Drop(via, from, neighbour, event.type, DropReason::kFiltered);
                    continue;
                }
                next.event = std::move(*result);
            }
            visited_.insert(*link.neighbour);
            next.hop = hop + 1;
            next.via = &via;
            next.parent = parent;
            next.cause = cause;
            queue_.push_back(std::move(next));
        }
    }

    /// Queues a SYNC_STATE for every local neighbour of `from` over a state-mapped connection.
    /// Remote neighbours are not synced (a sync must not continue a BFS on the far side).
    void SyncState(const std::string& from, const TransitionOutcome& out, std::size_t hop,
                   std::size_t parent, const trace::SpanContext& cause) {
        bool flagged = false;
        for (const Link& link : table_.LinksOf(from)) {
            const ConnectionState& via = *link.connection;
            if (via.config.state_mapping.empty()) continue;
            if (!sync_) {
                if (!flagged && current_ != nullptr) {
                    Instrumentation::FlagEvaluated(*current_, toggles::kStateSync, false);
                    flagged = true;
                }
                Drop(via, from, *link.neighbour, kSyncStateEvent, DropReason::kSyncDisabled);
                continue;
            }
            std::shared_ptr<Tome> next = tomes_.Find(*link.neighbour);
            if (!next) {
                if (table_.remotes.count(*link.neighbour) == 0) {
                    Drop(via, from, *link.neighbour, kSyncStateEvent, DropReason::kTomeMissing);
                }
                continue;
            }
            Json updates = SyncUpdates(via.config, out);
            if (updates.empty()) continue;
            TomeEvent event{kSyncStateEvent, Json{{"updates", std::move(updates)}}};
            queue_.push_back(Pending{std::move(next), nullptr, nullptr, std::move(event), hop + 1,
                                     &via, true, parent, cause});
        }
    }

    const RouteRequest& request_;
    const RoutingTable& table_;
    const bool routing_;
    const bool sync_;
    const TomeRegistry& tomes_;
    const Clock& clock_;
    const ConnectorOptions& options_;
    Totals totals_;
    const Instrumentation& telemetry_;
    const trace::Context& parent_;  // the journey's parent (current context or TraceParent)
    const bool tracing_;            // toggles::kTracing in the journey's snapshot
    const bool spans_;              // tracing_ and the tracer is not a no-op
    const bool debug_logs_;         // DEBUG records are emitted (checked once per journey)
    trace::Span* current_ = nullptr;  // the span drops and toggle decisions are recorded on
    std::uint32_t skipped_ = 0;       // already-visited skips while current_ forwards

    DeliveryReport report_;
    std::vector<std::size_t> parents_;  // parallel to report_.deliveries
    std::deque<Pending> queue_;
    // Tomes that received (or are queued to receive) this event: none receives it twice.
    std::unordered_set<std::string> visited_;
    std::array<std::uint64_t, kDropReasonCount> drops_{};
    std::uint64_t local_deliveries_ = 0;
};

}  // namespace

DeliveryReport RunJourney(const RouteRequest& request, const RoutingTable& table,
                          const ToggleSet& toggle_set, const TomeRegistry& tomes,
                          const Clock& clock, const ConnectorOptions& options, Totals totals,
                          const Instrumentation& telemetry, const telemetry::trace::Context& parent,
                          std::shared_ptr<Tome> origin, DeliveryReport report) {
    Journey journey(request, table, toggle_set, tomes, clock, options, totals, telemetry, parent);
    return journey.Run(std::move(origin), std::move(report));
}

}  // namespace tome::connector::internal
