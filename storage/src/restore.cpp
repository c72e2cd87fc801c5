#include "tome/storage/restore.hpp"

namespace tome::storage {

std::string RestoreReport::Describe() const {
    const auto n = [](std::size_t count, const char* one, const char* many) {
        return std::to_string(count) + " " + (count == 1 ? one : many);
    };
    return n(tomes, "tome", "tomes") + ", " + n(remote_tomes, "remote tome", "remote tomes") + ", " +
           n(connections, "connection", "connections") + ", " + n(toggles, "toggle", "toggles") + ", " +
           n(states, "tome state", "tome states") +
           (deleted_config_tomes + deleted_config_connections > 0
                ? ", " + n(deleted_config_tomes + deleted_config_connections, "config item deleted again",
                           "config items deleted again")
                : std::string());
}

ConfigDefined ConfigDefinedIds(const TomeRegistry& tomes, const connector::Connector& connector) {
    ConfigDefined ids;
    for (const auto& t : tomes.List()) ids.tomes.insert(t->id());
    for (const auto& node : connector.GetTopology().nodes) {
        if (!node.endpoint.empty()) ids.tomes.insert(node.id);
    }
    for (const auto& c : connector.ListConnections()) ids.connections.insert(c.id);
    return ids;
}

RestoreReport RestoreNetwork(const StoredNetwork& stored, RestoreTargets& t) {
    RestoreReport report;
    const auto warn = [&](std::string line) { report.warnings.push_back(std::move(line)); };

    for (const auto& id : stored.deleted_config_tomes) {
        if (t.tomes.Remove(id).ok()) {
            if (t.on_tome_removed) t.on_tome_removed(id);
            ++report.deleted_config_tomes;
        } else if (t.connector.UnregisterRemoteTome(id).ok()) {
            ++report.deleted_config_tomes;
        }
    }
    for (const auto& id : stored.deleted_config_connections) {
        if (t.connector.Disconnect(id).ok()) ++report.deleted_config_connections;
    }
    for (const auto& entry : stored.tomes) {
        if (const auto* kept = std::get_if<StoredNetwork::Tome>(&entry)) {
            auto def = ParseTomeDefinition(kept->definition);
            if (!def.ok()) {
                warn("tome '" + kept->id + "' not restored: " + def.status().message());
                continue;
            }
            if (t.tomes.Contains(kept->id)) {
                // The config defines it too (added to the config after the API created it):
                // the kept one is what the API last acknowledged.
                warn("tome '" + kept->id + "' is defined by the config and was created through the "
                     "API: the API's definition is kept");
                (void)t.tomes.Remove(kept->id);
            }
            auto tome = std::make_shared<Tome>(std::move(*def));
            if (auto st = t.tomes.Add(tome); !st.ok()) {
                warn("tome '" + kept->id + "' not restored: " + st.message());
                continue;
            }
            if (t.on_tome_added) t.on_tome_added(*tome);
            ++report.tomes;
        } else {
            const auto& remote = std::get<StoredNetwork::RemoteTome>(entry);
            if (auto st = t.connector.RegisterRemoteTome(remote.id, remote.endpoint); !st.ok()) {
                warn("remote tome '" + remote.id + "' not restored: " + st.message());
                continue;
            }
            ++report.remote_tomes;
        }
    }
    for (const auto& c : stored.connections) {
        auto config = connector::ParseConnectionConfig(c.config);
        if (!config.ok()) {
            warn("connection '" + c.id + "' not restored: " + config.status().message());
            continue;
        }
        if (auto st = t.connector.RestoreConnection(c.id, c.source, c.target, std::move(*config), c.trace_id);
            !st.ok()) {
            warn("connection '" + c.id + "' not restored: " + st.message());
            continue;
        }
        ++report.connections;
    }
    t.connector.ContinueConnectionIdsFrom(stored.next_connection_number);
    for (const auto& [name, enabled] : stored.toggles) {
        if (auto st = t.toggles.Set(name, enabled); !st.ok()) {
            warn("toggle '" + name + "' not restored: " + st.message());
            continue;
        }
        ++report.toggles;
    }
    for (const auto& s : stored.states) {
        auto tome = t.tomes.Find(s.id);
        if (!tome) continue;  // a remote tome's, or one deleted while its state was being written
        TomeSnapshot saved;
        saved.state = s.state;
        saved.context = std::make_shared<const Json>(s.context);
        saved.events_received = s.events_received;
        saved.transitions = s.transitions;
        saved.events_ignored = s.events_ignored;
        if (auto st = tome->Restore(saved); !st.ok()) {
            warn(st.message() + "; it starts from its initial state");
            continue;
        }
        ++report.states;
    }
    return report;
}

}  // namespace tome::storage
