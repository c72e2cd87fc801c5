#include "service_graph.hpp"

#include <algorithm>
#include <cstring>
#include <set>

namespace tome::console::internal {
namespace {

// Bytes one key costs before its buckets fill: the ring's cells and the map node.
constexpr std::size_t kKeyOverhead = RedRing::kBuckets * 64 + 128;
constexpr std::size_t kPendingBytes = 192;

bool IsTomeDelivery(std::string_view name) { return name == "event.forward" || name == "state.sync"; }

std::string HostOf(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    url.remove_prefix(scheme + 3);
    const auto end = url.find_first_of("/?#");
    url = url.substr(0, end);
    if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    return std::string(url);
}

}  // namespace

std::size_t ServiceGraph::PairKeyHash::operator()(const PairKey& k) const noexcept {
    std::uint64_t a, b, c;
    std::memcpy(&a, k.trace.data(), 8);
    std::memcpy(&b, k.trace.data() + 8, 8);
    std::memcpy(&c, k.span.data(), 8);
    return static_cast<std::size_t>((a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL) ^ c);
}

ServiceGraph::ServiceGraph(ServiceGraphOptions options) : options_(options) {}

std::string ServiceGraph::PeerName(const SpanView& span) {
    std::string peer_service, db_system, db_name, messaging, destination, rpc, address, port,
        endpoint, url;
    std::string text;
    span.ForEachAttribute([&](std::string_view key, RecordReader& r) {
        std::string* slot = nullptr;
        if (key == "peer.service") slot = &peer_service;
        else if (key == "db.system" || key == "db.system.name") slot = &db_system;
        else if (key == "db.namespace" || key == "db.name") slot = &db_name;
        else if (key == "messaging.system") slot = &messaging;
        else if (key == "messaging.destination.name") slot = &destination;
        else if (key == "rpc.service") slot = &rpc;
        else if (key == "server.address" || key == "net.peer.name") slot = &address;
        else if (key == "server.port" || key == "net.peer.port") slot = &port;
        else if (key == "tome.remote.endpoint") slot = &endpoint;
        else if (key == "url.full" || key == "http.url") slot = &url;
        if (slot == nullptr || !slot->empty()) {
            r.SkipValue();
        } else if (r.ValueText(text)) {
            *slot = text;
        }
        return true;
    });
    if (!peer_service.empty()) return peer_service;
    if (!db_system.empty()) return "db:" + db_system + (db_name.empty() ? "" : "/" + db_name);
    if (!messaging.empty()) return "queue:" + messaging + (destination.empty() ? "" : "/" + destination);
    if (!rpc.empty()) return rpc;
    if (!address.empty()) return port.empty() ? address : address + ":" + port;
    if (!endpoint.empty()) {
        std::string host = HostOf(endpoint);
        if (!host.empty()) return host;
    }
    if (!url.empty()) return HostOf(url);
    return {};
}

bool ServiceGraph::RoomForKey(std::size_t key_bytes) {
    if (bytes_ + key_bytes + kKeyOverhead > options_.budget_bytes) {
        ++counts_.keys_refused;
        return false;
    }
    bytes_ += key_bytes + kKeyOverhead;
    return true;
}

RedRing* ServiceGraph::EdgeRing(const EdgeKey& key) {
    auto it = edges_.find(key);
    if (it != edges_.end()) return &it->second;
    if (!RoomForKey(key.source.size() + key.target.size() + key.kind.size())) return nullptr;
    return &edges_.emplace(key, RedRing{}).first->second;
}

RedRing* ServiceGraph::ServiceRing(const std::string& service) {
    auto it = services_.find(service);
    if (it != services_.end()) return &it->second;
    if (!RoomForKey(service.size())) return nullptr;
    return &services_.emplace(service, RedRing{}).first->second;
}

RedRing* ServiceGraph::OperationRing(const std::string& service, const std::string& operation,
                                     std::uint8_t kind) {
    OpKey key{service, operation};
    auto it = operations_.find(key);
    if (it != operations_.end()) return &it->second.second;
    if (!RoomForKey(service.size() + operation.size())) return nullptr;
    return &operations_.emplace(std::move(key), std::make_pair(kind, RedRing{})).first->second.second;
}

void ServiceGraph::RecordPair(const Pending& client, const Pending& server, std::int64_t now_ms) {
    EdgeKey key{"service:" + client.service, "service:" + server.service,
                client.messaging ? "messaging" : "rpc"};
    if (RedRing* ring = EdgeRing(key)) {
        if (!ring->Record(client.end_ms, now_ms, client.duration_us, client.error || server.error)) {
            ++counts_.out_of_window;
        }
    }
    ++counts_.paired;
}

void ServiceGraph::Observe(const SpanView& span, std::string_view service_view, std::int64_t now_ms) {
    const SpanHeader& h = span.header;
    const auto end_ms = static_cast<std::int64_t>(h.end_ns / 1'000'000);
    const double duration_us = static_cast<double>(h.duration_ns()) / 1000.0;
    const bool error = h.status == kStatusError;
    const std::string service(service_view);
    std::string source, target;
    if (IsTomeDelivery(span.name)) {
        std::string text;
        span.ForEachAttribute([&](std::string_view key, RecordReader& r) {
            if (key == "tome.source" && r.ValueText(text)) source = text;
            else if (key == "tome.target" && r.ValueText(text)) target = text;
            else if (key != "tome.source" && key != "tome.target") r.SkipValue();
            return source.empty() || target.empty();
        });
    }
    const bool client = h.kind == static_cast<std::uint8_t>(Kind::kClient) ||
                        h.kind == static_cast<std::uint8_t>(Kind::kProducer);
    const bool server = (h.kind == static_cast<std::uint8_t>(Kind::kServer) ||
                         h.kind == static_cast<std::uint8_t>(Kind::kConsumer)) &&
                        !IsZero(h.parent_span_id);
    std::string peer = client ? PeerName(span) : std::string();

    std::lock_guard lock(mu_);
    if (h.is_entry()) {
        bool recorded = true;
        if (RedRing* ring = ServiceRing(service)) recorded = ring->Record(end_ms, now_ms, duration_us, error);
        if (RedRing* ring = OperationRing(service, std::string(span.name), h.kind)) {
            recorded = ring->Record(end_ms, now_ms, duration_us, error) && recorded;
        }
        if (!recorded) ++counts_.out_of_window;
    }
    if (!source.empty() && !target.empty()) {
        if (RedRing* ring = EdgeRing({"tome:" + source, "tome:" + target, "forward"})) {
            if (!ring->Record(end_ms, now_ms, duration_us, error)) ++counts_.out_of_window;
        }
    }
    Pending mine{service, std::move(peer), end_ms, now_ms, duration_us, error,
                 h.kind == static_cast<std::uint8_t>(Kind::kProducer) ||
                     h.kind == static_cast<std::uint8_t>(Kind::kConsumer)};
    if (client) {
        const PairKey key{h.trace_id, h.span_id};
        if (auto it = servers_.find(key); it != servers_.end()) {
            RecordPair(mine, it->second, now_ms);
            servers_.erase(it);
        } else if (clients_.emplace(key, std::move(mine)).second) {
            order_.emplace_back(key, true);
        }
    } else if (server) {
        const PairKey key{h.trace_id, h.parent_span_id};
        if (auto it = clients_.find(key); it != clients_.end()) {
            RecordPair(it->second, mine, now_ms);
            clients_.erase(it);
        } else if (servers_.emplace(key, std::move(mine)).second) {
            order_.emplace_back(key, false);
        }
    }
    while (clients_.size() + servers_.size() > options_.max_pending && !order_.empty()) {
        auto [key, is_client] = order_.front();
        order_.pop_front();
        ExpireOne(key, is_client, now_ms);
    }
    if (++observed_ % 4096 == 0) Account();
}

void ServiceGraph::ExpireOne(const PairKey& key, bool client, std::int64_t now_ms) {
    auto& map = client ? clients_ : servers_;
    auto it = map.find(key);
    if (it == map.end()) return;  // paired meanwhile
    const Pending& p = it->second;
    if (client && !p.peer.empty()) {
        EdgeKey edge{"service:" + p.service, "virtual:" + p.peer, p.messaging ? "messaging" : "rpc"};
        if (RedRing* ring = EdgeRing(edge)) {
            if (!ring->Record(p.end_ms, now_ms, p.duration_us, p.error)) ++counts_.out_of_window;
        }
        ++counts_.virtual_edges;
    } else {
        ++counts_.unpaired;
    }
    map.erase(it);
}

void ServiceGraph::Expire(std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    while (!order_.empty()) {
        const auto& [key, is_client] = order_.front();
        const auto& map = is_client ? clients_ : servers_;
        auto it = map.find(key);
        if (it != map.end() && it->second.added_ms > now_ms - options_.pairing_wait_ms) break;
        const PairKey k = key;
        const bool c = is_client;
        order_.pop_front();
        ExpireOne(k, c, now_ms);
    }
    Account();
}

void ServiceGraph::Account() {
    std::size_t bytes = 0;
    for (const auto& [key, ring] : edges_) bytes += ring.HeapBytes() + key.source.size() + key.target.size() + 128;
    for (const auto& [key, ring] : services_) bytes += ring.HeapBytes() + key.size() + 128;
    for (const auto& [key, v] : operations_) {
        bytes += v.second.HeapBytes() + key.service.size() + key.operation.size() + 128;
    }
    bytes += (clients_.size() + servers_.size()) * kPendingBytes + order_.size() * 32;
    bytes_ = bytes;
}

Graph ServiceGraph::Snapshot(std::int64_t from_ms, std::int64_t to_ms) const {
    Graph g;
    std::map<std::string, GraphNode> nodes;
    auto node = [&](const std::string& id) -> GraphNode& {
        auto it = nodes.find(id);
        if (it != nodes.end()) return it->second;
        GraphNode n;
        n.id = id;
        const auto colon = id.find(':');
        n.kind = id.substr(0, colon);
        n.name = id.substr(colon + 1);
        return nodes.emplace(id, std::move(n)).first->second;
    };
    std::lock_guard lock(mu_);
    for (const auto& [name, ring] : services_) {
        RedTotals red = ring.Sum(from_ms, to_ms);
        if (red.requests == 0) continue;
        node("service:" + name).red = std::move(red);
    }
    for (const auto& [key, ring] : edges_) {
        RedTotals red = ring.Sum(from_ms, to_ms);
        if (red.requests == 0) continue;
        node(key.source);
        GraphNode& target = node(key.target);
        // Tomes and virtual peers have no entry spans of their own: what arrives is their load.
        if (target.kind != "service") target.red.Merge(red);
        GraphEdge e{key.source, key.target, key.kind, std::move(red)};
        g.edges.push_back(std::move(e));
    }
    for (auto& [id, n] : nodes) g.nodes.push_back(std::move(n));
    return g;
}

std::vector<RedTotals> ServiceGraph::ServiceSeries(std::string_view service, std::string_view operation,
                                                   std::int64_t from_ms, std::int64_t to_ms,
                                                   std::int64_t step_ms) const {
    std::lock_guard lock(mu_);
    if (operation.empty()) {
        auto it = services_.find(service);
        if (it == services_.end()) return RedRing().Series(from_ms, to_ms, step_ms);
        return it->second.Series(from_ms, to_ms, step_ms);
    }
    auto it = operations_.find(OpKey{std::string(service), std::string(operation)});
    if (it == operations_.end()) return RedRing().Series(from_ms, to_ms, step_ms);
    return it->second.second.Series(from_ms, to_ms, step_ms);
}

std::vector<RedTotals> ServiceGraph::EdgeSeries(std::string_view edge_id, std::int64_t from_ms,
                                                std::int64_t to_ms, std::int64_t step_ms) const {
    std::lock_guard lock(mu_);
    std::vector<RedTotals> out = RedRing().Series(from_ms, to_ms, step_ms);
    for (const auto& [key, ring] : edges_) {
        if (key.source.size() + 2 + key.target.size() != edge_id.size() ||
            edge_id.substr(0, key.source.size()) != key.source ||
            edge_id.substr(key.source.size(), 2) != "->" ||
            edge_id.substr(key.source.size() + 2) != key.target) {
            continue;
        }
        auto series = ring.Series(from_ms, to_ms, step_ms);
        for (std::size_t i = 0; i < out.size() && i < series.size(); ++i) out[i].Merge(series[i]);
    }
    return out;
}

std::vector<OperationRed> ServiceGraph::Operations(std::string_view service, std::int64_t from_ms,
                                                   std::int64_t to_ms) const {
    std::vector<OperationRed> out;
    std::lock_guard lock(mu_);
    for (const auto& [key, v] : operations_) {
        if (!service.empty() && key.service != service) continue;
        RedTotals red = v.second.Sum(from_ms, to_ms);
        if (red.requests == 0) continue;
        out.push_back({key.service, key.operation, v.first, std::move(red)});
    }
    return out;
}

ServiceGraphStats ServiceGraph::Stats() const {
    std::lock_guard lock(mu_);
    ServiceGraphStats s = counts_;
    s.bytes = bytes_;
    s.keys = edges_.size() + services_.size() + operations_.size();
    s.pending = clients_.size() + servers_.size();
    return s;
}

}  // namespace tome::console::internal
