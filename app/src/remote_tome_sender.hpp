// HttpRemoteTomeSender: forwards events to tomes that live in another tome process, by POSTing
// to that process's /api/remote/events with the event id, origin and path, and reading back its
// delivery report. The request carries the current Context through a text-map propagator (W3C
// traceparent, tracestate and baggage by default), so the far side continues the trace and
// keeps the business.* baggage. Safe to call concurrently (each call uses its own HTTP request).
#pragma once

#include <chrono>
#include <memory>

#include "tome/connector/remote.hpp"
#include "tome/robotcopy/backend_client.hpp"
#include "tome/telemetry/trace/propagation.hpp"

namespace tome::app {

class HttpRemoteTomeSender final : public connector::RemoteTomeSender {
public:
    /// `propagator` is borrowed and must outlive the sender: the app's configured one
    /// (OTEL_PROPAGATORS). Null: W3C trace context plus W3C baggage, owned by the sender.
    /// `bearer_token`: sent as "Authorization: Bearer ..." to the far side's remote-tome endpoint
    /// (its `remote` scope); empty = none.
    HttpRemoteTomeSender(std::unique_ptr<robotcopy::BackendClient> client,
                         const telemetry::trace::TextMapPropagator* propagator = nullptr,
                         std::string bearer_token = {});

    /// Injects Context::Current() (span context and baggage) into the request headers. When
    /// `trace` names another position than the current span (a different trace, or a span id
    /// that is not the current one), that position is sent instead, with the current baggage; a
    /// trace id without a span id gets a fresh span id, flags 01. Errors: kUnavailable when
    /// nothing reached the far side or it answered 429, 502, 503 or 504 (retried by the
    /// connector); kDeadlineExceeded at `timeout`; kAborted when the exchange broke off or the
    /// far side answered another 5xx; kFailedPrecondition for a 4xx (it refuses the event).
    Result<connector::DeliveryReport> Deliver(const std::string& endpoint,
                                              const std::string& tome_id, const TomeEvent& event,
                                              const std::string& event_id,
                                              const std::string& origin,
                                              const connector::EventPath& path,
                                              const connector::TraceParent& trace,
                                              std::chrono::milliseconds timeout) override;

private:
    std::unique_ptr<robotcopy::BackendClient> client_;
    std::unique_ptr<telemetry::trace::TextMapPropagator> own_propagator_;  // when none is given
    const telemetry::trace::TextMapPropagator* propagator_;
    const std::string bearer_token_;
};

}  // namespace tome::app
