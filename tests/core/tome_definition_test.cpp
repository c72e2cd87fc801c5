#include "tome/core/tome_definition.hpp"

#include <gtest/gtest.h>

namespace tome {
namespace {

const char* kPaymentYaml = R"(
id: PaymentService
initial: idle
context:
  paid: false
  attempts: 0
states:
  idle:
    on:
      PAY:
        target: paid
        guard: {field: attempts, op: "<", value: 3}
        assign: {amount: "order.total"}
      CANCEL: cancelled
  paid:
    on:
      REFUND: refunded
  refunded: {}
  cancelled:
    type: final
)";

TEST(TomeDefinition, ParsesYaml) {
    auto def = ParseTomeDefinitionText(kPaymentYaml);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    EXPECT_EQ(def->id, "PaymentService");
    EXPECT_EQ(def->initial, "idle");
    EXPECT_EQ(def->states.size(), 4u);
    EXPECT_TRUE(def->states.at("cancelled").final);
    const Transition& pay = def->states.at("idle").on.at("PAY");
    EXPECT_EQ(pay.target, "paid");
    ASSERT_TRUE(pay.guard.has_value());
    EXPECT_EQ(pay.guard->op, GuardOp::kLt);
    EXPECT_EQ(pay.assign.at("amount"), "order.total");
    EXPECT_EQ(def->context["paid"], false);
    EXPECT_EQ(def->context["attempts"], 0);
}

TEST(TomeDefinition, RoundTripsThroughJson) {
    auto def = ParseTomeDefinitionText(kPaymentYaml);
    ASSERT_TRUE(def.ok());
    auto again = ParseTomeDefinition(ToJson(*def));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(ToJson(*again), ToJson(*def));
}

struct BadCase {
    const char* json;
    const char* expected_fragment;
};

class TomeDefinitionErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(TomeDefinitionErrors, NameTheField) {
    auto def = ParseTomeDefinition(Json::parse(GetParam().json));
    ASSERT_FALSE(def.ok());
    EXPECT_EQ(def.status().code(), Code::kInvalidArgument);
    EXPECT_NE(def.status().message().find(GetParam().expected_fragment), std::string::npos)
        << def.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, TomeDefinitionErrors,
    ::testing::Values(
        BadCase{R"([])", "JSON object"},
        BadCase{R"({"initial":"a","states":{"a":{}}})", "id"},
        BadCase{R"({"id":"a/b","initial":"a","states":{"a":{}}})", "id"},
        BadCase{R"({"id":"x","states":{"a":{}}})", "initial"},
        BadCase{R"({"id":"x","initial":"b","states":{"a":{}}})", "initial: 'b'"},
        BadCase{R"({"id":"x","initial":"a","states":{}})", "states"},
        BadCase{R"({"id":"x","initial":"a","states":{"a":{"on":{"GO":"nowhere"}}}})",
                "states.a.on.GO: target 'nowhere'"},
        BadCase{R"({"id":"x","initial":"a","states":{"a":{"on":{"GO":{"target":"a","guard":{"field":"n","op":"~","value":1}}}}}})",
                "states.a.on.GO.guard.op"},
        BadCase{R"({"id":"x","initial":"a","states":{"a":{"on":{"GO":{"target":"a","guard":{"field":"n","op":">","value":"x"}}}}}})",
                "must be a number"},
        BadCase{R"({"id":"x","initial":"a","context":[1],"states":{"a":{}}})", "context"}));

TEST(TomeDefinition, YamlSyntaxErrorNamesTheLine) {
    auto def = ParseTomeDefinitionText("id: x\nstates: [unclosed\n");
    ASSERT_FALSE(def.ok());
    EXPECT_NE(def.status().message().find("line"), std::string::npos) << def.status().message();
}

TEST(Guard, ComparesNumbersAndEquality) {
    Json ctx = {{"n", 5}, {"tier", "gold"}};
    EXPECT_TRUE((Guard{"n", GuardOp::kGt, 4}.Holds(ctx)));
    EXPECT_FALSE((Guard{"n", GuardOp::kLt, 5}.Holds(ctx)));
    EXPECT_TRUE((Guard{"tier", GuardOp::kEq, "gold"}.Holds(ctx)));
    EXPECT_TRUE((Guard{"missing", GuardOp::kNe, 1}.Holds(ctx)));
    EXPECT_FALSE((Guard{"missing", GuardOp::kExists, nullptr}.Holds(ctx)));
}

}  // namespace
}  // namespace tome
