#include "tome/core/feature_toggles.hpp"

#include <gtest/gtest.h>

namespace tome {
namespace {

TEST(FeatureToggles, StartsFromDefaultsWithOverrides) {
    FeatureToggles t({{std::string(toggles::kStateSync), false}, {"custom-flag", true}});
    EXPECT_TRUE(t.IsEnabled(toggles::kEventRouting));
    EXPECT_FALSE(t.IsEnabled(toggles::kStateSync));
    EXPECT_FALSE(t.IsEnabled(toggles::kAdvancedValidation));
    EXPECT_TRUE(t.IsEnabled("custom-flag"));
    EXPECT_FALSE(t.IsEnabled("never-defined"));
}

TEST(FeatureToggles, SnapshotIsImmutableAcrossChanges) {
    FeatureToggles t;
    auto before = t.Snapshot();
    ASSERT_TRUE(t.Set(std::string(toggles::kEventRouting), false).ok());
    EXPECT_TRUE(before->IsEnabled(toggles::kEventRouting));
    EXPECT_FALSE(t.IsEnabled(toggles::kEventRouting));
}

TEST(FeatureToggles, UnknownToggleIsNotFound) {
    FeatureToggles t;
    Status s = t.Set("enable-teleport", true);
    EXPECT_EQ(s.code(), Code::kNotFound);
    EXPECT_NE(s.message().find("enable-teleport"), std::string::npos);
}

TEST(FeatureToggles, ListenersHearOnlyRealChanges) {
    FeatureToggles t;
    std::vector<std::pair<std::string, bool>> heard;
    t.OnChange([&](const std::string& n, bool v) { heard.emplace_back(n, v); });
    ASSERT_TRUE(t.Set(std::string(toggles::kTracing), true).ok());  // unchanged
    ASSERT_TRUE(t.Set(std::string(toggles::kTracing), false).ok());
    ASSERT_EQ(heard.size(), 1u);
    EXPECT_EQ(heard[0], std::make_pair(std::string(toggles::kTracing), false));
}

TEST(ParseBool, AcceptsCommonSpellings) {
    EXPECT_TRUE(*ParseBool("TRUE"));
    EXPECT_FALSE(*ParseBool("off"));
    EXPECT_TRUE(*ParseBool("1"));
    EXPECT_FALSE(ParseBool("maybe").ok());
}

}  // namespace
}  // namespace tome
