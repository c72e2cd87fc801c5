// Entering events: SendEvent, Broadcast and ContinueEvent check their arguments, take one
// routing snapshot and one toggle snapshot, and run the event's journey (journey.hpp) on the
// caller's thread, timed into tome.response_time_ms. No connector lock is held meanwhile.
#include <chrono>

#include "instrumentation.hpp"
#include "journey.hpp"
#include "routing_table.hpp"
#include "tome/connector/connector.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::connector {
namespace {

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
    // Empty: the journey takes its spans' trace id, or a fresh one (when tracing is on).
    report.trace_id = request.parent.trace_id;
    // Only events entering this process count as received; a continued journey already did.
    if (request.path == nullptr) events_received_.fetch_add(1, std::memory_order_relaxed);

    const auto started = clock_.SteadyNow();
    const telemetry::trace::Context parent = internal::ParentContext(request.parent);
    DeliveryReport done = internal::RunJourney(
        request, *table, *toggle_set, tomes_, clock_, options_,
        internal::Totals{deliveries_, events_forwarded_, states_synced_, dropped_}, *telemetry_,
        parent, std::move(origin), std::move(report));
    const auto operation = request.broadcast         ? internal::Operation::kBroadcast
                           : request.path != nullptr ? internal::Operation::kEventContinue
                                                     : internal::Operation::kEventSend;
    telemetry_->Timed(operation,
                      std::chrono::duration<double>(clock_.SteadyNow() - started).count());
    return done;
}

}  // namespace tome::connector
