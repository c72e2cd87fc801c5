// StateWriter: writes the state and context of every tome behind the events, in batches. Its
// thread wakes every `interval`, takes a snapshot of each tome whose event count moved since its
// last write, and writes them in one transaction; so after a crash a tome's kept state is at most
// about `interval` (plus one write) old, and a row is never half-written. Event forwarding never
// waits for it: a snapshot takes the tome's lock for a copy of a few fields.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "tome/core/tome_registry.hpp"
#include "tome/storage/network_store.hpp"

namespace tome::storage {

struct StateWriterOptions {
    /// How often dirty tomes are written (storage.stateFlushMs). Default 200 ms.
    std::chrono::milliseconds interval{200};
};
inline constexpr std::chrono::milliseconds kMinStateFlushInterval{10};
inline constexpr std::chrono::milliseconds kMaxStateFlushInterval{60000};

class StateWriter {
public:
    /// `store` and `tomes` must outlive the writer.
    StateWriter(NetworkStore& store, const TomeRegistry& tomes, StateWriterOptions options = {});
    ~StateWriter();
    StateWriter(const StateWriter&) = delete;
    StateWriter& operator=(const StateWriter&) = delete;

    /// Starts the thread "tome-state". Call after the network has been restored: the restored
    /// counters are taken as already written.
    void Start();
    /// Writes every tome whose state moved, now, on the caller's thread. False when the store
    /// refused the write (the next round tries again).
    bool Flush();
    /// Stops the thread after a last Flush(). Idempotent.
    void Shutdown();

private:
    void Run();

    NetworkStore& store_;
    const TomeRegistry& tomes_;
    const StateWriterOptions options_;
    std::mutex flush_mu_;  // one Flush at a time; guards written_
    // Per tome id: the tome object and its event count at its last write.
    std::map<std::string, std::pair<const Tome*, std::uint64_t>> written_;
    std::mutex mu_;  // guards stopping_
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tome::storage
