#include "tome/core/tome.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace tome {
namespace {

TomeDefinition OrderDefinition() {
    auto def = ParseTomeDefinition(Json::parse(R"({
      "id": "OrderService", "initial": "placed", "context": {"total": 0},
      "states": {
        "placed": {"on": {"PAY": {"target": "paid", "assign": {"total": "amount"}}}},
        "paid": {"on": {"SHIP": {"target": "shipped", "guard": {"field": "total", "op": ">", "value": 0}}}},
        "shipped": {"type": "final"}
      }})"));
    return *def;
}

TEST(Tome, TakesTransitionsAndAssignsEventFields) {
    Tome tome(OrderDefinition());
    auto out = tome.Send({"PAY", {{"amount", 42}}});
    EXPECT_TRUE(out.handled);
    EXPECT_TRUE(out.state_changed);
    EXPECT_EQ(out.from, "placed");
    EXPECT_EQ(out.to, "paid");
    EXPECT_EQ((*out.context)["total"], 42);
    EXPECT_EQ(out.sequence, 1u);
}

TEST(Tome, IgnoresUnknownEventsAndFailedGuards) {
    Tome tome(OrderDefinition());
    auto unknown = tome.Send({"SHIP", {}});
    EXPECT_FALSE(unknown.handled);
    EXPECT_NE(unknown.reason.find("no transition"), std::string::npos);
    (void)tome.Send({"PAY", {}});  // total stays 0: no amount field
    auto guarded = tome.Send({"SHIP", {}});
    EXPECT_FALSE(guarded.handled);
    EXPECT_NE(guarded.reason.find("guard"), std::string::npos);
    auto snap = tome.Snapshot();
    EXPECT_EQ(snap.state, "paid");
    EXPECT_EQ(snap.events_received, 3u);
    EXPECT_EQ(snap.events_ignored, 2u);
    EXPECT_EQ(snap.transitions, 1u);
}

TEST(Tome, FinalStateAcceptsNothing) {
    Tome tome(OrderDefinition());
    (void)tome.Send({"PAY", {{"amount", 5}}});
    (void)tome.Send({"SHIP", {}});
    auto out = tome.Send({"PAY", {}});
    EXPECT_FALSE(out.handled);
    EXPECT_TRUE(tome.Snapshot().final);
}

TEST(Tome, SyncStateMergesUpdates) {
    Tome tome(OrderDefinition());
    auto out = tome.Send({kSyncStateEvent, {{"updates", {{"customer", {{"tier", "gold"}}}}}}});
    EXPECT_TRUE(out.handled);
    EXPECT_FALSE(out.state_changed);
    EXPECT_EQ((*out.context)["customer"]["tier"], "gold");
    EXPECT_EQ((*out.context)["total"], 0);
    EXPECT_FALSE(tome.Send({kSyncStateEvent, {{"updates", 3}}}).handled);
}

TEST(Tome, NotifiesEventsAndStateChangesInOrder) {
    Tome tome(OrderDefinition());
    std::vector<std::string> seen;
    auto sub = tome.Subscribe([&](const TomeNotification& n) {
        seen.push_back(n.kind == TomeNotification::Kind::kEvent ? "event:" + n.event_type
                                                                 : "state:" + n.from + ">" + n.to);
    });
    (void)tome.Send({"PAY", {{"amount", 1}}});
    (void)tome.Send({"NOPE", {}});
    tome.Unsubscribe(sub);
    (void)tome.Send({"SHIP", {}});
    EXPECT_EQ(seen, (std::vector<std::string>{"event:PAY", "state:placed>paid", "event:NOPE"}));
}

TEST(Tome, CountsEveryEventUnderConcurrentSenders) {
    Tome tome(OrderDefinition());
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) (void)tome.Send({kSyncStateEvent, {{"updates", {{"n", i}}}}});
        });
    }
    threads.clear();
    EXPECT_EQ(tome.Snapshot().events_received, 4000u);
}

}  // namespace
}  // namespace tome

namespace tome {
namespace {

TEST(Tome, ReportsWhetherTheContextReallyChanged) {
    Tome tome(OrderDefinition());
    EXPECT_FALSE(tome.Send({kSyncStateEvent, {{"updates", {{"total", 0}}}}}).context_changed);
    EXPECT_TRUE(tome.Send({kSyncStateEvent, {{"updates", {{"total", 3}}}}}).context_changed);
    auto pay = tome.Send({"PAY", {{"amount", 3}}});  // assigns the same total
    EXPECT_TRUE(pay.state_changed);
    EXPECT_FALSE(pay.context_changed);
}

}  // namespace
}  // namespace tome
