// HttpRemoteTomeSender: forwards events to tomes that live in another tome process, by POSTing
// to that process's /api/remote/events with the event id, origin and path, and reading back its
// delivery report. Safe to call concurrently (each call uses its own HTTP request).
#pragma once

#include <chrono>
#include <memory>

#include "tome/connector/remote.hpp"
#include "tome/robotcopy/backend_client.hpp"

namespace tome::app {

class HttpRemoteTomeSender final : public connector::RemoteTomeSender {
public:
    HttpRemoteTomeSender(std::unique_ptr<robotcopy::BackendClient> client,
                         std::chrono::milliseconds timeout)
        : client_(std::move(client)), timeout_(timeout) {}

    Result<connector::DeliveryReport> Deliver(const std::string& endpoint,
                                              const std::string& tome_id, const TomeEvent& event,
                                              const std::string& event_id,
                                              const std::string& origin,
                                              const connector::EventPath& path,
                                              const connector::TraceParent& trace) override;

private:
    std::unique_ptr<robotcopy::BackendClient> client_;
    const std::chrono::milliseconds timeout_;
};

}  // namespace tome::app
