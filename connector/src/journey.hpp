// Private to connector: one event's journey, the BFS through the network that Connector::Route
// runs on the caller's thread over one routing snapshot and one toggle snapshot. It delivers,
// syncs, forwards, records each delivery as a span (event.forward / state.sync, each the child
// of the delivery that caused it) and adds to the connector's counters and metrics. No
// connector lock is held while it runs.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "instrumentation.hpp"
#include "routing_table.hpp"
#include "tome/connector/connector.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/telemetry/trace/context.hpp"

namespace tome::connector::internal {

/// Counters of the Connector that a journey adds to.
struct Totals {
    std::atomic<std::uint64_t>& deliveries;
    std::atomic<std::uint64_t>& events_forwarded;
    std::atomic<std::uint64_t>& states_synced;
    std::array<std::atomic<std::uint64_t>, kDropReasonCount>& dropped;
};

/// Runs one event's journey and returns its report (`report` filled in with the deliveries
/// and drops; its trace_id, when empty, becomes the spans' trace id, or a fresh one when
/// toggles::kTracing is on). `parent` is the Context the journey's first span is a child of.
/// `origin` is the tome first delivered to (unused for a broadcast).
DeliveryReport RunJourney(const RouteRequest& request, const RoutingTable& table,
                          const ToggleSet& toggle_set, const TomeRegistry& tomes,
                          const Clock& clock, const ConnectorOptions& options, Totals totals,
                          const Instrumentation& telemetry, const telemetry::trace::Context& parent,
                          std::shared_ptr<Tome> origin, DeliveryReport report);

}  // namespace tome::connector::internal
