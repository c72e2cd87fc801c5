#include "tome/core/status.hpp"

#include <gtest/gtest.h>

namespace tome {
namespace {

TEST(Status, DefaultIsOk) {
    Status s;
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, CarriesCodeAndMessage) {
    Status s = NotFound("tome 'X' does not exist");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.code(), Code::kNotFound);
    EXPECT_EQ(s.ToString(), "not_found: tome 'X' does not exist");
}

TEST(Result, HoldsValueOrStatus) {
    Result<int> good = 3;
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 3);
    Result<int> bad = InvalidArgument("nope");
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
    EXPECT_THROW((void)bad.value(), InvariantError);
}

TEST(Result, RefusesOkStatusWithoutValue) {
    EXPECT_THROW(Result<int>{Status::Ok()}, InvariantError);
}

}  // namespace
}  // namespace tome
