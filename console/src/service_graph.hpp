// ServiceGraph: what the console derives from spans as they arrive. Edges between services
// (a CLIENT span paired with the SERVER span it caused, a PRODUCER with its CONSUMER, across
// processes and in any arrival order), edges between tomes (tome's event.forward / state.sync
// spans carry tome.source and tome.target), virtual nodes for peers that send no telemetry
// (an unpaired CLIENT span's peer.service, db.system, server.address, ...), and RED (requests,
// errors, latency sketch) per edge, per service and per operation from entry spans, in 10 s
// buckets over the last hour (RedRing). Bounded: a byte budget for keys and buckets, and a cap
// on spans waiting for their pair (the oldest are expired early and counted).
// Thread-safety: Observe and Expire on the one writer thread; queries from any thread (one
// mutex; queries hold it while they sum buckets).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "red_ring.hpp"
#include "span_record.hpp"

namespace tome::console::internal {

struct ServiceGraphOptions {
    /// Bytes for keys and buckets; past it new keys are refused (counted). Default 12 MiB.
    std::size_t budget_bytes = 12 << 20;
    /// How long a CLIENT/SERVER span waits for its pair before it is expired. Default 10 s.
    std::int64_t pairing_wait_ms = 10'000;
    /// Spans waiting for their pair at most; the oldest is expired when full. Default 100 000.
    std::size_t max_pending = 100'000;
};

struct GraphNode {
    std::string id;    ///< "service:<name>", "tome:<id>", "virtual:<peer>"
    std::string name;
    std::string kind;  ///< service | tome | virtual
    RedTotals red;
};

struct GraphEdge {
    std::string source;
    std::string target;
    std::string kind;  ///< rpc | forward | messaging
    RedTotals red;
    std::string id() const { return source + "->" + target; }
};

struct Graph {
    std::vector<GraphNode> nodes;
    std::vector<GraphEdge> edges;
};

struct OperationRed {
    std::string service;
    std::string operation;
    std::uint8_t kind = 0;
    RedTotals red;
};

struct ServiceGraphStats {
    std::size_t bytes = 0;
    std::size_t keys = 0;
    std::size_t pending = 0;
    std::uint64_t paired = 0;
    std::uint64_t virtual_edges = 0;   ///< Unpaired client spans given a virtual peer.
    std::uint64_t unpaired = 0;        ///< Expired with nothing to pair or name.
    std::uint64_t keys_refused = 0;    ///< New keys refused over the budget.
    std::uint64_t out_of_window = 0;   ///< Spans older than the hour (or far in the future).
};

class ServiceGraph {
public:
    explicit ServiceGraph(ServiceGraphOptions options);

    /// Takes one stored span (its service name resolved). `now_ms`: wall clock, unix ms.
    void Observe(const SpanView& span, std::string_view service, std::int64_t now_ms);
    /// Expires spans that waited longer than the pairing wait. Call every second or so.
    void Expire(std::int64_t now_ms);

    /// Nodes and edges active in [from_ms, to_ms) with their RED.
    Graph Snapshot(std::int64_t from_ms, std::int64_t to_ms) const;
    /// RED per step of a service (operation empty) or of one of its entry operations.
    std::vector<RedTotals> ServiceSeries(std::string_view service, std::string_view operation,
                                         std::int64_t from_ms, std::int64_t to_ms,
                                         std::int64_t step_ms) const;
    /// RED per step of the edge "source->target".
    std::vector<RedTotals> EdgeSeries(std::string_view edge_id, std::int64_t from_ms,
                                      std::int64_t to_ms, std::int64_t step_ms) const;
    /// Entry operations (of one service, or all when empty) with RED in the window.
    std::vector<OperationRed> Operations(std::string_view service, std::int64_t from_ms,
                                         std::int64_t to_ms) const;
    ServiceGraphStats Stats() const;

    /// The virtual node name of a CLIENT/PRODUCER span's peer from its attributes ("db:postgres",
    /// "payments-api", "10.0.0.7:5432"); empty when the span names none. Public for tests.
    static std::string PeerName(const SpanView& span);

private:
    struct Pending {
        std::string service;
        std::string peer;          // clients only
        std::int64_t end_ms = 0;
        std::int64_t added_ms = 0;
        double duration_us = 0;
        bool error = false;
        bool messaging = false;
    };
    struct PairKey {
        TraceIdBytes trace;
        SpanIdBytes span;
        bool operator==(const PairKey&) const = default;
    };
    struct PairKeyHash {
        std::size_t operator()(const PairKey& k) const noexcept;
    };
    struct EdgeKey {
        std::string source, target, kind;
        auto operator<=>(const EdgeKey&) const = default;
    };
    struct OpKey {
        std::string service, operation;
        auto operator<=>(const OpKey&) const = default;
    };

    // Requires mu_.
    RedRing* EdgeRing(const EdgeKey& key);
    RedRing* ServiceRing(const std::string& service);
    RedRing* OperationRing(const std::string& service, const std::string& operation, std::uint8_t kind);
    bool RoomForKey(std::size_t key_bytes);
    void RecordPair(const Pending& client, const Pending& server, std::int64_t now_ms);
    void ExpireOne(const PairKey& key, bool client, std::int64_t now_ms);
    void Account();

    const ServiceGraphOptions options_;
    mutable std::mutex mu_;
    std::map<EdgeKey, RedRing> edges_;
    std::map<std::string, RedRing, std::less<>> services_;
    std::map<OpKey, std::pair<std::uint8_t, RedRing>> operations_;
    std::unordered_map<PairKey, Pending, PairKeyHash> clients_;  // by the client's span id
    std::unordered_map<PairKey, Pending, PairKeyHash> servers_;  // by the server's parent id
    std::deque<std::pair<PairKey, bool>> order_;                 // arrival order (key, is_client)
    std::size_t bytes_ = 0;         // last accounted
    std::uint64_t observed_ = 0;
    ServiceGraphStats counts_;
};

}  // namespace tome::console::internal
