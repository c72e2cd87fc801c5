#include "segment.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postings.hpp"
#include "record_codec.hpp"

namespace tome::console::internal {
namespace {

std::vector<std::string> NewestFirst(const Segment& s) {
    std::vector<std::string> out;
    s.ForEachNewestFirst([&](std::uint32_t, std::string_view r) {
        out.emplace_back(r);
        return true;
    });
    return out;
}

TEST(Segment, ServesRecordsWhileActiveAndThroughItsIndexOnceSealed) {
    Segment seg(0, 4096);
    const std::uint64_t red = TermHash('A', "color", "red");
    const std::uint64_t blue = TermHash('A', "color", "blue");
    ASSERT_TRUE(seg.Append("one", 10, std::vector<std::uint64_t>{red}));
    ASSERT_TRUE(seg.Append("two", 20, std::vector<std::uint64_t>{blue}));
    ASSERT_TRUE(seg.Append("three", 15, std::vector<std::uint64_t>{red, red}));
    EXPECT_EQ(NewestFirst(seg), (std::vector<std::string>{"three", "two", "one"}));
    EXPECT_TRUE(seg.Postings(red).empty()) << "no index before Seal";
    EXPECT_EQ(seg.min_time_us(), 10);
    EXPECT_EQ(seg.max_time_us(), 20);

    seg.Seal();
    ASSERT_TRUE(seg.sealed());
    const auto reds = seg.Postings(red);
    ASSERT_EQ(reds.size(), 2u) << "a term twice in one record is posted once";
    EXPECT_EQ(seg.RecordAt(reds[0]), "one");
    EXPECT_EQ(seg.RecordAt(reds[1]), "three");
    EXPECT_EQ(NewestFirst(seg), (std::vector<std::string>{"three", "two", "one"}));
    EXPECT_FALSE(seg.Append("four", 30, {})) << "sealed segments are read-only";
}

TEST(Segment, RefusesARecordThatDoesNotFit) {
    Segment seg(0, 16);
    EXPECT_TRUE(seg.Append("0123456789", 1, {}));  // 10 + 4 bytes
    EXPECT_FALSE(seg.Append("xy", 1, {}));
    EXPECT_EQ(seg.records(), 1u);
}

TEST(SegmentLog, EvictsWholeSegmentsOldestFirstAndCountsWhatWent) {
    SegmentLogOptions options;
    options.segment_bytes = 1024;
    options.budget_bytes = 4 * 1024 + 4 * sizeof(Segment) + 4096;  // about four segments
    SegmentLog log(options);
    const std::string record(96, 'x');  // 100 bytes with the length prefix: 10 per segment
    for (int i = 0; i < 200; ++i) {
        std::string r = record;
        r.replace(0, 4, std::to_string(1000 + i));
        log.Append(r, i, std::vector<std::uint64_t>{TermHash('I', std::to_string(i))});
    }
    const SegmentLogStats stats = log.Stats();
    EXPECT_EQ(stats.appended, 200u);
    EXPECT_EQ(stats.records + stats.evicted, 200u) << "every record is held or counted as evicted";
    EXPECT_GT(stats.evicted, 0u);
    EXPECT_LE(stats.bytes, options.budget_bytes);
    // What is left is the newest: the oldest held record is exactly the first not evicted.
    const SegmentList segments = log.Snapshot();
    std::string oldest;
    segments.front()->ForEachNewestFirst([&](std::uint32_t, std::string_view r) {
        oldest = std::string(r.substr(0, 4));
        return true;
    });
    EXPECT_EQ(oldest, std::to_string(1000 + stats.evicted));
    EXPECT_EQ(stats.oldest_time_us, static_cast<std::int64_t>(stats.evicted));
}

TEST(Postings, IntersectionAndUnionVisitCommonOffsetsNewestFirst) {
    const std::vector<std::uint32_t> a = {1, 4, 7, 9, 12, 20};
    const std::vector<std::uint32_t> b = {4, 5, 9, 20, 21};
    const std::vector<std::uint32_t> c1 = {9};
    const std::vector<std::uint32_t> c2 = {4, 20};
    std::vector<std::unique_ptr<PostingsIterator>> all;
    all.push_back(std::make_unique<TermIterator>(a));
    all.push_back(std::make_unique<TermIterator>(b));
    std::vector<std::unique_ptr<PostingsIterator>> parts;
    parts.push_back(std::make_unique<TermIterator>(c1));
    parts.push_back(std::make_unique<TermIterator>(c2));
    all.push_back(std::make_unique<UnionIterator>(std::move(parts)));
    std::vector<std::uint32_t> seen;
    IntersectNewestFirst(all, [&](std::uint32_t x) {
        seen.push_back(x);
        return true;
    });
    EXPECT_EQ(seen, (std::vector<std::uint32_t>{20, 9, 4}));
}

}  // namespace
}  // namespace tome::console::internal
