#include "tome/connector/connector.hpp"

#include <algorithm>
#include <set>

#include "instrumentation.hpp"
#include "routing_table.hpp"
#include "tome/telemetry/api/ids.hpp"

namespace tome::connector {
namespace internal {

std::string_view DropReasonName(DropReason reason) {
    switch (reason) {
        case DropReason::kAlreadyVisited:
            return "already_visited";
        case DropReason::kHopLimit:
            return "hop_limit";
        case DropReason::kFiltered:
            return "filtered";
        case DropReason::kRoutingDisabled:
            return "routing_disabled";
        case DropReason::kSyncDisabled:
            return "sync_disabled";
        case DropReason::kTomeMissing:
            return "tome_missing";
        case DropReason::kTransformFailed:
            return "transform_failed";
        case DropReason::kRemoteFailed:
            return "remote_failed";
        case DropReason::kCircuitOpen:
            return "circuit_open";
    }
    return "unknown";
}

std::shared_ptr<const RoutingTable> RoutingTable::Build(
    std::vector<std::shared_ptr<const ConnectionState>> connections,
    std::unordered_map<std::string, std::shared_ptr<RemoteLinkState>> remotes,
    std::shared_ptr<RemoteTomeSender> sender) {
    auto table = std::make_shared<RoutingTable>();
    table->connections = std::move(connections);
    table->remotes = std::move(remotes);
    table->sender = std::move(sender);
    table->by_id.reserve(table->connections.size());
    for (std::size_t i = 0; i < table->connections.size(); ++i) {
        const ConnectionState& c = *table->connections[i];
        table->by_id.emplace(c.id, i);
        table->pairs.emplace(c.source, c.target);
        table->links[c.source].push_back(Link{&c, &c.target});
        if (c.config.bidirectional) table->links[c.target].push_back(Link{&c, &c.source});
    }
    return table;
}

const std::vector<Link>& RoutingTable::LinksOf(const std::string& tome) const {
    static const std::vector<Link> kNone;
    auto it = links.find(tome);
    return it == links.end() ? kNone : it->second;
}

const ConnectionState* RoutingTable::Find(const std::string& id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : connections[it->second].get();
}

}  // namespace internal

namespace {

using internal::ConnectionState;
using internal::Operation;
using internal::RoutingTable;
namespace attr = internal::attr;
namespace trace = telemetry::trace;
using telemetry::logs::Severity;

double SecondsSince(const Clock& clock, std::chrono::steady_clock::time_point started) {
    return std::chrono::duration<double>(clock.SteadyNow() - started).count();
}

/// Keeps ids URL-safe whatever the tome ids contain.
std::string UrlSafe(const std::string& text) {
    std::string out = text;
    for (char& c : out) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
        if (!safe) c = '_';
    }
    return out;
}

std::string Quoted(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
    return out;
}

}  // namespace

Connector::Connector(TomeRegistry& tomes, FeatureToggles& toggles, const Clock& clock,
                     ConnectorOptions options)
    : tomes_(tomes),
      toggles_(toggles),
      clock_(clock),
      options_(options),
      table_(RoutingTable::Build({}, {}, nullptr)),
      telemetry_(std::make_unique<internal::Instrumentation>(options_, clock_)) {
    auto observe = [this](telemetry::metrics::ObserverResult& result) {
        const HealthReport report = CheckHealth();
        result.Observe(static_cast<std::int64_t>(report.healthy), {{attr::kHealth, "healthy"}});
        result.Observe(static_cast<std::int64_t>(report.degraded), {{attr::kHealth, "degraded"}});
        result.Observe(static_cast<std::int64_t>(report.unhealthy),
                       {{attr::kHealth, "unhealthy"}});
    };
    telemetry_->active = telemetry_->meter
                             .CreateObservableGauge<std::int64_t>(
                                 "tome.connections.active", std::move(observe),
                                 {.description = "Connections by health", .unit = "{connection}"})
                             .instrument;
    auto observe_circuits = [this](telemetry::metrics::ObserverResult& result) {
        const auto table = Table();
        for (const auto& [id, link] : table->remotes) {
            result.Observe(static_cast<std::int64_t>(link->breaker.state()),
                           {{attr::kTarget, id}, {attr::kEndpoint, link->endpoint}});
        }
    };
    telemetry_->circuit_state =
        telemetry_->meter
            .CreateObservableGauge<std::int64_t>(
                "tome.remote.circuit_state", std::move(observe_circuits),
                {.description = "Circuit breaker of each remote tome: 0 closed, 1 half-open, 2 open",
                 .unit = "{state}"})
            .instrument;
}

Connector::~Connector() = default;

std::shared_ptr<const RoutingTable> Connector::Table() const {
    std::lock_guard lock(table_mu_);
    return table_;
}

void Connector::Publish(std::shared_ptr<const RoutingTable> table) {
    std::lock_guard lock(table_mu_);
    table_ = std::move(table);
}

bool Connector::Present(const RoutingTable& table, const std::string& tome) const {
    return tomes_.Contains(tome) || table.remotes.count(tome) > 0;
}

ConnectionInfo Connector::Info(const RoutingTable& table, const ConnectionState& c) const {
    ConnectionInfo info;
    info.id = c.id;
    info.source = c.source;
    info.target = c.target;
    info.config = c.config;
    info.created_at = c.created_at;
    info.last_activity = c.last_activity();
    info.trace_id = c.trace_id;
    info.events_forwarded = c.events_forwarded.load(std::memory_order_relaxed);
    info.states_synced = c.states_synced.load(std::memory_order_relaxed);
    info.events_dropped = c.events_dropped.load(std::memory_order_relaxed);
    // The worst breaker of a remote end: open = unhealthy, half-open = degraded.
    CircuitState circuit = CircuitState::kClosed;
    for (const std::string* end : {&c.source, &c.target}) {
        auto remote = table.remotes.find(*end);
        if (remote != table.remotes.end()) {
            circuit = std::max(circuit, remote->second->breaker.state());
        }
    }
    if (!Present(table, c.source) || !Present(table, c.target) ||
        circuit == CircuitState::kOpen) {
        info.health = Health::kUnhealthy;
    } else if (circuit == CircuitState::kHalfOpen ||
               clock_.Now() - info.last_activity > options_.degraded_after) {
        info.health = Health::kDegraded;
    } else {
        info.health = Health::kHealthy;
    }
    return info;
}

Result<ConnectionInfo> Connector::Connect(const std::string& source, const std::string& target,
                                          ConnectionConfig config) {
    auto created = ConnectMany({{source, target}}, config);
    if (!created.ok()) return created.status();
    return std::move(created->front());
}

Result<std::vector<ConnectionInfo>> Connector::ConnectMany(
    const std::vector<std::pair<std::string, std::string>>& pairs, const ConnectionConfig& config,
    std::string_view network_type) {
    const auto started = clock_.SteadyNow();
    const auto type = internal::ConnectionType(config);
    const bool network = !network_type.empty();
    trace::Span span;
    if (network) {
        std::set<std::string_view> services;
        for (const auto& [source, target] : pairs) services.insert({source, target});
        span = telemetry_->Start("network.create", {{attr::kNetworkType, network_type},
                                                    {attr::kServiceCount, services.size()},
                                                    {attr::kConnectionCount, pairs.size()},
                                                    {attr::kConnectionType, type}});
    } else {
        span = telemetry_->Start("connection.create", {{attr::kSource, pairs.front().first},
                                                       {attr::kTarget, pairs.front().second},
                                                       {attr::kConnectionType, type}});
    }
    auto created = AddConnections(pairs, config);
    const trace::Baggage& baggage = trace::Context::Current().baggage;
    if (!created.ok()) {
        span.SetStatus(trace::StatusCode::kError, created.status().message());
        // The caller's mistake (unknown tome, duplicate, limit): a warning, not an error.
        if (telemetry_->Logs(Severity::kWarn)) {
            telemetry_->Log(Severity::kWarn,
                            network ? "Network creation failed" : "Connection creation failed",
                            {{attr::kSource, pairs.front().first},
                             {attr::kTarget, pairs.front().second},
                             {attr::kNetworkType, network_type},
                             {attr::kErrorType, CodeName(created.status().code())},
                             {attr::kErrorMessage, created.status().message()}},
                            span.GetContext(), baggage);
        }
    } else {
        const trace::Context parent = span.ToContext();
        for (const ConnectionInfo& info : *created) {
            (config.bidirectional ? telemetry_->connections_two_way
                                  : telemetry_->connections_one_way)
                .Add(1);
            trace::Span child;
            trace::Span& one = network ? child : span;
            if (network) {
                child = telemetry_->Start("connection.create", {{attr::kSource, info.source},
                                                                {attr::kTarget, info.target},
                                                                {attr::kConnectionType, type}},
                                          &parent);
            }
            one.SetAttribute(attr::kConnectionId, info.id);
            one.AddEvent("connection.created", {{attr::kConnectionId, info.id},
                                                {"tome.connection.trace_id", info.trace_id}});
            telemetry_->Log(Severity::kInfo, "Connection created",
                            {{attr::kSource, info.source},
                             {attr::kTarget, info.target},
                             {attr::kConnectionType, type},
                             {attr::kConnectionId, info.id}},
                            one.GetContext(), baggage);
        }
        if (network && telemetry_->Logs(Severity::kInfo)) {
            std::set<std::string_view> services;
            for (const auto& [source, target] : pairs) services.insert({source, target});
            telemetry_->Log(Severity::kInfo, "Network created",
                            {{attr::kNetworkType, network_type},
                             {attr::kServiceCount, services.size()},
                             {attr::kConnectionCount, created->size()},
                             {attr::kConnectionType, type}},
                            span.GetContext(), baggage);
        }
    }
    telemetry_->Timed(network ? Operation::kNetworkCreate : Operation::kConnectionCreate,
                      SecondsSince(clock_, started));
    return created;
}

Result<std::vector<ConnectionInfo>> Connector::AddConnections(
    const std::vector<std::pair<std::string, std::string>>& pairs, const ConnectionConfig& config) {
    if (auto s = ValidateConnectionConfig(config); !s.ok()) return s;
    for (const auto& [source, target] : pairs) {
        if (source == target) {
            return InvalidArgument("cannot connect tome '" + source + "' to itself");
        }
    }
    std::lock_guard write(write_mu_);
    auto current = Table();
    std::vector<std::string> unknown;
    for (const auto& [source, target] : pairs) {
        for (const auto* name : {&source, &target}) {
            if (!Present(*current, *name) &&
                std::find(unknown.begin(), unknown.end(), *name) == unknown.end()) {
                unknown.push_back(*name);
            }
        }
    }
    if (unknown.size() == 1) return NotFound("tome " + Quoted(unknown) + " does not exist");
    if (!unknown.empty()) return NotFound("tomes " + Quoted(unknown) + " do not exist");
    std::set<std::pair<std::string, std::string>> batch;
    for (const auto& pair : pairs) {
        if (current->pairs.count(pair) > 0 || !batch.insert(pair).second) {
            return AlreadyExists("tome '" + pair.first + "' is already connected to '" +
                                 pair.second + "'");
        }
    }
    if (current->connections.size() + pairs.size() > options_.max_connections) {
        return ResourceExhausted("connection limit of " + std::to_string(options_.max_connections) +
                                 " reached");
    }
    auto connections = current->connections;
    std::vector<ConnectionInfo> infos;
    const auto now = clock_.Now();
    for (const auto& [source, target] : pairs) {
        std::string id =
            "conn-" + std::to_string(next_id_++) + "-" + UrlSafe(source) + "-" + UrlSafe(target);
        std::string trace = config.custom_trace_id.empty() ? telemetry::GenerateTraceId().ToHex()
                                                           : config.custom_trace_id;
        auto state = std::make_shared<const ConnectionState>(std::move(id), source, target, config,
                                                             now, std::move(trace));
        infos.push_back(Info(*current, *state));
        connections.push_back(std::move(state));
    }
    Publish(current->With(std::move(connections)));
    return infos;
}

Status Connector::RestoreConnection(const std::string& id, const std::string& source,
                                    const std::string& target, ConnectionConfig config,
                                    const std::string& trace_id) {
    if (auto st = ValidateConnectionConfig(config); !st.ok()) return st;
    if (id.empty() || source.empty() || target.empty()) {
        return InvalidArgument("a restored connection needs an id, a source and a target");
    }
    std::lock_guard write(write_mu_);
    auto current = Table();
    if (current->Find(id) != nullptr) return AlreadyExists("connection '" + id + "' already exists");
    if (current->pairs.count({source, target}) > 0) {
        return AlreadyExists("tome '" + source + "' is already connected to '" + target + "'");
    }
    if (current->connections.size() >= options_.max_connections) {
        return ResourceExhausted("connection limit of " + std::to_string(options_.max_connections) +
                                 " reached");
    }
    // "conn-<n>-...": later ids start after n.
    if (id.rfind("conn-", 0) == 0) {
        std::uint64_t n = 0;
        std::size_t i = 5;
        for (; i < id.size() && id[i] >= '0' && id[i] <= '9' && n < (1ull << 60); ++i) n = n * 10 + (id[i] - '0');
        if (i > 5) next_id_ = std::max(next_id_, n + 1);
    }
    auto connections = current->connections;
    connections.push_back(std::make_shared<const ConnectionState>(
        id, source, target, std::move(config), clock_.Now(),
        trace_id.empty() ? telemetry::GenerateTraceId().ToHex() : trace_id));
    Publish(current->With(std::move(connections)));
    return Status::Ok();
}

void Connector::ContinueConnectionIdsFrom(std::uint64_t next) {
    std::lock_guard write(write_mu_);
    next_id_ = std::max(next_id_, next);
}

Status Connector::Disconnect(const std::string& connection_id) {
    const auto started = clock_.SteadyNow();
    trace::Span span =
        telemetry_->Start("connection.delete", {{attr::kConnectionId, connection_id}});
    // `current` keeps the removed connection alive after the new table is published, so it can
    // still be described once the lock is released (no logging under the writer lock).
    std::shared_ptr<const RoutingTable> current;
    const ConnectionState* gone = nullptr;
    {
        std::lock_guard write(write_mu_);
        current = Table();
        gone = current->Find(connection_id);
        if (gone != nullptr) {
            std::vector<std::shared_ptr<const ConnectionState>> connections;
            connections.reserve(current->connections.size());
            for (const auto& c : current->connections) {
                if (c->id != connection_id) connections.push_back(c);
            }
            Publish(current->With(std::move(connections)));
        }
    }
    if (gone == nullptr) {
        span.SetStatus(trace::StatusCode::kError, "connection does not exist");
        return NotFound("connection '" + connection_id + "' does not exist");
    }
    const std::string_view type = internal::ConnectionType(gone->config);
    span.SetAttributes(
        {{attr::kSource, gone->source}, {attr::kTarget, gone->target}, {attr::kConnectionType, type}});
    telemetry_->Log(Severity::kInfo, "Connection deleted",
                    {{attr::kSource, gone->source},
                     {attr::kTarget, gone->target},
                     {attr::kConnectionType, type},
                     {attr::kConnectionId, connection_id}},
                    span.GetContext(), trace::Context::Current().baggage);
    telemetry_->Timed(Operation::kConnectionDelete, SecondsSince(clock_, started));
    return Status::Ok();
}

Status Connector::RegisterRemoteTome(const std::string& tome_id, const std::string& endpoint,
                                     std::optional<RemoteLinkOptions> options) {
    if (tome_id.empty()) return InvalidArgument("remote tome id must not be empty");
    if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0) {
        return InvalidArgument("endpoint '" + endpoint + "' must start with http:// or https://");
    }
    const RemoteLinkOptions& link = options ? *options : options_.remote;
    if (Status st = connector::Validate(link); !st.ok()) {
        return InvalidArgument("remote tome '" + tome_id + "': " + st.message());
    }
    std::lock_guard write(write_mu_);
    auto current = Table();
    if (Present(*current, tome_id)) {
        return AlreadyExists("tome '" + tome_id + "' is already registered");
    }
    auto remotes = current->remotes;
    remotes.emplace(tome_id, std::make_shared<internal::RemoteLinkState>(endpoint, link));
    Publish(RoutingTable::Build(current->connections, std::move(remotes), current->sender));
    return Status::Ok();
}

Status Connector::UnregisterRemoteTome(const std::string& tome_id) {
    std::lock_guard write(write_mu_);
    auto current = Table();
    if (current->remotes.count(tome_id) == 0) {
        return NotFound("tome '" + tome_id + "' is not a remote tome");
    }
    auto remotes = current->remotes;
    remotes.erase(tome_id);
    Publish(RoutingTable::Build(current->connections, std::move(remotes), current->sender));
    return Status::Ok();
}

void Connector::SetRemoteSender(std::shared_ptr<RemoteTomeSender> sender) {
    std::lock_guard write(write_mu_);
    auto current = Table();
    Publish(RoutingTable::Build(current->connections, current->remotes, std::move(sender)));
}

Result<ConnectionInfo> Connector::GetConnection(const std::string& id) const {
    auto table = Table();
    const ConnectionState* c = table->Find(id);
    if (c == nullptr) return NotFound("connection '" + id + "' does not exist");
    return Info(*table, *c);
}

std::vector<ConnectionInfo> Connector::ListConnections() const {
    auto table = Table();
    std::vector<ConnectionInfo> out;
    out.reserve(table->connections.size());
    for (const auto& c : table->connections) out.push_back(Info(*table, *c));
    return out;
}

std::vector<ConnectionInfo> Connector::ConnectionsOf(const std::string& tome_id) const {
    auto table = Table();
    std::vector<ConnectionInfo> out;
    for (const auto& c : table->connections) {
        if (c->source == tome_id || c->target == tome_id) out.push_back(Info(*table, *c));
    }
    return out;
}

Result<std::vector<ConnectionInfo>> Connector::CreateRingNetwork(
    const std::vector<std::string>& tomes, const ConnectionConfig& config) {
    if (tomes.size() < 2) return InvalidArgument("a ring needs at least 2 tomes");
    std::set<std::string> seen;
    for (const auto& t : tomes) {
        if (!seen.insert(t).second) return InvalidArgument("tome '" + t + "' appears twice");
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 0; i + 1 < tomes.size(); ++i) pairs.emplace_back(tomes[i], tomes[i + 1]);
    if (tomes.size() >= 3) pairs.emplace_back(tomes.back(), tomes.front());
    return ConnectMany(pairs, config, tomes.size() >= 3 ? "ring" : "chain");
}

Result<std::vector<ConnectionInfo>> Connector::CreateHubNetwork(
    const std::string& hub, const std::vector<std::string>& spokes,
    const ConnectionConfig& config) {
    if (spokes.empty()) return InvalidArgument("a hub network needs at least 1 spoke");
    std::set<std::string> seen{hub};
    for (const auto& s : spokes) {
        if (!seen.insert(s).second) return InvalidArgument("tome '" + s + "' appears twice");
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& s : spokes) pairs.emplace_back(hub, s);
    return ConnectMany(pairs, config, "hub");
}

ConnectorStats Connector::stats() const {
    ConnectorStats s;
    s.events_received = events_received_.load(std::memory_order_relaxed);
    s.deliveries = deliveries_.load(std::memory_order_relaxed);
    s.events_forwarded = events_forwarded_.load(std::memory_order_relaxed);
    s.states_synced = states_synced_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < dropped_.size(); ++i) {
        const auto n = dropped_[i].load(std::memory_order_relaxed);
        if (n > 0) {
            s.dropped[std::string(internal::DropReasonName(static_cast<internal::DropReason>(i)))] =
                n;
        }
    }
    s.connections = Table()->connections.size();
    return s;
}

}  // namespace tome::connector
