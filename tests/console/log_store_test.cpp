#include "log_store.hpp"

#include <gtest/gtest.h>

#include <random>

#include "console_test_util.hpp"

namespace tome::console::internal {
namespace {

using testing::EncodeLog;
using testing::LogSpec;

class LogStoreTest : public ::testing::Test {
protected:
    LogStoreTest() : store_(Options(), strings_, resources_) {}
    static SegmentLogOptions Options() {
        SegmentLogOptions o;
        o.segment_bytes = 32 * 1024;
        o.budget_bytes = 1u << 30;
        return o;
    }
    StringTable strings_;
    ResourceTable resources_;
    LogStore store_;
};

std::vector<std::string> Bodies(const LogStore& store, const LogQuery& q, const StringTable& strings) {
    std::vector<std::string> out;
    for (const auto& r : store.Search(q).records) out.push_back(LogView::Parse(r, strings)->BodyText());
    return out;
}

TEST_F(LogStoreTest, FindsWholeWordsCaseInsensitivelyAndPhrasesInOrder) {
    const auto res = testing::Resource(resources_, strings_, "orders");
    for (const char* body : {"Payment declined for order o-1", "payment accepted", "Order o-2 declined: card expired",
                             "declined payment retried"}) {
        LogSpec l;
        l.resource = res;
        l.body = body;
        ASSERT_TRUE(store_.Append(EncodeLog(strings_, l)));
    }
    store_.SealActive();
    LogQuery q;
    ParseSearchText("PAYMENT declined", q);
    EXPECT_EQ(Bodies(store_, q, strings_),
              (std::vector<std::string>{"declined payment retried", "Payment declined for order o-1"}));
    LogQuery phrase;
    ParseSearchText("\"payment declined\"", phrase);
    EXPECT_EQ(Bodies(store_, phrase, strings_), (std::vector<std::string>{"Payment declined for order o-1"}));
    LogQuery partial;
    ParseSearchText("pay", partial);
    EXPECT_TRUE(Bodies(store_, partial, strings_).empty()) << "words match whole words";
}

TEST_F(LogStoreTest, SearchAgreesWithABruteForceScan) {
    std::mt19937_64 rng(5);
    const char* words[] = {"payment", "order", "declined", "stock", "reserved", "timeout", "retry", "ok"};
    struct Kept {
        LogSpec spec;
        std::string service;
    };
    std::vector<Kept> all;
    for (int i = 0; i < 5000; ++i) {
        Kept k;
        k.service = rng() % 2 ? "orders" : "payments";
        k.spec.resource = testing::Resource(resources_, strings_, k.service);
        k.spec.severity = static_cast<std::uint8_t>(1 + rng() % 24);
        for (int w = 0; w < 4; ++w) k.spec.body += std::string(words[rng() % 8]) + " ";
        k.spec.trace = testing::TraceN(1 + rng() % 300);
        k.spec.span = testing::SpanN(1 + rng() % 2000);
        k.spec.time_ns += static_cast<std::uint64_t>(i) * 1'000'000;
        k.spec.attributes = {{"business.order_id", "o-" + std::to_string(rng() % 500)}};
        ASSERT_TRUE(store_.Append(EncodeLog(strings_, k.spec)));
        all.push_back(std::move(k));
    }
    for (int i = 0; i < 300; ++i) {
        LogQuery q;
        std::string text;
        if (rng() % 2) text += words[rng() % 8];
        if (rng() % 3 == 0) text += std::string(" ") + words[rng() % 8];
        ParseSearchText(text, q);
        if (rng() % 3 == 0) q.min_severity_range = 1 + static_cast<int>(rng() % 6);
        if (rng() % 4 == 0) q.trace_id = testing::TraceN(1 + rng() % 300);
        if (rng() % 8 == 0) q.span_id = testing::SpanN(1 + rng() % 2000);
        if (rng() % 3 == 0) q.service = rng() % 2 ? "orders" : "payments";
        if (rng() % 4 == 0) q.attributes.emplace_back("business.order_id", "o-" + std::to_string(rng() % 500));
        q.limit = rng() % 2 ? 50 : 5000;
        std::vector<std::string> expected;
        bool more = false;
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            const auto& l = it->spec;
            if (q.min_severity_range && SeverityRange(l.severity) < q.min_severity_range) continue;
            if (q.trace_id && *q.trace_id != l.trace) continue;
            if (q.span_id && *q.span_id != l.span) continue;
            if (!q.service.empty() && q.service != it->service) continue;
            if (!q.attributes.empty() && q.attributes[0].second != l.attributes[0].second) continue;
            bool words_ok = true;
            const auto have = Words(l.body);
            for (const auto& w : q.words) words_ok = words_ok && std::find(have.begin(), have.end(), w) != have.end();
            if (!words_ok) continue;
            if (expected.size() == q.limit) {
                more = true;
                break;
            }
            expected.push_back(l.body);
        }
        const LogSearchResult got = store_.Search(q);
        std::vector<std::string> bodies;
        for (const auto& r : got.records) bodies.push_back(LogView::Parse(r, strings_)->BodyText());
        ASSERT_EQ(bodies, expected) << "query " << i << " text '" << text << "'";
        ASSERT_EQ(got.more, more) << "query " << i;
    }
}

}  // namespace
}  // namespace tome::console::internal
