// Connection values: how two tomes are linked (event mapping, state mapping, filters,
// transforms, tracing) and the JSON wire shape of that description. Everything here is a plain
// value or a pure function; safe to use from any thread. A TransformFn is a user callback: it
// may be called concurrently from many threads and must not throw (a throw drops the event).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tome/core/clock.hpp"
#include "tome/core/status.hpp"
#include "tome/core/tome.hpp"

namespace tome::connector {

using Json = nlohmann::json;

/// Declarative payload transform usable over HTTP: applied in order rename, drop, set. Keys and
/// values are dot paths into the event payload; `set` maps dot paths to literal values.
struct DeclarativeTransform {
    std::map<std::string, std::string> rename;
    std::vector<std::string> drop;
    Json set = Json::object();
};

/// Library form of a transform: returns the event to forward, or nullopt to drop it (counted as
/// "filtered"). Called concurrently, without any connector lock held.
using TransformFn = std::function<std::optional<TomeEvent>(const TomeEvent&)>;

struct ConnectionFilters {
    std::vector<std::string> events;       ///< Event types forwarded; empty = all.
    std::vector<std::string> state_paths;  ///< Source context paths synced; empty = all mapped.
};

struct ConnectionConfig {
    /// Source event type -> event type delivered to the other side; unmapped events pass
    /// unchanged. Applies in both directions of a bidirectional connection.
    std::map<std::string, std::string> event_mapping;
    /// Sending tome's context dot path (or "state" = current state name) -> receiving tome's
    /// context dot path; empty = sync nothing.
    std::map<std::string, std::string> state_mapping;
    bool bidirectional = true;
    ConnectionFilters filters;
    std::optional<DeclarativeTransform> transform;
    TransformFn transform_fn;  ///< C++ callers only; applied after `transform`.
    bool enable_tracing = true;
    std::string custom_trace_id;  ///< Empty or 32 lowercase hex, non-zero.
};

/// Parses the JSON shape of the original system:
/// {"eventMapping":{...},"stateMapping":{...},"bidirectional":true,
///  "filters":{"events":[...],"statePaths":[...]},"transform":{"rename":{},"drop":[],"set":{}},
///  "enableTracing":true,"customTraceId":"..."}
/// Every field is optional; unknown keys are rejected. Errors are kInvalidArgument and name the
/// field path, e.g. "config.eventMapping.PAY: must be a string".
Result<ConnectionConfig> ParseConnectionConfig(const Json& json);

/// Checks a config built in C++ with the same rules as ParseConnectionConfig (paths, trace id).
/// kInvalidArgument names the field path.
Status ValidateConnectionConfig(const ConnectionConfig& config);

/// The config in the shape ParseConnectionConfig accepts; transform_fn shows as
/// "transformFn": true when set (and is then rejected by the parser: it cannot travel as JSON).
Json ToJson(const ConnectionConfig& config);

/// Applies a declarative transform to a payload (rename, then drop, then set).
void ApplyTransform(const DeclarativeTransform& transform, Json& payload);

enum class Health { kHealthy, kDegraded, kUnhealthy };

/// "healthy" | "degraded" | "unhealthy".
std::string_view HealthName(Health health);

/// A point-in-time copy of one connection.
struct ConnectionInfo {
    std::string id;  ///< "conn-<n>-<source>-<target>", unique, URL-safe.
    std::string source, target;
    ConnectionConfig config;
    Clock::TimePoint created_at, last_activity;
    std::string trace_id;  ///< Hex: custom_trace_id if given, else a fresh id at creation.
    Health health = Health::kHealthy;
    std::uint64_t events_forwarded = 0, states_synced = 0, events_dropped = 0;
};

/// {id, sourceTome, targetTome, config, bidirectional, direction: "two-way"|"one-way", health,
///  createdAt, lastActivity (RFC 3339), traceId, eventsForwarded, statesSynced, eventsDropped}
Json ToJson(const ConnectionInfo& info);

}  // namespace tome::connector
