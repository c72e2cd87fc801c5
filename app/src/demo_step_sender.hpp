// DemoStepSender: how DemoWorkload hands one step of an order (an event for one tome) to the
// network, so the workload runs the same with or without a server. The in-process sender calls
// Connector::SendEvent; the HTTP one (demo_http_step_sender.hpp) posts to the process's own API.
// A sender belongs to one worker thread: DemoWorkload makes one per worker through a
// DemoStepSenderFactory, which must be safe to call from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "tome/connector/connector.hpp"
#include "tome/core/status.hpp"
#include "tome/telemetry/trace/span.hpp"

namespace tome::app {

class DemoStepSender {
public:
    DemoStepSender() = default;
    DemoStepSender(const DemoStepSender&) = delete;
    DemoStepSender& operator=(const DemoStepSender&) = delete;
    virtual ~DemoStepSender() = default;

    /// The kind of the step span the workload opens around Send (kClient for a sender that
    /// leaves the process, kInternal otherwise).
    virtual telemetry::trace::SpanKind StepSpanKind() const noexcept = 0;

    /// Delivers `event` to tome `tome_id`. Called inside the scope of the step span `span`
    /// (Context::Current() is its context), on the thread that owns this sender. Records what
    /// it learns on `span` (deliveries; for HTTP the request and response attributes) but
    /// leaves its status to the caller. Returns the reason the event was not delivered: the
    /// connector's Status in process, or for HTTP the API's error code and message,
    /// kUnavailable when the server cannot be reached and kDeadlineExceeded on timeout.
    virtual Status Send(const std::string& tome_id, const TomeEvent& event,
                        telemetry::trace::Span& span) = 0;
};

/// Makes one sender per worker thread. Called concurrently from the workers.
using DemoStepSenderFactory = std::function<std::unique_ptr<DemoStepSender>()>;

/// In-process senders: Connector::SendEvent with the step span as the parent of the
/// connector's spans. Borrows `connector`, which must outlive every sender made.
DemoStepSenderFactory ConnectorStepSenders(connector::Connector& connector);

}  // namespace tome::app
