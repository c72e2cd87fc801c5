// Forwarding through a ring of five tomes with the store off and on (the state writer's thread
// snapshotting every tome at its interval and writing what moved), and the latency of an
// acknowledged change: NetworkStore::Commit of one change with its audit record, fsynced.
// items_processed = deliveries; the commit benchmark reports p50/p99 in microseconds.
//
// Reference: see the closing note of the session that added it (ratios within one run only).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tome/connector/connector.hpp"
#include "tome/storage/network_store.hpp"
#include "tome/storage/state_writer.hpp"

namespace {

namespace fs = std::filesystem;

struct TempDir {
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "tome-storage-bench-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string path;
};

tome::Json Definition(const std::string& id) {
    return {{"id", id},
            {"initial", "idle"},
            {"context", {{"orders", 0}}},
            {"states",
             {{"idle", {{"on", {{"PING", {{"target", "active"}, {"assign", {{"last", "n"}}}}}}}}},
              {"active", {{"on", {{"PING", {{"target", "idle"}, {"assign", {{"last", "n"}}}}}}}}}}}};
}

struct Ring {
    Ring() : connector(registry, toggles, tome::SystemClock::Get()) {
        for (int i = 0; i < 5; ++i) {
            ids.push_back("r" + std::to_string(i));
            (void)registry.Add(std::make_shared<tome::Tome>(tome::ParseTomeDefinition(Definition(ids.back())).value()));
        }
        (void)connector.CreateRingNetwork(ids, {});
    }
    tome::TomeRegistry registry;
    tome::FeatureToggles toggles;
    tome::connector::Connector connector;
    std::vector<std::string> ids;
};

void Forward(benchmark::State& state, Ring& ring) {
    tome::TomeEvent event{"PING", {{"n", 1}}};
    std::uint64_t deliveries = 0;
    for (auto _ : state) {
        auto report = ring.connector.SendEvent(ring.ids[0], event);
        deliveries += report->deliveries.size();
        benchmark::DoNotOptimize(report);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(deliveries));
}

void BM_RingOfFiveStoreOff(benchmark::State& state) {
    Ring ring;
    Forward(state, ring);
}
BENCHMARK(BM_RingOfFiveStoreOff)->UseRealTime();

/// state.range(0): the state writer's interval in ms (200 = the shipped default).
void BM_RingOfFiveStoreOn(benchmark::State& state) {
    TempDir dir;
    Ring ring;
    auto store = tome::storage::NetworkStore::Open({dir.path + "/tome.db"}).value();
    tome::storage::StateWriter writer(*store, ring.registry,
                                      {std::chrono::milliseconds(state.range(0))});
    writer.Start();
    Forward(state, ring);
    writer.Shutdown();
    state.counters["state_batches"] = static_cast<double>(store->stats().state_batches);
}
BENCHMARK(BM_RingOfFiveStoreOn)->Arg(200)->Arg(10)->UseRealTime();

void BM_AcknowledgedChange(benchmark::State& state) {
    TempDir dir;
    auto store = tome::storage::NetworkStore::Open({dir.path + "/tome.db"}).value();
    std::vector<double> micros;
    bool on = false;
    for (auto _ : state) {
        tome::api::AuditRecord audit;
        audit.who = "bench";
        audit.method = "PUT";
        audit.route = "/api/toggles/{name}";
        audit.target = "enable-state-sync";
        audit.status = 200;
        audit.result = "ok";
        audit.after = {{"enabled", on}};
        const auto start = std::chrono::steady_clock::now();
        auto st = store->Commit({{tome::api::NetworkChange::Kind::kToggleChanged, "enable-state-sync",
                                  {{"enabled", on = !on}}}},
                                std::move(audit));
        micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        if (!st.ok()) state.SkipWithError(st.message().c_str());
    }
    std::sort(micros.begin(), micros.end());
    if (!micros.empty()) {
        state.counters["p50_us"] = micros[micros.size() / 2];
        state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
    }
}
BENCHMARK(BM_AcknowledgedChange)->UseRealTime();

}  // namespace
