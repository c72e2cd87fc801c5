// Concurrency: Connect/Disconnect/SendEvent/Broadcast and the read-only reports from four
// threads at once. Run under TSAN in CI. No sleeps: threads start together on a latch.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <random>
#include <set>
#include <thread>

#include "test_network.hpp"

namespace tome::connector {
namespace {

using testing::Names;
using testing::TestNetwork;

constexpr int kIterations = 2000;

TEST(ConnectorStress, ConcurrentConnectDisconnectAndSendKeepInvariants) {
    ConnectorOptions options;
    options.hop_limit = 6;
    TestNetwork net(options);
    const auto names = Names(8);
    net.AddTomes(names);
    // A fixed two-way ring that the rewiring threads never remove, so every journey travels
    // over connections whatever the interleaving.
    ASSERT_TRUE(net.connector.CreateRingNetwork(names, ConnectionConfig{}).ok());
    const std::size_t base_connections = names.size();

    std::latch start(4);
    std::atomic<std::uint64_t> sent{0}, delivered{0}, violations{0};

    // Threads 0 and 1 rewire the network; each owns half of the ordered pairs so that a
    // Disconnect of its own connection id is always expected to succeed.
    auto rewire = [&](int thread) {
        std::mt19937 rng(thread + 1);
        std::vector<std::string> mine;
        start.arrive_and_wait();
        for (int i = 0; i < kIterations; ++i) {
            const auto a = rng() % names.size();
            const auto b = (a + 1 + rng() % (names.size() - 1)) % names.size();
            if ((a + b) % 2 != static_cast<std::size_t>(thread)) continue;  // not my pair
            if (!mine.empty() && rng() % 2 == 0) {
                const auto k = rng() % mine.size();
                if (!net.connector.Disconnect(mine[k]).ok()) ++violations;
                mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(k));
                continue;
            }
            ConnectionConfig config;
            config.bidirectional = rng() % 2 == 0;
            if (rng() % 4 == 0) config.state_mapping["state"] = "peer.state";
            auto info = net.connector.Connect(names[a], names[b], config);
            if (info.ok()) {
                mine.push_back(info->id);
            } else if (info.status().code() != Code::kAlreadyExists) {
                ++violations;
            }
            if (i % 50 == 0) {
                (void)net.connector.Validate();
                (void)net.connector.GetTopology();
                (void)net.connector.CheckHealth();
            }
        }
    };

    // Threads 2 and 3 send events and check each journey's invariants.
    auto send = [&](int thread) {
        std::mt19937 rng(thread + 100);
        start.arrive_and_wait();
        for (int i = 0; i < kIterations; ++i) {
            const auto& origin = names[rng() % names.size()];
            const bool broadcast = rng() % 4 == 0;
            auto report = broadcast ? net.connector.Broadcast(origin, {"PING"})
                                    : net.connector.SendEvent(origin, {"PING"});
            if (!report.ok()) {
                ++violations;
                continue;
            }
            ++sent;
            delivered += report->deliveries.size();
            std::set<std::string> seen;
            for (const auto& d : report->deliveries) {
                if (d.hop > options.hop_limit + (d.state_sync ? 1 : 0)) ++violations;
                if (!d.state_sync && !seen.insert(d.tome).second) ++violations;  // twice
                if (broadcast && d.tome == origin && !d.state_sync) ++violations;
            }
            if (i % 100 == 0) {
                (void)net.connector.ListConnections();
                (void)net.connector.stats();
            }
        }
    };

    std::vector<std::thread> threads;
    threads.emplace_back(rewire, 0);
    threads.emplace_back(rewire, 1);
    threads.emplace_back(send, 2);
    threads.emplace_back(send, 3);
    for (auto& t : threads) t.join();

    EXPECT_EQ(violations.load(), 0u);
    // Every journey crossed the base ring: at least two tomes per send.
    EXPECT_GE(delivered.load(), 2 * sent.load());
    EXPECT_GE(net.connector.ListConnections().size(), base_connections);
    const ConnectorStats stats = net.connector.stats();
    EXPECT_EQ(stats.events_received, sent.load());
    EXPECT_EQ(stats.deliveries, delivered.load());
    EXPECT_EQ(stats.connections, net.connector.ListConnections().size());
    // Every connection the rewiring threads kept is still in the table exactly once.
    std::set<std::string> ids;
    for (const auto& c : net.connector.ListConnections()) EXPECT_TRUE(ids.insert(c.id).second);
}

}  // namespace
}  // namespace tome::connector
