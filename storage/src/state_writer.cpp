#include "tome/storage/state_writer.hpp"

#include <pthread.h>

#include <unordered_map>

namespace tome::storage {

StateWriter::StateWriter(NetworkStore& store, const TomeRegistry& tomes, StateWriterOptions options)
    : store_(store), tomes_(tomes), options_(options) {
    // What is there now (restored or fresh) counts as written.
    for (const auto& t : tomes_.List()) written_[t->id()] = {t.get(), t->Snapshot().events_received};
}

StateWriter::~StateWriter() { Shutdown(); }

void StateWriter::Start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "tome-state");
        Run();
    });
}

void StateWriter::Run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
        wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        (void)Flush();
        lock.lock();
    }
}

bool StateWriter::Flush() {
    std::lock_guard flush(flush_mu_);
    const auto tomes = tomes_.List();
    std::vector<StoredNetwork::TomeState> batch;
    std::vector<std::pair<const Tome*, std::uint64_t>> marks;
    for (const auto& t : tomes) {
        const TomeSnapshot s = t->Snapshot();
        auto it = written_.find(s.id);
        if (it != written_.end() && it->second.first == t.get() && it->second.second == s.events_received) continue;
        StoredNetwork::TomeState state;
        state.id = s.id;
        state.state = s.state;
        state.context = *s.context;
        state.events_received = s.events_received;
        state.transitions = s.transitions;
        state.events_ignored = s.events_ignored;
        batch.push_back(std::move(state));
        marks.emplace_back(t.get(), s.events_received);
    }
    // Forget tomes that are gone, so that the map stays as big as the registry.
    if (written_.size() > tomes.size()) {
        std::erase_if(written_, [&](const auto& entry) { return !tomes_.Contains(entry.first); });
    }
    if (batch.empty()) return true;
    // A tome deleted or re-created since its snapshot must not get this row back.
    std::unordered_map<std::string_view, const Tome*> snapshot_of;
    for (std::size_t i = 0; i < batch.size(); ++i) snapshot_of[batch[i].id] = marks[i].first;
    const Status st = store_.WriteStates(batch, [&](const std::string& id) {
        return tomes_.Find(id).get() == snapshot_of.at(id);
    });
    if (!st.ok()) return false;
    for (std::size_t i = 0; i < batch.size(); ++i) written_[batch[i].id] = marks[i];
    return true;
}

void StateWriter::Shutdown() {
    {
        std::lock_guard lock(mu_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    (void)Flush();
}

}  // namespace tome::storage
