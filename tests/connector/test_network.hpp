// Test helpers for the connector suite: a registry, toggles, a fake clock and a connector wired
// together, plus small tome definitions. Confine each TestNetwork to its test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tome/connector/connector.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_definition.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/testing/fake_clock.hpp"

namespace tome::connector::testing {

/// idle --PING--> active --PING--> idle; idle --PAY (assigns order.amount)--> paid.
inline Json PingDefinition(const std::string& id) {
    Json def = Json::parse(R"({
        "initial": "idle",
        "context": {"order": {"amount": 0}},
        "states": {
            "idle": {"on": {"PING": "active",
                            "PAY": {"target": "paid", "assign": {"order.amount": "amount"}}}},
            "active": {"on": {"PING": "idle"}},
            "paid": {"on": {"PING": "paid"}}
        }})");
    def["id"] = id;
    return def;
}

struct TestNetwork {
    explicit TestNetwork(ConnectorOptions options = {},
                         const std::map<std::string, bool>& toggle_overrides = {})
        : toggles(toggle_overrides), connector(registry, toggles, clock, options) {}

    void AddTome(const std::string& id) {
        auto def = ParseTomeDefinition(PingDefinition(id));
        ASSERT_TRUE(def.ok()) << def.status().ToString();
        ASSERT_TRUE(registry.Add(std::make_shared<Tome>(std::move(*def))).ok());
    }
    void AddTomes(const std::vector<std::string>& ids) {
        for (const auto& id : ids) AddTome(id);
    }
    std::string StateOf(const std::string& id) const { return registry.Find(id)->Snapshot().state; }
    Json ContextOf(const std::string& id) const { return *registry.Find(id)->Snapshot().context; }

    TomeRegistry registry;
    FeatureToggles toggles;
    tome::testing::FakeClock clock;
    Connector connector;
};

/// Names "t0".."t<n-1>".
inline std::vector<std::string> Names(std::size_t n, const std::string& prefix = "t") {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
    return out;
}

/// How many (non-sync) deliveries went to `tome`.
inline std::size_t DeliveriesTo(const DeliveryReport& report, const std::string& tome) {
    std::size_t n = 0;
    for (const auto& d : report.deliveries) n += (d.tome == tome && !d.state_sync) ? 1 : 0;
    return n;
}

inline std::uint64_t Dropped(const DeliveryReport& report, const std::string& reason) {
    auto it = report.dropped.find(reason);
    return it == report.dropped.end() ? 0 : it->second;
}

}  // namespace tome::connector::testing
