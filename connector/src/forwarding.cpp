// Event routing: one BFS per entering event over one routing snapshot and one toggle snapshot.
// Everything here runs on the caller's thread; no connector lock is held while tomes handle
// events or user transforms run.
#include <algorithm>
#include <deque>
#include <unordered_set>

#include "routing_table.hpp"
#include "tome/connector/connector.hpp"
#include "tome/connector/remote.hpp"
#include "tome/core/json_path.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::connector {
namespace {

using internal::ConnectionState;
using internal::DropReason;
using internal::Link;

constexpr auto kNoParent = static_cast<std::size_t>(-1);

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
    const std::string* endpoint = nullptr;  ///< Its endpoint (points into the table).
    TomeEvent event;
    std::size_t hop = 0;
    const ConnectionState* via = nullptr;
    bool state_sync = false;
    std::size_t parent = kNoParent;  ///< Index of the forwarding tome's delivery.
};

/// Counters of the Connector that a journey adds to.
struct Totals {
    std::atomic<std::uint64_t>& deliveries;
    std::atomic<std::uint64_t>& events_forwarded;
    std::atomic<std::uint64_t>& states_synced;
    std::array<std::atomic<std::uint64_t>, internal::kDropReasonCount>& dropped;
};

/// One event's BFS through the network. Confined to the calling thread.
class Journey {
  public:
    Journey(const internal::RouteRequest& request, const internal::RoutingTable& table,
            const ToggleSet& toggle_set, const TomeRegistry& tomes, const Clock& clock,
            const ConnectorOptions& options, Totals totals)
        : request_(request),
          table_(table),
          routing_(toggle_set.IsEnabled(toggles::kEventRouting)),
          sync_(toggle_set.IsEnabled(toggles::kStateSync)),
          tomes_(tomes),
          clock_(clock),
          options_(options),
          totals_(totals) {
        if (request.path != nullptr) {
            visited_.insert(request.path->visited.begin(), request.path->visited.end());
        }
        visited_.insert(request.tome_id);
    }

    DeliveryReport Run(std::shared_ptr<Tome> origin, DeliveryReport report) {
        report_ = std::move(report);
        if (request_.broadcast) {
            Forward(request_.tome_id, request_.event, 0, kNoParent);
        } else {
            const std::size_t hop = request_.path ? request_.path->tomes.size() : 0;
            queue_.push_back(Pending{std::move(origin), nullptr, nullptr, request_.event, hop});
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
        totals_.deliveries.fetch_add(local_deliveries_, std::memory_order_relaxed);
        for (std::size_t i = 0; i < drops_.size(); ++i) {
            if (drops_[i] == 0) continue;
            totals_.dropped[i].fetch_add(drops_[i], std::memory_order_relaxed);
            report_.dropped[std::string(internal::DropReasonName(static_cast<DropReason>(i)))] +=
                drops_[i];
        }
        return std::move(report_);
    }

  private:
    void Drop(const ConnectionState& via, DropReason reason) {
        ++drops_[static_cast<std::size_t>(reason)];
        if (reason != DropReason::kAlreadyVisited) {
            via.events_dropped.fetch_add(1, std::memory_order_relaxed);
        }
    }

    void Counted(const ConnectionState& via, bool state_sync) {
        via.Touch(clock_.Now());
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
        const TransitionOutcome out = p.tome->Send(p.event);
        const std::string& id = p.tome->id();
        Record(Delivery{id, p.via ? p.via->id : std::string(), p.event.type, p.hop, out.handled,
                        out.from, out.to, p.state_sync},
               p.parent);
        ++local_deliveries_;
        if (p.via != nullptr) Counted(*p.via, p.state_sync);
        if (p.state_sync) return;  // a sync never travels further
        const std::size_t self = report_.deliveries.size() - 1;
        if (Changed(*p.tome, p.event, out)) SyncState(id, out, p.hop, self);
        Forward(id, p.event, p.hop, self);
    }

    /// Hands the event to the far side, which continues the BFS and reports back.
    void DeliverRemote(const Pending& p) {
        EventPath path{Branch(p.parent), {visited_.begin(), visited_.end()}};
        auto far = [&]() -> Result<DeliveryReport> {
            if (!table_.sender) return Unavailable("no remote sender");
            try {
                return table_.sender->Deliver(*p.endpoint, *p.remote, p.event, report_.event_id,
                                              report_.origin, path,
                                              TraceParent{report_.trace_id, request_.parent.span_id});
            } catch (...) {
                return Internal("remote sender threw");
            }
        }();
        if (!far.ok()) {
            // Not delivered: another path (perhaps through the far side) may still reach it.
            visited_.erase(*p.remote);
            Drop(*p.via, DropReason::kRemoteFailed);
            return;
        }
        Counted(*p.via, false);
        for (auto& d : far->deliveries) {
            visited_.insert(d.tome);
            Record(std::move(d), kNoParent);
        }
        for (const auto& [reason, n] : far->dropped) report_.dropped[reason] += n;
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
                 std::size_t parent) {
        for (const Link& link : table_.LinksOf(from)) {
            const ConnectionState& via = *link.connection;
            const ConnectionConfig& config = via.config;
            if (!routing_) {
                Drop(via, DropReason::kRoutingDisabled);
                continue;
            }
            if (visited_.count(*link.neighbour) > 0) {
                Drop(via, DropReason::kAlreadyVisited);
                continue;
            }
            if (hop >= options_.hop_limit) {
                Drop(via, DropReason::kHopLimit);
                continue;
            }
            Pending next{tomes_.Find(*link.neighbour)};
            if (!next.tome) {
                auto remote = table_.remotes.find(*link.neighbour);
                if (remote == table_.remotes.end()) {
                    Drop(via, DropReason::kTomeMissing);
                    continue;
                }
                next.remote = &remote->first;
                next.endpoint = &remote->second;
            }
            const auto& allowed = config.filters.events;
            if (!allowed.empty() &&
                std::find(allowed.begin(), allowed.end(), event.type) == allowed.end()) {
                Drop(via, DropReason::kFiltered);
                continue;
            }
            next.event = event;
            if (auto m = config.event_mapping.find(event.type); m != config.event_mapping.end()) {
                next.event.type = m->second;
            }
            if (config.transform) ApplyTransform(*config.transform, next.event.payload);
            if (config.transform_fn) {
                std::optional<TomeEvent> result;
                try {
                    result = config.transform_fn(next.event);
                } catch (...) {
                    // No exception crosses a user callback: the event is dropped and counted.
                    Drop(via, DropReason::kTransformFailed);
                    continue;
                }
                if (!result) {
                    Drop(via, DropReason::kFiltered);
                    continue;
                }
                next.event = std::move(*result);
            }
            visited_.insert(*link.neighbour);
            next.hop = hop + 1;
            next.via = &via;
            next.parent = parent;
            queue_.push_back(std::move(next));
        }
    }

    /// Queues a SYNC_STATE for every local neighbour of `from` over a state-mapped connection.
    /// Remote neighbours are not synced (a sync must not continue a BFS on the far side).
    void SyncState(const std::string& from, const TransitionOutcome& out, std::size_t hop,
                   std::size_t parent) {
        for (const Link& link : table_.LinksOf(from)) {
            const ConnectionState& via = *link.connection;
            if (via.config.state_mapping.empty()) continue;
            if (!sync_) {
                Drop(via, DropReason::kSyncDisabled);
                continue;
            }
            std::shared_ptr<Tome> next = tomes_.Find(*link.neighbour);
            if (!next) {
                if (table_.remotes.count(*link.neighbour) == 0) {
                    Drop(via, DropReason::kTomeMissing);
                }
                continue;
            }
            Json updates = SyncUpdates(via.config, out);
            if (updates.empty()) continue;
            TomeEvent event{kSyncStateEvent, Json{{"updates", std::move(updates)}}};
            queue_.push_back(Pending{std::move(next), nullptr, nullptr, std::move(event), hop + 1,
                                     &via, true, parent});
        }
    }

    const internal::RouteRequest& request_;
    const internal::RoutingTable& table_;
    const bool routing_;
    const bool sync_;
    const TomeRegistry& tomes_;
    const Clock& clock_;
    const ConnectorOptions& options_;
    Totals totals_;

    DeliveryReport report_;
    std::vector<std::size_t> parents_;  // parallel to report_.deliveries
    std::deque<Pending> queue_;
    // Tomes that received (or are queued to receive) this event: none receives it twice.
    std::unordered_set<std::string> visited_;
    std::array<std::uint64_t, internal::kDropReasonCount> drops_{};
    std::uint64_t local_deliveries_ = 0;
};

}  // namespace

Result<DeliveryReport> Connector::SendEvent(const std::string& tome_id, const TomeEvent& event,
                                            const TraceParent& parent) {
    return Route(internal::RouteRequest{tome_id, event, parent, false});
}

Result<DeliveryReport> Connector::Broadcast(const std::string& source_tome, const TomeEvent& event,
                                            const TraceParent& parent) {
    return Route(internal::RouteRequest{source_tome, event, parent, true});
}

Result<DeliveryReport> Connector::ContinueEvent(const std::string& tome_id, const TomeEvent& event,
                                                const std::string& event_id,
                                                const std::string& origin, const EventPath& path,
                                                const TraceParent& trace) {
    if (event_id.empty()) return InvalidArgument("event id must not be empty");
    return Route(internal::RouteRequest{tome_id, event, trace, false, &event_id, &origin, &path});
}

Result<DeliveryReport> Connector::Route(const internal::RouteRequest& request) {
    if (auto s = CheckParent(request.parent); !s.ok()) return s;
    std::shared_ptr<Tome> origin = tomes_.Find(request.tome_id);
    if (!origin) return NotFound("tome '" + request.tome_id + "' does not exist");

    // One routing table and one toggle set for the whole journey of this event.
    const auto table = Table();
    const auto toggle_set = toggles_.Snapshot();

    DeliveryReport report;
    report.event_id =
        request.event_id ? *request.event_id : "evt-" + telemetry::GenerateSpanId().ToHex();
    report.origin = request.origin ? *request.origin : request.tome_id;
    report.trace_id = request.parent.trace_id;
    if (report.trace_id.empty() && toggle_set->IsEnabled(toggles::kTracing)) {
        report.trace_id = telemetry::GenerateTraceId().ToHex();
    }
    // Only events entering this process count as received; a continued journey already did.
    if (request.path == nullptr) events_received_.fetch_add(1, std::memory_order_relaxed);

    Journey journey(request, *table, *toggle_set, tomes_, clock_, options_,
                    Totals{deliveries_, events_forwarded_, states_synced_, dropped_});
    return journey.Run(std::move(origin), std::move(report));
}

}  // namespace tome::connector
