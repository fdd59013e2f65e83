#include "merch/common/money.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace merch {
namespace {

TEST(MoneyTest, CentsRenderWithExactlyTwoDecimals) {
  EXPECT_EQ(FormatCents(14997), "149.97");
  EXPECT_EQ(FormatCents(1000), "10.00");
  EXPECT_EQ(FormatCents(999), "9.99");
  EXPECT_EQ(FormatCents(5), "0.05");
  EXPECT_EQ(FormatCents(0), "0.00");
  EXPECT_EQ(FormatCents(-5), "-0.05");
  EXPECT_EQ(FormatCents(9999999999), "99999999.99");
  EXPECT_EQ(FormatCents(std::numeric_limits<std::int64_t>::min()), "-92233720368547758.08");
}

}  // namespace
}  // namespace merch
