// LiveHub: the console's live stream (GET /console/api/stream, Server-Sent Events). It listens
// to the store for new traces (root spans) and log records, turns each into an SSE event once,
// and queues it on every open stream; each stream hands its events to the server as the
// connection drains them. Bounded everywhere: a cap on open streams, a per-stream queue (the
// oldest events go first, counted and announced), and a rate limit per stream. A tick (from the
// ingest thread, every second) sends keep-alive comments and a `stats` event every 5 s.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store.hpp"
#include "tome/api/http.hpp"

namespace tome::console::internal {

struct LiveOptions {
    std::size_t max_streams = 32;                  ///< Open streams at most.
    std::size_t max_queued_bytes = 1u << 20;       ///< Per stream; oldest events dropped past it.
    std::size_t max_events_per_second = 200;       ///< Per stream; the excess is dropped, counted.
};

class LiveStream;

class LiveHub {
public:
    /// `stats` builds the `stats` event's data. `store` must outlive the hub.
    LiveHub(Store& store, LiveOptions options, std::function<nlohmann::json()> stats);
    ~LiveHub();
    LiveHub(const LiveHub&) = delete;
    LiveHub& operator=(const LiveHub&) = delete;

    /// A new stream of the chosen events; null when max_streams are open.
    std::shared_ptr<api::ResponseStream> Open(bool traces, bool logs);
    /// Keep-alives and stats; call about once a second.
    void Tick();
    std::size_t open_streams() const;

private:
    void Broadcast(const std::string& event, bool is_trace);

    Store& store_;
    const LiveOptions options_;
    const std::function<nlohmann::json()> stats_;
    std::uint64_t listener_ = 0;
    mutable std::mutex mu_;
    std::vector<std::shared_ptr<LiveStream>> streams_;  // guarded by mu_
    std::atomic<std::size_t> count_{0};
    std::uint64_t ticks_ = 0;                           // guarded by mu_
};

}  // namespace tome::console::internal
