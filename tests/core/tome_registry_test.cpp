#include "tome/core/tome_registry.hpp"

#include <gtest/gtest.h>

namespace tome {
namespace {

std::shared_ptr<Tome> MakeTome(const std::string& id) {
    auto def = ParseTomeDefinition({{"id", id}, {"initial", "a"}, {"states", {{"a", Json::object()}}}});
    return std::make_shared<Tome>(*def);
}

TEST(TomeRegistry, AddsFindsListsAndRemoves) {
    TomeRegistry r;
    ASSERT_TRUE(r.Add(MakeTome("b")).ok());
    ASSERT_TRUE(r.Add(MakeTome("a")).ok());
    EXPECT_EQ(r.Add(MakeTome("a")).code(), Code::kAlreadyExists);
    EXPECT_NE(r.Find("a"), nullptr);
    EXPECT_EQ(r.Find("zzz"), nullptr);
    auto all = r.List();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0]->id(), "a");
    ASSERT_TRUE(r.Remove("a").ok());
    EXPECT_EQ(r.Remove("a").code(), Code::kNotFound);
    EXPECT_EQ(r.size(), 1u);
}

}  // namespace
}  // namespace tome
