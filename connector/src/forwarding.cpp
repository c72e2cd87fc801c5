// Event routing: one BFS per entering event over one routing snapshot and one toggle snapshot.
// Everything here runs on the caller's thread; no connector lock is held while tomes handle
// events or user transforms run.
#include <algorithm>
#include <deque>
#include <unordered_set>

#include "routing_table.hpp"
#include "tome/connector/connector.hpp"
#include "tome/core/json_path.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::connector {
namespace {

using internal::ConnectionState;
using internal::DropReason;
using internal::Link;

Status CheckParent(const TraceParent& parent) {
    if (!parent.trace_id.empty()) {
        auto id = telemetry::TraceId::FromHex(parent.trace_id);
        if (!id || !id->IsValid()) {
            return InvalidArgument("traceparent.trace_id: must be 32 lowercase hex, not all zero");
        }
    }
    if (!parent.span_id.empty()) {
        auto id = telemetry::SpanId::FromHex(parent.span_id);
        if (!id || !id->IsValid()) {
            return InvalidArgument("traceparent.span_id: must be 16 lowercase hex, not all zero");
        }
    }
    return Status::Ok();
}

/// Whether a delivery changed the tome's state or context.
bool Changed(const Tome& tome, const TomeEvent& event, const TransitionOutcome& out) {
    if (!out.handled) return false;
    if (out.state_changed || event.type == kSyncStateEvent) return true;
    const auto& states = tome.definition().states;
    auto state = states.find(out.from);
    if (state == states.end()) return false;
    auto transition = state->second.on.find(event.type);
    return transition != state->second.on.end() && !transition->second.assign.empty();
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
    std::shared_ptr<Tome> tome;
    TomeEvent event;
    std::size_t hop = 0;
    const ConnectionState* via = nullptr;
    bool state_sync = false;
};

}  // namespace

Result<DeliveryReport> Connector::SendEvent(const std::string& tome_id, const TomeEvent& event,
                                            const TraceParent& parent) {
    return Route(internal::RouteRequest{tome_id, event, parent, false});
}

Result<DeliveryReport> Connector::Broadcast(const std::string& source_tome,
                                            const TomeEvent& event, const TraceParent& parent) {
    return Route(internal::RouteRequest{source_tome, event, parent, true});
}

Result<DeliveryReport> Connector::Route(const internal::RouteRequest& request) {
    if (auto s = CheckParent(request.parent); !s.ok()) return s;
    std::shared_ptr<Tome> origin = tomes_.Find(request.tome_id);
    if (!origin) return NotFound("tome '" + request.tome_id + "' does not exist");

    // One routing table and one toggle set for the whole journey of this event.
    const auto table = Table();
    const auto toggle_set = toggles_.Snapshot();
    const bool routing = toggle_set->IsEnabled(toggles::kEventRouting);
    const bool sync = toggle_set->IsEnabled(toggles::kStateSync);

    DeliveryReport report;
    report.event_id = "evt-" + telemetry::GenerateSpanId().ToHex();
    report.trace_id = request.parent.trace_id;
    if (report.trace_id.empty() && toggle_set->IsEnabled(toggles::kTracing)) {
        report.trace_id = telemetry::GenerateTraceId().ToHex();
    }
    report.origin = request.tome_id;
    events_received_.fetch_add(1, std::memory_order_relaxed);

    std::array<std::uint64_t, internal::kDropReasonCount> drops{};
    std::deque<Pending> queue;
    // Tomes that received (or are queued to receive) this event: none receives it twice.
    std::unordered_set<std::string> visited{request.tome_id};

    auto drop = [&](const ConnectionState& via, DropReason reason) {
        ++drops[static_cast<std::size_t>(reason)];
        if (reason != DropReason::kAlreadyVisited) {
            via.events_dropped.fetch_add(1, std::memory_order_relaxed);
        }
    };

    // Queues `event` for every neighbour `from` may forward to, applying each connection's
    // filter, mapping and transforms.
    auto forward = [&](const std::string& from, const TomeEvent& event, std::size_t hop) {
        for (const Link& link : table->LinksOf(from)) {
            const ConnectionState& via = *link.connection;
            const ConnectionConfig& config = via.config;
            if (!routing) {
                drop(via, DropReason::kRoutingDisabled);
                continue;
            }
            if (visited.count(*link.neighbour) > 0) {
                drop(via, DropReason::kAlreadyVisited);
                continue;
            }
            if (hop >= options_.hop_limit) {
                drop(via, DropReason::kHopLimit);
                continue;
            }
            std::shared_ptr<Tome> next = tomes_.Find(*link.neighbour);
            if (!next) {
                drop(via, DropReason::kTomeMissing);
                continue;
            }
            const auto& allowed = config.filters.events;
            if (!allowed.empty() &&
                std::find(allowed.begin(), allowed.end(), event.type) == allowed.end()) {
                drop(via, DropReason::kFiltered);
                continue;
            }
            TomeEvent mapped = event;
            if (auto m = config.event_mapping.find(event.type); m != config.event_mapping.end()) {
                mapped.type = m->second;
            }
            if (config.transform) ApplyTransform(*config.transform, mapped.payload);
            if (config.transform_fn) {
                std::optional<TomeEvent> result;
                try {
                    result = config.transform_fn(mapped);
                } catch (...) {
                    // No exception crosses a user callback: the event is dropped and counted.
                    drop(via, DropReason::kTransformFailed);
                    continue;
                }
                if (!result) {
                    drop(via, DropReason::kFiltered);
                    continue;
                }
                mapped = std::move(*result);
            }
            visited.insert(*link.neighbour);
            queue.push_back(Pending{std::move(next), std::move(mapped), hop + 1, &via, false});
        }
    };

    // Queues a SYNC_STATE for every neighbour of `from` over a state-mapped connection.
    auto sync_state = [&](const std::string& from, const TransitionOutcome& out,
                          std::size_t hop) {
        for (const Link& link : table->LinksOf(from)) {
            const ConnectionState& via = *link.connection;
            if (via.config.state_mapping.empty()) continue;
            if (!sync) {
                drop(via, DropReason::kSyncDisabled);
                continue;
            }
            std::shared_ptr<Tome> next = tomes_.Find(*link.neighbour);
            if (!next) {
                drop(via, DropReason::kTomeMissing);
                continue;
            }
            Json updates = SyncUpdates(via.config, out);
            if (updates.empty()) continue;
            TomeEvent event{kSyncStateEvent, Json{{"updates", std::move(updates)}}};
            queue.push_back(Pending{std::move(next), std::move(event), hop + 1, &via, true});
        }
    };

    if (request.broadcast) {
        forward(request.tome_id, request.event, 0);
    } else {
        queue.push_back(Pending{origin, request.event, 0, nullptr, false});
    }

    while (!queue.empty()) {
        Pending p = std::move(queue.front());
        queue.pop_front();
        const TransitionOutcome out = p.tome->Send(p.event);
        const std::string& id = p.tome->id();
        report.deliveries.push_back(Delivery{id, p.via ? p.via->id : std::string(), p.event.type,
                                             p.hop, out.handled, out.from, out.to, p.state_sync});
        if (p.via != nullptr) {
            p.via->Touch(clock_.Now());
            auto& counter = p.state_sync ? p.via->states_synced : p.via->events_forwarded;
            counter.fetch_add(1, std::memory_order_relaxed);
            (p.state_sync ? states_synced_ : events_forwarded_)
                .fetch_add(1, std::memory_order_relaxed);
        }
        if (p.state_sync) continue;  // a sync never travels further
        if (Changed(*p.tome, p.event, out)) sync_state(id, out, p.hop);
        forward(id, p.event, p.hop);
    }

    deliveries_.fetch_add(report.deliveries.size(), std::memory_order_relaxed);
    for (std::size_t i = 0; i < drops.size(); ++i) {
        if (drops[i] == 0) continue;
        dropped_[i].fetch_add(drops[i], std::memory_order_relaxed);
        report.dropped[std::string(internal::DropReasonName(static_cast<DropReason>(i)))] =
            drops[i];
    }
    return report;
}

}  // namespace tome::connector
