// AlertNotifier: delivers alert notifications (Alertmanager's POST /api/v2/alerts, and plain
// webhooks with Alertmanager's webhook payload) from its own thread, so evaluation never waits
// on a receiver. Each delivery is retried with jittered exponential backoff up to a limit; the
// queue is bounded (the oldest delivery is dropped when full). Every outcome is counted.
// Thread-safety: all methods may be called from any thread; Shutdown is idempotent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "tome/console/alerts.hpp"

namespace tome::console::internal {

struct NotifierStats {
    std::uint64_t sent = 0;     ///< Deliveries a receiver accepted (2xx).
    std::uint64_t retried = 0;  ///< Attempts that failed and were tried again.
    std::uint64_t failed = 0;   ///< Deliveries given up after the last attempt.
    std::uint64_t dropped = 0;  ///< Deliveries dropped from a full queue.
    std::string last_error;
};

class AlertNotifier {
public:
    explicit AlertNotifier(AlertNotifyOptions options);
    ~AlertNotifier();
    AlertNotifier(const AlertNotifier&) = delete;
    AlertNotifier& operator=(const AlertNotifier&) = delete;

    /// Queues a JSON body for `url` (POST, application/json). Never blocks on the network.
    void Post(std::string url, std::string body);
    NotifierStats Stats() const;
    /// Delivers what is queued within `timeout` (no retries past it), then stops. Idempotent.
    void Shutdown(std::chrono::milliseconds timeout);

private:
    struct Delivery {
        std::string url;
        std::string body;
        std::size_t attempt = 0;
        std::chrono::steady_clock::time_point due;
        std::chrono::milliseconds backoff{200};
    };
    void Run();
    /// One POST; empty on success, else what went wrong.
    std::string Send(const Delivery& d) const;

    const AlertNotifyOptions options_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Delivery> queue_;  // guarded by mu_
    NotifierStats stats_;         // guarded by mu_
    bool stopping_ = false;       // guarded by mu_
    std::chrono::steady_clock::time_point deadline_{};  // guarded by mu_: no retries after it
    std::thread worker_;  // last member
};

}  // namespace tome::console::internal
