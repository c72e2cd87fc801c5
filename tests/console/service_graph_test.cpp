#include "service_graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "console_test_util.hpp"

namespace tome::console::internal {
namespace {

using testing::EncodeSpan;
using testing::SpanSpec;

constexpr std::uint8_t kServer = 2, kClient = 3, kInternal = 1, kProducer = 4, kConsumer = 5;

class ServiceGraphTest : public ::testing::Test {
protected:
    // Feeds the spans in the given order; `now_ms` is the wall clock the graph sees.
    void Feed(ServiceGraph& graph, const std::vector<std::pair<SpanSpec, std::string>>& spans, std::int64_t now_ms) {
        for (const auto& [spec, service] : spans) {
            const std::string record = EncodeSpan(strings_, spec);
            auto view = SpanView::Parse(record, strings_);
            ASSERT_TRUE(view);
            graph.Observe(*view, service, now_ms);
        }
    }
    static std::map<std::string, GraphEdge> Edges(const Graph& g) {
        std::map<std::string, GraphEdge> out;
        for (const auto& e : g.edges) out[e.id()] = e;
        return out;
    }
    StringTable strings_;
    const std::int64_t now_ms_ = 1'800'000'000'000;
    std::uint64_t start_ns() const { return static_cast<std::uint64_t>(now_ms_ - 30'000) * 1'000'000; }
};

// 3 instrumented services and one database that sends nothing: frontend -> orders ->
// payments, and orders -> postgres. Every 5th payment fails.
std::vector<std::pair<SpanSpec, std::string>> Fixture(std::uint64_t start_ns, int traces) {
    std::vector<std::pair<SpanSpec, std::string>> spans;
    std::uint64_t n = 1;
    for (int t = 0; t < traces; ++t) {
        const auto trace = testing::TraceN(static_cast<std::uint64_t>(t) + 1);
        auto span = [&](std::string service, std::string name, std::uint8_t kind, SpanIdBytes parent,
                        std::uint8_t status = 0, std::vector<std::pair<std::string, std::string>> attrs = {}) {
            SpanSpec s;
            s.trace = trace;
            s.span = testing::SpanN(n++);
            s.parent = parent;
            s.name = std::move(name);
            s.kind = kind;
            s.status = status;
            s.start_ns = start_ns + static_cast<std::uint64_t>(t) * 1'000'000;
            s.duration_ns = 2'000'000;
            s.attributes = std::move(attrs);
            spans.emplace_back(s, std::move(service));
            return s.span;
        };
        const bool fails = t % 5 == 0;
        const auto root = span("frontend", "GET /checkout", kServer, {});
        const auto c1 = span("frontend", "POST /orders", kClient, root);
        const auto s1 = span("orders", "POST /orders", kServer, c1);
        span("orders", "SELECT orders", kClient, s1, 0, {{"db.system", "postgresql"}, {"db.name", "orders"}});
        const auto c2 = span("orders", "POST /pay", kClient, s1, fails ? 2 : 0);
        span("payments", "POST /pay", kServer, c2, fails ? 2 : 0);
    }
    return spans;
}

TEST_F(ServiceGraphTest, ThreeServicesAndAnUninstrumentedDatabaseGiveExactlyTheExpectedEdges) {
    ServiceGraph graph({});
    auto spans = Fixture(start_ns(), 50);
    std::shuffle(spans.begin(), spans.end(), std::mt19937_64(3));  // any arrival order
    Feed(graph, spans, now_ms_);
    // The database's CLIENT spans wait for a SERVER span that never comes, then get a virtual peer.
    graph.Expire(now_ms_ + 11'000);

    const auto edges = Edges(graph.Snapshot(now_ms_ - 60'000, now_ms_ + 1));
    ASSERT_EQ(edges.size(), 3u);
    const auto& fo = edges.at("service:frontend->service:orders");
    EXPECT_EQ(fo.kind, "rpc");
    EXPECT_EQ(fo.red.requests, 50u);
    EXPECT_EQ(fo.red.errors, 0u);
    const auto& op = edges.at("service:orders->service:payments");
    EXPECT_EQ(op.red.requests, 50u);
    EXPECT_EQ(op.red.errors, 10u) << "20 % of payments fail";
    const auto& db = edges.at("service:orders->virtual:db:postgresql/orders");
    EXPECT_EQ(db.red.requests, 50u);
    EXPECT_NEAR(db.red.latency.Quantile(0.5), 2000, 20) << "µs, within the sketch's 1 %";

    const Graph g = graph.Snapshot(now_ms_ - 60'000, now_ms_ + 1);
    std::map<std::string, std::string> kinds;
    for (const auto& node : g.nodes) kinds[node.id] = node.kind;
    EXPECT_EQ(kinds["service:frontend"], "service");
    EXPECT_EQ(kinds["virtual:db:postgresql/orders"], "virtual");
    const ServiceGraphStats stats = graph.Stats();
    EXPECT_EQ(stats.paired, 100u);
    EXPECT_EQ(stats.virtual_edges, 50u);
    EXPECT_EQ(stats.pending, 0u);
}

TEST_F(ServiceGraphTest, RedPerServiceAndOperationComesFromEntrySpans) {
    ServiceGraph graph({});
    Feed(graph, Fixture(start_ns(), 20), now_ms_);
    const auto ops = graph.Operations("", now_ms_ - 60'000, now_ms_ + 1);
    std::map<std::string, RedTotals> by;
    for (const auto& o : ops) by[o.service + " " + o.operation] = o.red;
    ASSERT_EQ(by.size(), 3u) << "server spans only: CLIENT spans are not entries";
    EXPECT_EQ(by["payments POST /pay"].requests, 20u);
    EXPECT_EQ(by["payments POST /pay"].errors, 4u);
    EXPECT_EQ(by["frontend GET /checkout"].requests, 20u);
    const auto series = graph.ServiceSeries("payments", "", now_ms_ - 60'000, now_ms_ + 1, 60'000);
    std::uint64_t total = 0;
    for (const auto& s : series) total += s.requests;
    EXPECT_EQ(total, 20u);
}

TEST_F(ServiceGraphTest, TomeDeliveriesAreEdgesBetweenTomesAndMessagingPairsProducerWithConsumer) {
    ServiceGraph graph({});
    std::vector<std::pair<SpanSpec, std::string>> spans;
    for (int i = 0; i < 4; ++i) {
        SpanSpec s;
        s.trace = testing::TraceN(900 + static_cast<std::uint64_t>(i));
        s.span = testing::SpanN(9000 + static_cast<std::uint64_t>(i));
        s.parent = testing::SpanN(1);
        s.name = "event.forward";
        s.kind = kInternal;
        s.start_ns = start_ns();
        s.attributes = {{"tome.source", "OrderService"}, {"tome.target", "PaymentService"}};
        spans.emplace_back(s, "tome");
    }
    SpanSpec producer;
    producer.trace = testing::TraceN(1000);
    producer.span = testing::SpanN(10000);
    producer.kind = kProducer;
    producer.start_ns = start_ns();
    SpanSpec consumer = producer;
    consumer.span = testing::SpanN(10001);
    consumer.parent = producer.span;
    consumer.kind = kConsumer;
    spans.emplace_back(consumer, "worker");
    spans.emplace_back(producer, "api");
    Feed(graph, spans, now_ms_);
    const auto edges = Edges(graph.Snapshot(now_ms_ - 60'000, now_ms_ + 1));
    ASSERT_TRUE(edges.count("tome:OrderService->tome:PaymentService"));
    EXPECT_EQ(edges.at("tome:OrderService->tome:PaymentService").kind, "forward");
    EXPECT_EQ(edges.at("tome:OrderService->tome:PaymentService").red.requests, 4u);
    ASSERT_TRUE(edges.count("service:api->service:worker"));
    EXPECT_EQ(edges.at("service:api->service:worker").kind, "messaging");
}

TEST_F(ServiceGraphTest, WaitingSpansAreBoundedAndTheOldestExpireFirst) {
    ServiceGraphOptions options;
    options.max_pending = 10;
    ServiceGraph graph(options);
    std::vector<std::pair<SpanSpec, std::string>> spans;
    for (int i = 0; i < 25; ++i) {
        SpanSpec s;
        s.trace = testing::TraceN(static_cast<std::uint64_t>(i) + 1);
        s.span = testing::SpanN(static_cast<std::uint64_t>(i) + 1);
        s.kind = kClient;
        s.start_ns = start_ns();
        spans.emplace_back(s, "lonely");
    }
    Feed(graph, spans, now_ms_);
    const ServiceGraphStats stats = graph.Stats();
    EXPECT_EQ(stats.pending, 10u);
    EXPECT_EQ(stats.unpaired, 15u) << "no peer attributes: counted, not drawn";
}

TEST(ServiceGraphPeer, NamesThePeerFromTheMostSpecificAttribute) {
    StringTable strings;
    auto peer = [&](std::vector<std::pair<std::string, std::string>> attrs) {
        SpanSpec s;
        s.trace = testing::TraceN(1);
        s.span = testing::SpanN(1);
        s.kind = kClient;
        s.attributes = std::move(attrs);
        const std::string r = EncodeSpan(strings, s);
        return ServiceGraph::PeerName(*SpanView::Parse(r, strings));
    };
    EXPECT_EQ(peer({{"server.address", "10.0.0.7"}, {"peer.service", "ledger"}}), "ledger");
    EXPECT_EQ(peer({{"db.system", "redis"}}), "db:redis");
    EXPECT_EQ(peer({{"server.address", "api.example.com"}, {"server.port", "443"}}), "api.example.com:443");
    EXPECT_EQ(peer({{"url.full", "http://user@backend:8080/x?y"}}), "backend:8080");
    EXPECT_EQ(peer({{"tome.remote.endpoint", "http://127.0.0.1:4001"}}), "127.0.0.1:4001");
    EXPECT_EQ(peer({}), "");
}

}  // namespace
}  // namespace tome::console::internal
