// The store's byte accounting against the allocator's own view (glibc mallinfo2), and the
// budget holding whatever is fed to it.
#include <malloc.h>

#include <gtest/gtest.h>

#include <memory>

#include "console_test_util.hpp"
#include "store.hpp"
#include "tome/testing/sanitizer_scale.hpp"

namespace tome::console::internal {
namespace {

// ThreadSanitizer and AddressSanitizer replace glibc's malloc with their own allocator, for
// which mallinfo2 reports nothing: the comparison below is about glibc's heap only.
constexpr bool kGlibcMalloc = !tome::testing::kUnderSanitizer;

std::size_t HeapInUse() {
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;  // small chunks in use + mmapped large ones
}

// Spans with 5 attributes, 3 services, realistic names; distinct traces of 4 spans.
void Ingest(Store& store, int spans, std::uint64_t first = 0) {
    std::string buffer;
    for (int i = 0; i < spans; ++i) {
        const std::uint64_t n = first + static_cast<std::uint64_t>(i);
        testing::SpanSpec s;
        s.resource = testing::Resource(store.resources(), store.strings(), n % 3 == 0 ? "orders" : "payments");
        s.trace = testing::TraceN(n / 4 + 1);
        s.span = testing::SpanN(n + 1);
        if (n % 4 != 0) s.parent = testing::SpanN(n);
        s.name = n % 4 == 0 ? "order.workflow" : "event.forward";
        s.kind = n % 4 == 0 ? 2 : 1;
        s.start_ns += n * 1'000'000;
        s.duration_ns = 1'000'000 + (n % 97) * 10'000;
        s.attributes = {{"business.order_id", "o-" + std::to_string(n / 4)},
                        {"business.customer_tier", n % 7 == 0 ? "premium" : "standard"},
                        {"tome.target", "PaymentService"},
                        {"tome.event.id", "ev-" + std::to_string(n)}};
        s.int_attributes = {{"tome.hop", static_cast<std::int64_t>(n % 4)}};
        store.AddSpan(testing::EncodeSpan(store.strings(), s), 1'800'000'000'000 + static_cast<std::int64_t>(n));
    }
}

TEST(MemoryAccounting, TheStoreCountsWithinTenPercentOfWhatTheAllocatorHolds) {
    if (!kGlibcMalloc) GTEST_SKIP() << "built with a sanitizer: malloc is not glibc's, mallinfo2 says 0";
    StoreOptions options;
    options.max_bytes = 32u << 20;
    const std::size_t before = HeapInUse();
    auto store = std::make_unique<Store>(options);
    Ingest(*store, 300'000);
    const std::size_t heap = HeapInUse() - before;
    const StoreStats stats = store->Stats();
    ASSERT_GT(stats.spans.evicted, 0u) << "the test must run the store at its budget";
    const double ratio = static_cast<double>(stats.used_bytes()) / static_cast<double>(heap);
    EXPECT_GT(ratio, 0.9) << "accounted " << stats.used_bytes() << " B, heap " << heap << " B";
    EXPECT_LT(ratio, 1.1) << "accounted " << stats.used_bytes() << " B, heap " << heap << " B";
    EXPECT_LE(heap, options.max_bytes * 11 / 10) << "within the budget plus 10 %";
}

TEST(MemoryAccounting, EvictionKeepsTheNewestAndCountsEveryEvictedSpan) {
    StoreOptions options;
    options.max_bytes = 8u << 20;
    Store store(options);
    Ingest(store, 100'000);
    const StoreStats stats = store.Stats();
    EXPECT_EQ(stats.spans.ingested, 100'000u);
    EXPECT_EQ(stats.spans.items + stats.spans.evicted, 100'000u);
    EXPECT_GT(stats.traces_evicted, 0u);
    EXPECT_EQ(stats.traces_evicted, (stats.spans.evicted + 3) / 4) << "one root per 4 spans, oldest first";
    EXPECT_LE(stats.spans.bytes, stats.spans.budget_bytes);
    // The newest trace is complete; the oldest ones are gone.
    const auto newest = store.spans().Traces({testing::TraceN(100'000 / 4), testing::TraceN(1)});
    EXPECT_EQ(newest[0].size(), 4u);
    EXPECT_TRUE(newest[1].empty());
}

}  // namespace
}  // namespace tome::console::internal
