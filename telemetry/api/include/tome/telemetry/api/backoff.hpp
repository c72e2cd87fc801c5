// Retry waits with jitter, shared by the OTLP transports and RobotCopy's backend calls: the
// caller grows its backoff exponentially and waits a jittered share of it, so clients that
// failed together do not retry together. Header-only; call from any thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace tome::telemetry {

/// A wait drawn uniformly from [backoff/2, backoff] ("equal jitter"); 0 for a backoff <= 0.
/// Uses a per-thread generator, so concurrent callers never contend.
inline std::chrono::milliseconds JitteredWait(std::chrono::milliseconds backoff) {
    thread_local std::minstd_rand rng{std::random_device{}()};
    const long long full = std::max<long long>(backoff.count(), 0);
    std::uniform_int_distribution<long long> dist(full / 2, full);
    return std::chrono::milliseconds(dist(rng));
}

/// The backoff after `backoff`: doubled, at most `max_backoff`.
inline std::chrono::milliseconds NextBackoff(std::chrono::milliseconds backoff,
                                             std::chrono::milliseconds max_backoff) {
    return std::min(max_backoff, backoff * 2);
}

}  // namespace tome::telemetry
