// Connector: owns the connections between tomes, routes events through the resulting network
// (BFS, each tome receives an event at most once), syncs state along mapped connections, and
// reports topology, validation and health. All methods may be called concurrently: the routing
// table is an immutable snapshot swapped on Connect/Disconnect, and one event reads one routing
// snapshot and one FeatureToggles snapshot for its whole journey. No lock is held while a tome
// handles an event or a user transform runs.
// Telemetry (ConnectorOptions::tracer_provider / meter_provider, else the global providers):
// spans connection.create, connection.delete, network.create, broadcast, and one event.forward
// or state.sync span per delivery, each the child of the delivery that caused it (the first one
// a child of the TraceParent, else of the current Context); drops and toggle decisions are span
// events. No span is started when toggles::kTracing is off in the journey's snapshot. Metrics:
// tome.connections.total, tome.connections.active, tome.events.forwarded, tome.events.dropped,
// tome.response_time_ms (milliseconds), tome.remote.circuit_state (per remote tome: 0 closed,
// 1 half-open, 2 open). Structured logs (ConnectorOptions::logger_provider, else
// the global provider), each emitted with the trace and span ids of its operation's span and the
// business.* baggage entries as attributes: INFO "Connection created" / "Connection deleted" /
// "Network created"; DEBUG "Event forwarded" per forward; "Event dropped" per drop with the
// tome.events.dropped reason (DEBUG already_visited; INFO filtered, routing_disabled,
// sync_disabled, hop_limit; WARN tome_missing, transform_failed, remote_failed; DEBUG
// circuit_open); ERROR "Transform failed" / "Remote send failed"; WARN "Remote circuit opened",
// INFO "Remote circuit half-open" / "Remote circuit closed" (see remote_link.hpp); WARN
// "Connection health degraded" and INFO "Connection health recovered" when CheckHealth sees a
// connection's health change. Telemetry never throws into
// the caller.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tome/connector/connection.hpp"
#include "tome/connector/remote_link.hpp"
#include "tome/core/clock.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/status.hpp"
#include "tome/core/tome.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::telemetry::trace {
class TracerProvider;
}  // namespace tome::telemetry::trace
namespace tome::telemetry::metrics {
class MeterProvider;
}  // namespace tome::telemetry::metrics
namespace tome::telemetry::logs {
class LoggerProvider;
}  // namespace tome::telemetry::logs

namespace tome::connector {

struct ConnectorOptions {
    /// Max path length (hops from the origin) of a forwarded event; further forwards are dropped
    /// and counted "hop_limit". Default 16. Raising it lets an event travel further in chains.
    std::size_t hop_limit = 16;
    /// Validation only: a tome with more outgoing (forwarding) connections is flagged. Default 10.
    std::size_t max_fan_out = 10;
    /// Validation only: a tome from which an event reaches more tomes than this (within
    /// hop_limit) is flagged. Default 5.
    std::size_t max_amplification = 5;
    /// A connection idle longer than this is degraded. Default 60 s.
    std::chrono::milliseconds degraded_after{60000};
    /// Connect beyond this many connections -> kResourceExhausted. Default 10000. Each
    /// Connect/Disconnect copies the routing table, so cost grows linearly with this.
    std::size_t max_connections = 10000;
    /// Where the connector's spans go (connection.create, connection.delete, network.create,
    /// event.forward, state.sync, broadcast). Null (default): telemetry::trace::
    /// GetTracerProvider() at construction, a no-op until the app installs an SDK provider.
    std::shared_ptr<telemetry::trace::TracerProvider> tracer_provider;
    /// Where the connector's metrics go (tome.connections.total, tome.connections.active,
    /// tome.events.forwarded, tome.events.dropped, tome.response_time_ms). Null (default):
    /// telemetry::metrics::GetMeterProvider() at construction.
    std::shared_ptr<telemetry::metrics::MeterProvider> meter_provider;
    /// Where the connector's structured logs go (see the header comment). Null (default):
    /// telemetry::logs::GetLoggerProvider() at construction. Records below the provider's
    /// minimum severity cost one compare per call site (no attribute is built).
    std::shared_ptr<telemetry::logs::LoggerProvider> logger_provider;
    /// robotcopy.service and robotcopy.environment on every span and log record. Default "tome",
    /// "development" (RobotCopyOptions' defaults).
    std::string service_name = "tome";
    std::string environment = "development";
    /// Timeout, retries and circuit breaker of every remote tome registered without options of
    /// its own.
    RemoteLinkOptions remote;
};

/// W3C ids in lowercase hex; an empty trace_id starts a new trace.
struct TraceParent {
    std::string trace_id;
    std::string span_id;
};

/// One delivery of an event (or of a state sync) to one tome.
struct Delivery {
    std::string tome;
    std::string via_connection;  ///< Empty for the origin.
    std::string event_type;      ///< The type as delivered (after mapping).
    std::size_t hop = 0;         ///< 0 for the origin.
    bool handled = false;
    std::string from_state, to_state;
    bool state_sync = false;  ///< A SYNC_STATE caused by the previous delivery; never forwarded.
    /// The event.forward / state.sync span that recorded this delivery and its parent (the
    /// span of the delivery that caused it, or the caller's). Invalid (all zero) when the
    /// delivery was not traced. One id system: RobotCopy's history uses these ids.
    telemetry::SpanId span_id;
    telemetry::SpanId parent_span_id;
};

struct DeliveryReport {
    std::string event_id;
    std::string trace_id;
    std::string origin;
    std::vector<Delivery> deliveries;  ///< In delivery order.
    /// Reason -> count: "already_visited", "hop_limit", "filtered", "routing_disabled",
    /// "sync_disabled", "tome_missing", "transform_failed" (a TransformFn threw),
    /// "remote_failed" (a remote tome could not be reached), "circuit_open" (its breaker refused
    /// the forward without trying). A remote hop adds the far side's
    /// deliveries and drops.
    std::map<std::string, std::uint64_t> dropped;
};

/// {eventId, traceId, origin, deliveries:[{tome, viaConnection, eventType, hop, handled,
///  fromState, toState, stateSync, spanId?, parentSpanId?}], dropped:{...}} (the span ids
///  when valid, 16 lowercase hex characters)
Json ToJson(const DeliveryReport& report);
/// The inverse of ToJson, for reports that come back from another process. kInvalidArgument
/// names the first malformed field.
Result<DeliveryReport> DeliveryReportFromJson(const Json& json);

struct TopologyNode {
    std::string id;
    std::string state;            ///< Empty when the tome is missing from the registry.
    bool present = true;          ///< False for a connected tome missing from the registry.
    std::string endpoint;         ///< Set for a remote tome (present, no local state).
    std::size_t connections = 0;  ///< Connections touching this tome.
    std::string circuit_state;    ///< A remote tome's breaker: closed, half_open or open.
};

struct Topology {
    std::vector<TopologyNode> nodes;    ///< Registry tomes plus missing connected ones, by id.
    std::vector<ConnectionInfo> edges;  ///< By creation.
    std::size_t total = 0, healthy = 0, degraded = 0, unhealthy = 0;
    /// {nodes:[{id, state, connections, endpoint?, circuitState?}], edges:[{id, source, target, direction, health,
    ///  createdAt, lastActivity, traceId}], counts:{total, healthy, degraded, unhealthy}}
    Json ToJson() const;
};

struct ValidationIssue {
    /// "cycle", "fan_out", "amplification", "missing_tome", "orphan_tome", "unknown_event",
    /// "duplicate_connection", "unknown_state_path".
    std::string type;
    std::string severity;  ///< "error" | "warning".
    std::vector<std::string> tomes;
    std::string message;
};

struct ValidationReport {
    bool valid = true;  ///< False iff any issue is an error.
    std::vector<ValidationIssue> issues;
    bool advanced = false;  ///< Advanced checks ran (toggles::kAdvancedValidation on).
    /// {valid, advanced, issues:[{type, severity, tomes, message}]}
    Json ToJson() const;
};

struct HealthReport {
    std::size_t total = 0, healthy = 0, degraded = 0, unhealthy = 0;
    std::vector<std::pair<std::string, Health>> connections;  ///< By creation.
    Clock::TimePoint checked_at;
    /// {total, healthy, degraded, unhealthy, connections:[{id, health}], checkedAt}
    Json ToJson() const;
};

struct ConnectorStats {
    std::uint64_t events_received = 0;  ///< Events entering via SendEvent/Broadcast.
    std::uint64_t deliveries = 0;       ///< Every delivery, origin and syncs included.
    std::uint64_t events_forwarded = 0;
    std::uint64_t states_synced = 0;
    std::map<std::string, std::uint64_t> dropped;
    std::size_t connections = 0;
    /// {eventsReceived, deliveries, eventsForwarded, statesSynced, dropped:{...}, connections}
    Json ToJson() const;
};

class RemoteTomeSender;
struct EventPath;

namespace internal {
struct ConnectionState;
struct RoutingTable;
struct RouteRequest;
struct Instrumentation;
inline constexpr std::size_t kDropReasonCount = 9;
}  // namespace internal

/// All methods may be called concurrently. Borrows the registry, toggles and clock: they must
/// outlive the connector.
class Connector {
  public:
    Connector(TomeRegistry& tomes, FeatureToggles& toggles, const Clock& clock,
              ConnectorOptions options = {});
    ~Connector();
    Connector(const Connector&) = delete;
    Connector& operator=(const Connector&) = delete;

    /// kNotFound names an unknown tome; kInvalidArgument for source == target or a bad config;
    /// kAlreadyExists when source->target is already connected; kResourceExhausted beyond
    /// max_connections.
    Result<ConnectionInfo> Connect(const std::string& source, const std::string& target,
                                   ConnectionConfig config);
    /// kNotFound when no such connection.
    Status Disconnect(const std::string& connection_id);
    /// Puts back a connection as a store kept it (storage/): its id, ends, config and trace id,
    /// whether or not its tomes are present now (a connection whose tome was deleted stays, and
    /// is unhealthy, as it was before the restart). Ids handed out later continue after the
    /// highest restored "conn-<n>-...". kAlreadyExists when the id or the pair is taken,
    /// kInvalidArgument for a config ValidateConnectionConfig refuses. No span, log or metric:
    /// nothing was created.
    Status RestoreConnection(const std::string& id, const std::string& source, const std::string& target,
                             ConnectionConfig config, const std::string& trace_id);
    /// Ids handed out later are "conn-<n>-..." with n >= `next` (a store's high-water mark, so
    /// that the id of a connection deleted before a restart is never given to another).
    void ContinueConnectionIdsFrom(std::uint64_t next);
    /// kNotFound when no such connection.
    Result<ConnectionInfo> GetConnection(const std::string& id) const;
    /// Sorted by creation.
    std::vector<ConnectionInfo> ListConnections() const;
    /// Connections with `tome_id` as source or target, by creation.
    std::vector<ConnectionInfo> ConnectionsOf(const std::string& tome_id) const;

    /// Chains tomes a-b-c..., closed into a ring when there are >= 3. All or nothing: unknown
    /// tomes (all named, kNotFound), a duplicate name or fewer than 2 tomes (kInvalidArgument),
    /// or an existing pair (kAlreadyExists) create no connection.
    Result<std::vector<ConnectionInfo>> CreateRingNetwork(const std::vector<std::string>& tomes,
                                                          const ConnectionConfig& config);
    /// Connects hub -> each spoke. All or nothing, with the errors of CreateRingNetwork.
    Result<std::vector<ConnectionInfo>> CreateHubNetwork(const std::string& hub,
                                                         const std::vector<std::string>& spokes,
                                                         const ConnectionConfig& config);

    /// Delivers the event to the tome, then forwards it through the network (BFS). kNotFound
    /// when the tome is unknown; kInvalidArgument for a malformed TraceParent.
    Result<DeliveryReport> SendEvent(const std::string& tome_id, const TomeEvent& event,
                                     const TraceParent& parent = {});
    /// Delivers to every neighbour the source may forward to (not to the source), each of
    /// which forwards on. Errors as SendEvent.
    Result<DeliveryReport> Broadcast(const std::string& source_tome, const TomeEvent& event,
                                     const TraceParent& parent = {});

    /// Registers `tome_id` as a tome living at `endpoint` ("http://..." or "https://..."), so
    /// it may be connected and forwarded to. kAlreadyExists when the id is registered (locally
    /// or as remote); kInvalidArgument for an empty id, a bad endpoint or bad options. Forwards
    /// to it follow `options` (default: ConnectorOptions::remote). While its breaker is open,
    /// its connections are unhealthy; half-open, degraded.
    Status RegisterRemoteTome(const std::string& tome_id, const std::string& endpoint,
                              std::optional<RemoteLinkOptions> options = std::nullopt);
    /// kNotFound when the id is not a registered remote tome. Its connections stay (and turn
    /// unhealthy).
    Status UnregisterRemoteTome(const std::string& tome_id);
    /// The sender for forwards to remote tomes; without one they are dropped "remote_failed".
    void SetRemoteSender(std::shared_ptr<RemoteTomeSender> sender);
    /// The far side of a remote forward (see remote.hpp): delivers to local `tome_id` at hop
    /// path.tomes.size(), then continues the BFS, skipping every tome in path.visited. The report
    /// keeps `event_id` and `origin`. kNotFound for an unknown tome; kInvalidArgument for an
    /// empty event id or a malformed trace.
    Result<DeliveryReport> ContinueEvent(const std::string& tome_id, const TomeEvent& event,
                                         const std::string& event_id, const std::string& origin,
                                         const EventPath& path, const TraceParent& trace = {});

    Topology GetTopology() const;
    /// Advanced checks run when toggles::kAdvancedValidation is on.
    ValidationReport Validate() const;
    /// Recomputes each connection's health from the clock and the registry.
    HealthReport CheckHealth() const;
    ConnectorStats stats() const;

  private:
    std::shared_ptr<const internal::RoutingTable> Table() const;
    void Publish(std::shared_ptr<const internal::RoutingTable> table);  // requires write_mu_
    bool Present(const internal::RoutingTable& table, const std::string& tome) const;
    /// AddConnections inside a connection.create (network_type empty) or network.create span,
    /// with the connection metrics.
    Result<std::vector<ConnectionInfo>> ConnectMany(
        const std::vector<std::pair<std::string, std::string>>& pairs,
        const ConnectionConfig& config, std::string_view network_type = {});
    Result<std::vector<ConnectionInfo>> AddConnections(
        const std::vector<std::pair<std::string, std::string>>& pairs,
        const ConnectionConfig& config);
    Result<DeliveryReport> Route(const internal::RouteRequest& request);
    ConnectionInfo Info(const internal::RoutingTable& table,
                        const internal::ConnectionState& connection) const;

    TomeRegistry& tomes_;
    FeatureToggles& toggles_;
    const Clock& clock_;
    const ConnectorOptions options_;

    std::mutex write_mu_;                                  // serialises writers; guards next_id_
    std::uint64_t next_id_ = 1;                            // guarded by write_mu_
    mutable std::mutex table_mu_;                          // guards the pointer table_ only
    std::shared_ptr<const internal::RoutingTable> table_;  // guarded by table_mu_

    std::atomic<std::uint64_t> events_received_{0};
    std::atomic<std::uint64_t> deliveries_{0};
    std::atomic<std::uint64_t> events_forwarded_{0};
    std::atomic<std::uint64_t> states_synced_{0};
    std::array<std::atomic<std::uint64_t>, internal::kDropReasonCount> dropped_{};
    // Spans and metrics. Declared last: destroyed first, which unregisters the
    // tome.connections.active callback (it reads table_) before anything else goes.
    std::unique_ptr<internal::Instrumentation> telemetry_;
};

}  // namespace tome::connector
