// Network analysis over one routing snapshot: topology, validation, health. Read-only (apart
// from each connection's last reported health, which CheckHealth logs changes of); runs on the
// caller's thread and takes no connector lock beyond fetching the snapshot.
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "instrumentation.hpp"
#include "routing_table.hpp"
#include "tome/connector/connector.hpp"
#include "tome/core/json_path.hpp"

namespace tome::connector {
namespace {

using internal::RoutingTable;
namespace attr = internal::attr;
using telemetry::logs::Severity;

/// The directed forwarding graph: node i forwards to each of adjacency[i] (deduplicated).
struct Graph {
    std::vector<std::string> names;  // sorted
    std::map<std::string, std::size_t> index;
    std::vector<std::vector<std::size_t>> adjacency;
    std::vector<std::set<std::size_t>> edge_set;

    explicit Graph(const RoutingTable& table) {
        std::set<std::string> all;
        for (const auto& c : table.connections) all.insert({c->source, c->target});
        names.assign(all.begin(), all.end());
        for (std::size_t i = 0; i < names.size(); ++i) index[names[i]] = i;
        adjacency.resize(names.size());
        edge_set.resize(names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            for (const auto& link : table.LinksOf(names[i])) {
                const std::size_t j = index.at(*link.neighbour);
                if (edge_set[i].insert(j).second) adjacency[i].push_back(j);
            }
        }
    }
    bool HasEdge(std::size_t a, std::size_t b) const { return edge_set[a].count(b) > 0; }
};

/// Strongly connected components (Kosaraju, iterative): component id per node.
std::vector<std::size_t> Components(const Graph& g) {
    const std::size_t n = g.names.size();
    std::vector<std::vector<std::size_t>> reverse(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (auto j : g.adjacency[i]) reverse[j].push_back(i);
    }
    std::vector<std::size_t> order;
    std::vector<bool> seen(n, false);
    for (std::size_t start = 0; start < n; ++start) {
        if (seen[start]) continue;
        std::vector<std::pair<std::size_t, std::size_t>> stack{{start, 0}};
        seen[start] = true;
        while (!stack.empty()) {
            auto& [node, next] = stack.back();
            if (next < g.adjacency[node].size()) {
                const std::size_t to = g.adjacency[node][next++];
                if (!seen[to]) {
                    seen[to] = true;
                    stack.emplace_back(to, 0);
                }
            } else {
                order.push_back(node);
                stack.pop_back();
            }
        }
    }
    constexpr auto kNone = static_cast<std::size_t>(-1);
    std::vector<std::size_t> component(n, kNone);
    std::size_t count = 0;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        if (component[*it] != kNone) continue;
        std::vector<std::size_t> stack{*it};
        component[*it] = count;
        while (!stack.empty()) {
            const std::size_t node = stack.back();
            stack.pop_back();
            for (auto from : reverse[node]) {
                if (component[from] == kNone) {
                    component[from] = count;
                    stack.push_back(from);
                }
            }
        }
        ++count;
    }
    return component;
}

/// Shortest path from -> to inside one component, not using the direct edge from -> to.
/// Empty when there is none. Such a path closes a simple cycle of length >= 3 with to -> from.
std::vector<std::size_t> PathAvoidingDirect(const Graph& g, const std::vector<std::size_t>& comp,
                                            std::size_t from, std::size_t to) {
    std::map<std::size_t, std::size_t> parent{{from, from}};
    std::deque<std::size_t> queue{from};
    while (!queue.empty()) {
        const std::size_t node = queue.front();
        queue.pop_front();
        for (auto next : g.adjacency[node]) {
            if (comp[next] != comp[from] || parent.count(next) > 0) continue;
            if (node == from && next == to) continue;
            parent[next] = node;
            if (next == to) {
                std::vector<std::size_t> path{to};
                while (path.back() != from) path.push_back(parent[path.back()]);
                std::reverse(path.begin(), path.end());
                return path;
            }
            queue.push_back(next);
        }
    }
    return {};
}

/// A cycle of length >= 3 inside the component of `members`, as node list; empty if none.
std::vector<std::size_t> FindLongCycle(const Graph& g, const std::vector<std::size_t>& comp,
                                       const std::vector<std::size_t>& members) {
    if (members.size() < 3) return {};
    // A one-way edge u -> v inside a component closes a cycle of length >= 3 with any v ~> u.
    for (auto u : members) {
        for (auto v : g.adjacency[u]) {
            if (comp[v] == comp[u] && !g.HasEdge(v, u)) {
                auto path = PathAvoidingDirect(g, comp, v, u);
                if (!path.empty()) path.insert(path.begin(), u);
                return path;  // u, v, ..., u
            }
        }
    }
    // Only two-way pairs: a cycle exists iff the undirected component is not a tree. Find a
    // non-tree edge (x, y) with a BFS tree, then the path y ~> x avoiding that edge.
    std::map<std::size_t, std::size_t> parent{{members.front(), members.front()}};
    std::deque<std::size_t> queue{members.front()};
    while (!queue.empty()) {
        const std::size_t x = queue.front();
        queue.pop_front();
        for (auto y : g.adjacency[x]) {
            if (comp[y] != comp[x] || y == parent[x]) continue;
            if (parent.count(y) > 0) {
                auto path = PathAvoidingDirect(g, comp, y, x);
                if (!path.empty()) path.insert(path.begin(), x);
                return path;  // x, y, ..., x
            }
            parent[y] = x;
            queue.push_back(y);
        }
    }
    return {};
}

std::string Join(const std::vector<std::string>& names, std::string_view sep) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : std::string(sep)) + n;
    return out;
}

bool HandlesEvent(const Tome& tome, const std::string& type) {
    if (type == kSyncStateEvent) return true;
    for (const auto& [name, state] : tome.definition().states) {
        if (state.on.count(type) > 0) return true;
    }
    return false;
}

}  // namespace

ValidationReport Connector::Validate() const {
    const auto table = Table();
    ValidationReport report;
    report.advanced = toggles_.Snapshot()->IsEnabled(toggles::kAdvancedValidation);
    auto add = [&](std::string type, std::string severity, std::vector<std::string> tomes,
                   std::string message) {
        if (severity == "error") report.valid = false;
        report.issues.push_back(ValidationIssue{std::move(type), std::move(severity),
                                                std::move(tomes), std::move(message)});
    };

    const Graph graph(*table);
    for (const auto& name : graph.names) {
        if (!Present(*table, name)) {
            add("missing_tome", "error", {name},
                "tome '" + name + "' is connected but not registered");
        }
    }

    const auto comp = Components(graph);
    std::map<std::size_t, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < comp.size(); ++i) members[comp[i]].push_back(i);
    for (const auto& [id, nodes] : members) {
        const auto cycle = FindLongCycle(graph, comp, nodes);
        if (cycle.empty()) continue;
        std::vector<std::string> names;
        for (std::size_t i = 0; i + 1 < cycle.size(); ++i) names.push_back(graph.names[cycle[i]]);
        add("cycle", "warning", names,
            "forwarding cycle " + Join(names, " -> ") + " -> " + names.front() +
                " (events stop at already-visited tomes)");
    }

    for (std::size_t i = 0; i < graph.names.size(); ++i) {
        const std::size_t fan_out = table->LinksOf(graph.names[i]).size();
        if (fan_out > options_.max_fan_out) {
            add("fan_out", "warning", {graph.names[i]},
                "tome '" + graph.names[i] + "' forwards over " + std::to_string(fan_out) +
                    " connections (limit " + std::to_string(options_.max_fan_out) + ")");
        }
        // BFS within hop_limit, stopping as soon as the limit is exceeded.
        std::map<std::size_t, std::size_t> depth{{i, 0}};
        std::deque<std::size_t> queue{i};
        while (!queue.empty() && depth.size() - 1 <= options_.max_amplification) {
            const std::size_t node = queue.front();
            queue.pop_front();
            if (depth[node] >= options_.hop_limit) continue;
            for (auto next : graph.adjacency[node]) {
                if (depth.emplace(next, depth[node] + 1).second) queue.push_back(next);
            }
        }
        if (depth.size() - 1 > options_.max_amplification) {
            add("amplification", "warning", {graph.names[i]},
                "an event entering '" + graph.names[i] + "' reaches more than " +
                    std::to_string(options_.max_amplification) + " tomes");
        }
    }

    if (!report.advanced) return report;

    for (const auto& tome : tomes_.List()) {
        if (graph.index.count(tome->id()) == 0) {
            add("orphan_tome", "warning", {tome->id()},
                "tome '" + tome->id() + "' has no connection");
        }
    }
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> by_pair;
    for (const auto& c : table->connections) {
        by_pair[std::minmax(c->source, c->target)].push_back(c->id);
    }
    for (const auto& [pair, ids] : by_pair) {
        if (ids.size() < 2) continue;
        add("duplicate_connection", "warning", {pair.first, pair.second},
            "tomes '" + pair.first + "' and '" + pair.second + "' are connected " +
                std::to_string(ids.size()) + " times: " + Join(ids, ", "));
    }
    for (const auto& c : table->connections) {
        if (auto target = tomes_.Find(c->target)) {
            for (const auto& [from, to] : c->config.event_mapping) {
                if (HandlesEvent(*target, to)) continue;
                add("unknown_event", "warning", {c->source, c->target},
                    "connection '" + c->id + "' maps '" + from + "' to '" + to + "', which '" +
                        c->target + "' never handles");
            }
        }
        if (auto source = tomes_.Find(c->source)) {
            const auto context = source->Snapshot().context;
            for (const auto& [from, to] : c->config.state_mapping) {
                if (from == "state" || (context && FindPath(*context, from) != nullptr)) continue;
                add("unknown_state_path", "warning", {c->source, c->target},
                    "connection '" + c->id + "' syncs '" + from +
                        "', which is not in the context of '" + c->source + "'");
            }
        }
    }
    return report;
}

HealthReport Connector::CheckHealth() const {
    const auto table = Table();
    HealthReport report;
    report.checked_at = clock_.Now();
    for (const auto& c : table->connections) {
        const Health health = Info(*table, *c).health;
        ++report.total;
        if (health == Health::kHealthy) ++report.healthy;
        if (health == Health::kDegraded) ++report.degraded;
        if (health == Health::kUnhealthy) ++report.unhealthy;
        report.connections.emplace_back(c->id, health);
        // Concurrent checks (monitor, gauge callback, API) log each change exactly once.
        const Health before = c->reported_health.exchange(health, std::memory_order_relaxed);
        if (before == health) continue;
        const bool worse = health != Health::kHealthy;
        telemetry_->Log(worse ? Severity::kWarn : Severity::kInfo,
                        worse ? "Connection health degraded" : "Connection health recovered",
                        {{attr::kConnectionId, c->id},
                         {attr::kSource, c->source},
                         {attr::kTarget, c->target},
                         {attr::kHealth, HealthName(health)},
                         {"tome.health.previous", HealthName(before)}},
                        {}, telemetry::trace::Context::Current().baggage);
    }
    return report;
}

Topology Connector::GetTopology() const {
    const auto table = Table();
    Topology topology;
    std::map<std::string, TopologyNode> nodes;
    for (const auto& tome : tomes_.List()) {
        nodes[tome->id()] = TopologyNode{tome->id(), tome->Snapshot().state, true, "", 0};
    }
    for (const auto& c : table->connections) {
        for (const auto* name : {&c->source, &c->target}) {
            auto [it, inserted] = nodes.try_emplace(*name, TopologyNode{*name, "", false, "", 0});
            auto remote = table->remotes.find(*name);
            if (inserted && remote != table->remotes.end()) {
                it->second.present = true;
                it->second.endpoint = remote->second->endpoint;
                it->second.circuit_state = CircuitStateName(remote->second->breaker.state());
            }
            ++it->second.connections;
        }
        ConnectionInfo info = Info(*table, *c);
        ++topology.total;
        if (info.health == Health::kHealthy) ++topology.healthy;
        if (info.health == Health::kDegraded) ++topology.degraded;
        if (info.health == Health::kUnhealthy) ++topology.unhealthy;
        topology.edges.push_back(std::move(info));
    }
    for (auto& [id, node] : nodes) topology.nodes.push_back(std::move(node));
    return topology;
}

}  // namespace tome::connector
