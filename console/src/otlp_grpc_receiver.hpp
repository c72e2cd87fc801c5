// OtlpGrpcReceiver: OTLP/gRPC (TraceService, MetricsService and LogsService Export) on its own
// port (4317 by default), through gRPC's callback generic service so that the request bytes are
// decoded by the same code as OTLP/HTTP (libprotobuf) and go to the same Ingestor. Answers the
// Export*ServiceResponse (with partial success), INVALID_ARGUMENT for a malformed message,
// UNAVAILABLE (retryable) when the console cannot keep up, UNIMPLEMENTED for other methods.
// Only built with gRPC (TOME_WITH_GRPC). Thread-safety: Start once, Shutdown idempotent.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ingestor.hpp"
#include "tome/core/status.hpp"

namespace tome::console::internal {

class OtlpGrpcReceiver {
public:
    /// Decides a call from its "authorization" metadata: 0 = in, else a gRPC status code.
    using Authorize = std::function<int(std::string_view authorization, std::string& message)>;
    /// `ingestor` must outlive the receiver. `authorize` empty: every call is let in.
    OtlpGrpcReceiver(Ingestor& ingestor, std::size_t max_message_bytes, Authorize authorize = {});
    ~OtlpGrpcReceiver();
    OtlpGrpcReceiver(const OtlpGrpcReceiver&) = delete;
    OtlpGrpcReceiver& operator=(const OtlpGrpcReceiver&) = delete;

    /// Listens on address:port (port 0: an ephemeral one). kUnavailable when it cannot bind.
    Status Start(const std::string& address, unsigned short port);
    /// The bound port; 0 before a successful Start.
    unsigned short port() const noexcept;
    /// Cancels calls in flight and stops; bounded by `timeout`. Idempotent.
    void Shutdown(std::chrono::milliseconds timeout);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tome::console::internal
