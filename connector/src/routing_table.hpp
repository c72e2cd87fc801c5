// Private to connector: the live state of one connection (atomic counters) and the immutable
// routing table snapshot built from the connection list. A RoutingTable is never modified after
// Build(); writers build a new one and publish it. ConnectionState counters are atomics updated
// by any number of routing threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tome/connector/connection.hpp"
#include "tome/connector/connector.hpp"
#include "tome/connector/remote.hpp"
#include "tome/connector/remote_link.hpp"

namespace tome::connector::internal {

enum class DropReason : std::size_t {
    kAlreadyVisited,
    kHopLimit,
    kFiltered,
    kRoutingDisabled,
    kSyncDisabled,
    kTomeMissing,
    kTransformFailed,
    kRemoteFailed,
    kCircuitOpen,
};
static_assert(static_cast<std::size_t>(DropReason::kCircuitOpen) + 1 == kDropReasonCount);

/// "already_visited", "hop_limit", ...
std::string_view DropReasonName(DropReason reason);

struct ConnectionState {
    ConnectionState(std::string id_in, std::string source_in, std::string target_in,
                    ConnectionConfig config_in, Clock::TimePoint created, std::string trace)
        : id(std::move(id_in)),
          source(std::move(source_in)),
          target(std::move(target_in)),
          config(std::move(config_in)),
          created_at(created),
          trace_id(std::move(trace)),
          last_activity_ns(created.time_since_epoch().count()) {}

    /// Moves last_activity forward to `now` (never backwards, whatever the thread order).
    void Touch(Clock::TimePoint now) const {
        const auto ns = now.time_since_epoch().count();
        auto seen = last_activity_ns.load(std::memory_order_relaxed);
        while (seen < ns &&
               !last_activity_ns.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
        }
    }
    Clock::TimePoint last_activity() const {
        return Clock::TimePoint{
            Clock::TimePoint::duration{last_activity_ns.load(std::memory_order_relaxed)}};
    }

    const std::string id, source, target;
    const ConnectionConfig config;
    const Clock::TimePoint created_at;
    const std::string trace_id;
    mutable std::atomic<Clock::TimePoint::rep> last_activity_ns;
    mutable std::atomic<std::uint64_t> events_forwarded{0};
    mutable std::atomic<std::uint64_t> states_synced{0};
    mutable std::atomic<std::uint64_t> events_dropped{0};
    /// The health the last CheckHealth saw (healthy at creation): a change is logged once.
    mutable std::atomic<Health> reported_health{Health::kHealthy};
};

/// The link to one remote tome: its options and breaker, shared by every routing table
/// snapshot from its registration on, so the breaker's state survives Connect/Disconnect.
struct RemoteLinkState {
    RemoteLinkState(std::string endpoint_in, const RemoteLinkOptions& options_in)
        : endpoint(std::move(endpoint_in)),
          options(options_in),
          breaker(options_in.failure_threshold, options_in.open_duration) {}

    const std::string endpoint;
    const RemoteLinkOptions options;
    mutable CircuitBreaker breaker;
};

/// One direction in which a tome may forward over a connection.
struct Link {
    const ConnectionState* connection;
    const std::string* neighbour;  ///< Points into *connection.
};

struct RoutingTable {
    std::vector<std::shared_ptr<const ConnectionState>> connections;  ///< By creation.
    std::unordered_map<std::string, std::size_t> by_id;  ///< id -> index in connections.
    /// tome -> links it may forward over, by connection creation.
    std::unordered_map<std::string, std::vector<Link>> links;
    std::set<std::pair<std::string, std::string>> pairs;   ///< Directed (source, target).
    /// Remote tome id -> its link (endpoint, options, breaker); never null.
    std::unordered_map<std::string, std::shared_ptr<RemoteLinkState>> remotes;
    std::shared_ptr<RemoteTomeSender> sender;  ///< May be null.

    static std::shared_ptr<const RoutingTable> Build(
        std::vector<std::shared_ptr<const ConnectionState>> connections,
        std::unordered_map<std::string, std::shared_ptr<RemoteLinkState>> remotes,
        std::shared_ptr<RemoteTomeSender> sender);
    /// A copy of this table's remotes and sender with other connections.
    std::shared_ptr<const RoutingTable> With(
        std::vector<std::shared_ptr<const ConnectionState>> connections) const {
        return Build(std::move(connections), remotes, sender);
    }

    /// Empty when the tome has no forwarding link.
    const std::vector<Link>& LinksOf(const std::string& tome) const;
    const ConnectionState* Find(const std::string& id) const;
};

/// What Connector::Route needs to know about one entering event.
struct RouteRequest {
    const std::string& tome_id;
    const TomeEvent& event;
    const TraceParent& parent;
    bool broadcast = false;  ///< Deliver to the tome's neighbours instead of the tome.
    /// Set when continuing a journey that came from another process (ContinueEvent).
    const std::string* event_id = nullptr;
    const std::string* origin = nullptr;
    const EventPath* path = nullptr;
};

}  // namespace tome::connector::internal
