#include "span_store.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "console_test_util.hpp"

namespace tome::console::internal {
namespace {

using testing::EncodeSpan;
using testing::SpanSpec;

struct Stored {
    SpanSpec spec;
    std::string service;
    std::string region;
};

class SpanStoreTest : public ::testing::Test {
protected:
    SpanStoreTest() : store_(Options(), strings_, resources_) {}

    static SegmentLogOptions Options() {
        SegmentLogOptions o;
        o.segment_bytes = 64 * 1024;  // many segments: sealed ones with indexes, and an active one
        o.budget_bytes = 1u << 30;    // nothing evicted: the brute force sees the same data
        return o;
    }

    // Random traces over 4 services in 2 regions, 6 operations, some errors, varied durations.
    void Fill(int traces, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        const char* services[] = {"checkout", "payments", "inventory", "mailer"};
        const char* regions[] = {"eu", "us"};
        const char* ops[] = {"GET /cart", "POST /pay", "reserve", "notify", "db.query", "render"};
        const char* tiers[] = {"standard", "premium", "gold"};
        std::lognormal_distribution<double> duration(std::log(2e6), 1.5);  // ns
        std::uint64_t span_n = 1;
        std::uint64_t start = 1'800'000'000'000'000'000ULL;
        for (int t = 0; t < traces; ++t) {
            const int spans = 1 + static_cast<int>(rng() % 8);
            const std::string tier = tiers[rng() % 3];
            std::vector<SpanIdBytes> ids;
            for (int i = 0; i < spans; ++i) {
                Stored s;
                const int svc = static_cast<int>(rng() % 4);
                s.service = services[svc];
                s.region = regions[svc % 2];
                s.spec.resource = testing::Resource(resources_, strings_, s.service, {{"cloud.region", s.region}});
                s.spec.trace = testing::TraceN(static_cast<std::uint64_t>(t) + 1);
                s.spec.span = testing::SpanN(span_n++);
                if (i > 0) s.spec.parent = ids[rng() % ids.size()];
                ids.push_back(s.spec.span);
                s.spec.name = ops[rng() % 6];
                s.spec.kind = static_cast<std::uint8_t>(1 + rng() % 5);
                s.spec.status = rng() % 20 == 0 ? 2 : 0;
                s.spec.duration_ns = static_cast<std::uint64_t>(duration(rng));
                start += 1'000'000 + rng() % 5'000'000;
                s.spec.start_ns = start;
                s.spec.attributes = {{"business.customer_tier", tier},
                                     {"business.order_id", "o-" + std::to_string(t)}};
                s.spec.int_attributes = {{"http.response.status_code", (rng() % 10 == 0) ? 500 : 200}};
                ASSERT_TRUE(store_.Append(EncodeSpan(strings_, s.spec)).has_value());
                spans_.push_back(std::move(s));
            }
        }
    }

    bool Matches(const Stored& s, const TraceQuery& q) const {
        const auto start_us = static_cast<std::int64_t>(s.spec.start_ns / 1000);
        if (start_us < q.start_us || start_us > q.end_us) return false;
        if (q.errors_only && s.spec.status != 2) return false;
        if (s.spec.duration_ns < q.min_duration_ns) return false;
        if (q.max_duration_ns && s.spec.duration_ns > q.max_duration_ns) return false;
        if (!q.service.empty() && s.service != q.service) return false;
        if (!q.operation.empty() && s.spec.name != q.operation) return false;
        for (const auto& [k, v] : q.attributes) {
            bool ok = false;
            if (k == "cloud.region") ok = s.region == v;
            for (const auto& [ak, av] : s.spec.attributes) ok = ok || (ak == k && av == v);
            for (const auto& [ak, av] : s.spec.int_attributes) ok = ok || (ak == k && std::to_string(av) == v);
            if (!ok) return false;
        }
        return true;
    }

    TraceSearchResult BruteForce(const TraceQuery& q) const {
        TraceSearchResult r;
        std::set<TraceIdBytes> seen;
        for (auto it = spans_.rbegin(); it != spans_.rend(); ++it) {
            if (!Matches(*it, q) || !seen.insert(it->spec.trace).second) continue;
            if (r.traces.size() == q.limit) {
                r.more = true;
                break;
            }
            r.traces.push_back(it->spec.trace);
        }
        return r;
    }

    StringTable strings_;
    ResourceTable resources_;
    SpanStore store_;
    std::vector<Stored> spans_;
};

TEST_F(SpanStoreTest, SearchAnswersExactlyWhatABruteForceScanAnswersOnRandomData) {
    Fill(3000, 1);
    ASSERT_GT(store_.Stats().segments, 5u) << "the test must cover sealed segments and the active one";
    std::mt19937_64 rng(99);
    const char* services[] = {"", "checkout", "payments", "inventory", "mailer", "nobody"};
    const char* ops[] = {"", "", "POST /pay", "reserve", "db.query"};
    int non_empty = 0;
    for (int i = 0; i < 400; ++i) {
        TraceQuery q;
        q.service = services[rng() % 6];
        q.operation = ops[rng() % 5];
        if (rng() % 3 == 0) q.attributes.emplace_back("business.customer_tier", rng() % 2 ? "premium" : "gold");
        if (rng() % 5 == 0) q.attributes.emplace_back("http.response.status_code", "500");
        if (rng() % 6 == 0) q.attributes.emplace_back("cloud.region", "eu");
        if (rng() % 10 == 0) q.attributes.emplace_back("business.order_id", "o-" + std::to_string(rng() % 3000));
        if (rng() % 3 == 0) q.min_duration_ns = 1'000'000ULL << (rng() % 5);
        if (rng() % 4 == 0) q.max_duration_ns = q.min_duration_ns + (5'000'000ULL << (rng() % 4));
        q.errors_only = rng() % 4 == 0;
        if (rng() % 3 == 0) {
            const auto& pivot = spans_[rng() % spans_.size()].spec;
            q.start_us = static_cast<std::int64_t>(pivot.start_ns / 1000);
            q.end_us = q.start_us + static_cast<std::int64_t>(rng() % 5'000'000);
        }
        q.limit = rng() % 2 ? 20 : 1000;
        const TraceSearchResult expected = BruteForce(q);
        const TraceSearchResult got = store_.Search(q);
        ASSERT_EQ(got.traces, expected.traces) << "query " << i;
        ASSERT_EQ(got.more, expected.more) << "query " << i;
        non_empty += expected.traces.empty() ? 0 : 1;
    }
    EXPECT_GT(non_empty, 100) << "the random queries must mostly find something";
}

TEST_F(SpanStoreTest, TracesReturnsEverySpanOfEachTraceFromSealedAndActiveSegments) {
    Fill(800, 2);
    std::map<TraceIdBytes, std::size_t> expected;
    for (const auto& s : spans_) ++expected[s.spec.trace];
    std::vector<TraceIdBytes> ids;
    for (std::uint64_t t : {1ULL, 2ULL, 400ULL, 799ULL, 800ULL}) ids.push_back(testing::TraceN(t));
    ids.push_back(testing::TraceN(99999));  // unknown
    const auto traces = store_.Traces(ids);
    ASSERT_EQ(traces.size(), ids.size());
    for (std::size_t i = 0; i + 1 < ids.size(); ++i) EXPECT_EQ(traces[i].size(), expected[ids[i]]) << i;
    EXPECT_TRUE(traces.back().empty());
}

TEST_F(SpanStoreTest, ListsServicesAndTheirOperationsWithKinds) {
    SpanSpec s;
    s.resource = testing::Resource(resources_, strings_, "api");
    s.trace = testing::TraceN(1);
    s.span = testing::SpanN(1);
    s.name = "GET /x";
    s.kind = 2;
    ASSERT_TRUE(store_.Append(EncodeSpan(strings_, s)));
    const auto services = store_.Services();
    ASSERT_EQ(services.size(), 1u);
    EXPECT_EQ(services[0].first, "api");
    const auto ops = store_.Operations("api");
    ASSERT_EQ(ops.size(), 1u);
    EXPECT_EQ(ops[0].name, "GET /x");
    EXPECT_EQ(ops[0].kind, 2);
    EXPECT_TRUE(store_.Operations("nobody").empty());
}

TEST_F(SpanStoreTest, RefusesAMalformedRecord) {
    EXPECT_FALSE(store_.Append("not a span record").has_value());
    EXPECT_EQ(store_.Stats().appended, 0u);
}

}  // namespace
}  // namespace tome::console::internal
