// Per-client request rate limiting with a fixed window: at most `max_requests` per client per
// `window`. All methods may be called concurrently; memory is bounded by `max_clients`.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "tome/core/clock.hpp"

namespace tome::api {

struct RateLimitOptions {
    /// Off by default (and in the development block) so tests and demos are never throttled.
    bool enabled = false;
    /// Length of one counting window. Default 60 s.
    std::chrono::milliseconds window{60000};
    /// Requests a client may make per window. Default 100.
    std::size_t max_requests = 100;
    /// Clients remembered at once; past this, expired windows are purged and, if still full,
    /// new clients are admitted without being counted (fail open). Default 100000.
    std::size_t max_clients = 100000;
};

struct RateDecision {
    bool allowed = true;
    std::size_t retry_after_seconds = 0;  ///< When refused: until the window ends, >= 1.
    std::size_t remaining = 0;
};

class RateLimiter {
public:
    RateLimiter(RateLimitOptions options, const Clock& clock);

    /// Counts one request from `client` and says whether it may proceed.
    RateDecision Admit(const std::string& client);
    std::uint64_t refused() const;

private:
    struct Window {
        std::chrono::steady_clock::time_point start;
        std::size_t count = 0;
    };
    struct Shard {
        std::mutex mu;
        std::unordered_map<std::string, Window> clients;  // guarded by mu
    };
    static constexpr std::size_t kShards = 16;

    const RateLimitOptions options_;
    const Clock& clock_;
    std::array<Shard, kShards> shards_;
    std::atomic<std::uint64_t> refused_{0};
};

}  // namespace tome::api
