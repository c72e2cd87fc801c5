// Remote tomes: a network that spans processes. The connector forwards to a tome registered as
// remote (tome id -> endpoint URL) through a RemoteTomeSender, passing the event id, origin and
// path so the far side continues the same BFS (Connector::ContinueEvent) without repeats. The
// link's timeout, retries and circuit breaker are in remote_link.hpp. The
// transport (HTTP) lives in a higher layer; this header only declares the interface.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tome/connector/connector.hpp"
#include "tome/core/status.hpp"
#include "tome/core/tome.hpp"

namespace tome::connector {

/// Where an event has been when it crosses to another process.
struct EventPath {
    /// The branch that leads to the receiving tome: origin ... the forwarding tome. The
    /// receiving tome's hop is tomes.size().
    std::vector<std::string> tomes;
    /// Every tome that has received, or is queued to receive, this event so far. The far side
    /// delivers to none of them.
    std::vector<std::string> visited;
};

/// Delivers an event to a tome in another process. Implementations must be safe to call
/// concurrently; the connector holds no lock while calling, and catches anything thrown
/// (counted as "remote_failed"). Polymorphic: not copyable.
class RemoteTomeSender {
  public:
    RemoteTomeSender() = default;
    RemoteTomeSender(const RemoteTomeSender&) = delete;
    RemoteTomeSender& operator=(const RemoteTomeSender&) = delete;
    virtual ~RemoteTomeSender() = default;

    /// Hands `event` (already mapped and transformed for the connection it crossed) to `tome_id`
    /// at `endpoint`, where the far side is expected to call Connector::ContinueEvent with the
    /// same arguments, within `timeout`. Returns the far side's report (its deliveries, in
    /// order, and its drops). Errors: kUnavailable only when the far side cannot have acted on
    /// the event (no connection, or it answered that it is overloaded or not ready): the
    /// connector retries those; kDeadlineExceeded at the timeout; any other code for a failure
    /// after the far side may have delivered. An error is counted as "remote_failed" after the
    /// retries, and the local journey goes on.
    virtual Result<DeliveryReport> Deliver(const std::string& endpoint, const std::string& tome_id,
                                           const TomeEvent& event, const std::string& event_id,
                                           const std::string& origin, const EventPath& path,
                                           const TraceParent& trace,
                                           std::chrono::milliseconds timeout) = 0;
};

}  // namespace tome::connector
