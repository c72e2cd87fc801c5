#include "tome/robotcopy/component_registry.hpp"

#include <gtest/gtest.h>

#include "tome/testing/fake_clock.hpp"

namespace tome::robotcopy {
namespace {

using tome::testing::FakeClock;

ComponentInfo Component(std::string id, std::string type = "tome") {
    ComponentInfo info;
    info.id = std::move(id);
    info.type = std::move(type);
    info.capabilities = {"events", "state"};
    info.version = "1.0.0";
    return info;
}

TEST(ComponentRegistry, RegistersFindsAndListsSortedById) {
    FakeClock clock;
    ComponentRegistry registry(clock);
    ASSERT_TRUE(registry.Register(Component("zeta")).ok());
    ASSERT_TRUE(registry.Register(Component("alpha", "connector")).ok());

    auto found = registry.Find("alpha");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->type, "connector");
    EXPECT_EQ(found->status, "active");
    EXPECT_EQ(found->registered_at, clock.Now());

    auto list = registry.List();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].id, "alpha");
    EXPECT_EQ(list[1].id, "zeta");
    EXPECT_EQ(registry.size(), 2u);
}

TEST(ComponentRegistry, RejectsDuplicateAndEmptyIdOrType) {
    FakeClock clock;
    ComponentRegistry registry(clock);
    ASSERT_TRUE(registry.Register(Component("a")).ok());
    auto original = registry.Find("a");
    ASSERT_TRUE(original.ok());

    ComponentInfo dup = Component("a", "proxy");
    EXPECT_EQ(registry.Register(dup).code(), Code::kAlreadyExists);
    EXPECT_EQ(registry.Find("a")->type, "tome");  // unchanged

    EXPECT_EQ(registry.Register(Component("")).code(), Code::kInvalidArgument);
    EXPECT_EQ(registry.Register(Component("b", "")).code(), Code::kInvalidArgument);
    EXPECT_EQ(registry.size(), 1u);
}

TEST(ComponentRegistry, UnregisterAndSetStatus) {
    FakeClock clock;
    ComponentRegistry registry(clock);
    ASSERT_TRUE(registry.Register(Component("a")).ok());

    EXPECT_TRUE(registry.SetStatus("a", "degraded").ok());
    EXPECT_EQ(registry.Find("a")->status, "degraded");
    EXPECT_EQ(registry.SetStatus("a", "").code(), Code::kInvalidArgument);
    EXPECT_EQ(registry.SetStatus("missing", "active").code(), Code::kNotFound);

    EXPECT_TRUE(registry.Unregister("a").ok());
    EXPECT_EQ(registry.Unregister("a").code(), Code::kNotFound);
    EXPECT_EQ(registry.Find("a").status().code(), Code::kNotFound);
    EXPECT_TRUE(registry.List().empty());
}

TEST(ComponentRegistry, ToJsonHasAllFields) {
    FakeClock clock;
    ComponentInfo info = Component("a");
    info.metadata = {{"owner", "team"}};
    info.registered_at = clock.Now();
    const Json j = ToJson(info);
    EXPECT_EQ(j["id"], "a");
    EXPECT_EQ(j["type"], "tome");
    EXPECT_EQ(j["capabilities"], (Json{"events", "state"}));
    EXPECT_EQ(j["version"], "1.0.0");
    EXPECT_EQ(j["status"], "active");
    EXPECT_EQ(j["metadata"], (Json{{"owner", "team"}}));
    EXPECT_EQ(j["registeredAt"], FormatRfc3339(clock.Now()));
}

}  // namespace
}  // namespace tome::robotcopy
