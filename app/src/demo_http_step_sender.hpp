// The HTTP DemoStepSender used by `tome demo`: each step is
// `POST http://HOST:PORT/api/tomes/<id>/events` to the process's own API, so an order shows the
// whole instrumented path (CLIENT span -> the API's SERVER span -> the connector's spans).
// The step span is a CLIENT span with the HTTP client semantic conventions; the current
// context is injected with the given propagator. Each sender posts through its own
// robotcopy::BackendClient (libcurl, the same client RobotCopy and remote tomes use) and is
// confined to the worker thread that made it.
#pragma once

#include <chrono>
#include <string>

#include "demo_step_sender.hpp"
#include "tome/telemetry/trace/propagation.hpp"

namespace tome::app {

/// Bound on one step's HTTP exchange (connect + send + receive).
inline constexpr std::chrono::milliseconds kDemoStepTimeout{5000};

struct HttpStepSenderOptions {
    /// The API's host as a literal address ("127.0.0.1", "::1"). Required.
    std::string host;
    /// The API's port. Required.
    unsigned short port = 0;
    /// Whole-exchange timeout of one step. Default kDemoStepTimeout; a step that hits it fails
    /// with kDeadlineExceeded (and its order counts as an error).
    std::chrono::milliseconds timeout = kDemoStepTimeout;
    /// Writes traceparent/tracestate/baggage. Borrowed; must outlive every sender. Default
    /// null: no context travels (the API then starts a new trace per step).
    const telemetry::trace::TextMapPropagator* propagator = nullptr;
};

/// The address a local client should use to reach a server bound to `bind_address`: the
/// loopback address of the same family for a wildcard ("0.0.0.0", "::", empty), else itself.
std::string LoopbackFor(const std::string& bind_address);

/// Senders that post to the API described by `options`. The factory may be called from any
/// thread (libcurl's global set-up runs once per process, guarded).
DemoStepSenderFactory HttpStepSenders(HttpStepSenderOptions options);

}  // namespace tome::app
