#include "tome/core/json_path.hpp"

#include <gtest/gtest.h>

namespace tome {
namespace {

TEST(JsonPath, FindsNestedValues) {
    Json doc = {{"order", {{"id", "o-1"}, {"total", 12.5}}}};
    ASSERT_NE(FindPath(doc, "order.id"), nullptr);
    EXPECT_EQ(*FindPath(doc, "order.id"), "o-1");
    EXPECT_EQ(FindPath(doc, "order.missing"), nullptr);
    EXPECT_EQ(FindPath(doc, "order.id.deeper"), nullptr);
    EXPECT_EQ(FindPath(doc, ""), &doc);
}

TEST(JsonPath, SetCreatesIntermediateObjects) {
    Json doc = Json::object();
    SetPath(doc, "a.b.c", 1);
    EXPECT_EQ(doc["a"]["b"]["c"], 1);
    SetPath(doc, "a.b", "replaced");
    EXPECT_EQ(doc["a"]["b"], "replaced");
}

TEST(JsonPath, EraseRemovesOnlyExistingPaths) {
    Json doc = {{"a", {{"b", 1}, {"c", 2}}}};
    EXPECT_TRUE(ErasePath(doc, "a.b"));
    EXPECT_FALSE(ErasePath(doc, "a.b"));
    EXPECT_FALSE(ErasePath(doc, "x.y"));
    EXPECT_EQ(doc, (Json{{"a", {{"c", 2}}}}));
}

TEST(JsonPath, ValidatesPaths) {
    EXPECT_TRUE(IsValidPath("a.b"));
    EXPECT_FALSE(IsValidPath(""));
    EXPECT_FALSE(IsValidPath("a..b"));
    EXPECT_FALSE(IsValidPath("a."));
    EXPECT_FALSE(IsValidPath(".a"));
}

TEST(JsonPath, MergeIsDeepForObjects) {
    Json target = {{"a", {{"x", 1}, {"y", 2}}}, {"b", 1}};
    MergeInto(target, {{"a", {{"y", 3}}}, {"c", true}});
    EXPECT_EQ(target, (Json{{"a", {{"x", 1}, {"y", 3}}}, {"b", 1}, {"c", true}}));
}

}  // namespace
}  // namespace tome
