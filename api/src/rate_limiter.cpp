#include "tome/api/rate_limiter.hpp"

#include <functional>

namespace tome::api {

RateLimiter::RateLimiter(RateLimitOptions options, const Clock& clock)
    : options_(options), clock_(clock) {}

RateDecision RateLimiter::Admit(const std::string& client) {
    if (!options_.enabled) return {true, 0, options_.max_requests};
    const auto now = clock_.SteadyNow();
    Shard& shard = shards_[std::hash<std::string>{}(client) % kShards];
    std::lock_guard lock(shard.mu);
    auto it = shard.clients.find(client);
    if (it == shard.clients.end()) {
        if (shard.clients.size() * kShards >= options_.max_clients) {
            std::erase_if(shard.clients,
                          [&](const auto& kv) { return now - kv.second.start >= options_.window; });
            if (shard.clients.size() * kShards >= options_.max_clients) {
                return {true, 0, 0};
            }
        }
        it = shard.clients.emplace(client, Window{now, 0}).first;
    }
    Window& w = it->second;
    if (now - w.start >= options_.window) w = Window{now, 0};
    if (w.count >= options_.max_requests) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        const auto left = options_.window - (now - w.start);
        const auto secs = std::chrono::ceil<std::chrono::seconds>(left).count();
        return {false, static_cast<std::size_t>(secs < 1 ? 1 : secs), 0};
    }
    ++w.count;
    return {true, 0, options_.max_requests - w.count};
}

std::uint64_t RateLimiter::refused() const { return refused_.load(std::memory_order_relaxed); }

}  // namespace tome::api
