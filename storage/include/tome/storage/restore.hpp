// RestoreNetwork: puts what a NetworkStore kept on top of the network the config built, in the
// order it was made: the config's tomes and connections that were deleted through the API are
// deleted again, then the kept tomes and remote tomes, the connections (with their ids and trace
// ids), the toggles, and last the state and context of every tome. What no longer fits (a kept
// state the tome's definition lost, a connection id the config took) is skipped with a warning.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tome/connector/connector.hpp"
#include "tome/core/feature_toggles.hpp"
#include "tome/core/tome_registry.hpp"
#include "tome/storage/network_store.hpp"

namespace tome::storage {

struct RestoreTargets {
    TomeRegistry& tomes;
    connector::Connector& connector;
    FeatureToggles& toggles;
    /// Called for each tome added back (the app registers it with RobotCopy).
    std::function<void(const Tome&)> on_tome_added;
    /// Called for each tome deleted again (a config tome deleted through the API).
    std::function<void(const std::string&)> on_tome_removed;
};

struct RestoreReport {
    std::size_t tomes = 0, remote_tomes = 0, connections = 0, toggles = 0, states = 0;
    std::size_t deleted_config_tomes = 0, deleted_config_connections = 0;
    std::vector<std::string> warnings;  ///< One line per thing skipped, saying why.
    /// "3 tomes, 1 remote tome, 4 connections, 2 toggles, 5 tome states".
    std::string Describe() const;
};

RestoreReport RestoreNetwork(const StoredNetwork& stored, RestoreTargets& targets);

/// The config-defined ids of a network just built from the config (before RestoreNetwork).
ConfigDefined ConfigDefinedIds(const TomeRegistry& tomes, const connector::Connector& connector);

}  // namespace tome::storage
