#include "merch/common/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace merch {
namespace {

Env FromMap(std::map<std::string, std::string> values) {
  return Env([values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto found = values.find(std::string(name));
    if (found == values.end()) return std::nullopt;
    return found->second;
  });
}

TEST(EnvTest, UnsetVariablesTakeTheirDefaults) {
  const Env env = FromMap({});
  EXPECT_EQ(env.String("NAME", "fallback").value(), "fallback");
  EXPECT_EQ(env.Integer("COUNT", 7, 1, 10).value(), 7);
  EXPECT_EQ(env.Port("PORT", 8080).value(), 8080);
  EXPECT_FALSE(env.RequiredString("SECRET").has_value());
  EXPECT_EQ(env.RequiredString("SECRET").error().detail, "SECRET must be set");
}

TEST(EnvTest, ValuesAreParsedAndRangeChecked) {
  const Env env = FromMap({{"COUNT", "10"}, {"PORT", "65535"}, {"NAME", "x"}});
  EXPECT_EQ(env.Integer("COUNT", 7, 1, 10).value(), 10);
  EXPECT_EQ(env.Port("PORT", 1).value(), 65535);
  EXPECT_EQ(env.String("NAME", "y").value(), "x");
}

TEST(EnvTest, BadValuesAreErrorsThatNameTheVariable) {
  for (const char* bad : {"", "abc", "12abc", " 5", "11", "0", "-1", "99999999999999999999"}) {
    const Env env = FromMap({{"COUNT", bad}});
    auto value = env.Integer("COUNT", 5, 1, 10);
    ASSERT_FALSE(value.has_value()) << bad;
    EXPECT_EQ(value.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(value.error().detail,
              std::string("COUNT must be an integer in 1..10, got '") + bad + "'");
  }
  EXPECT_FALSE(FromMap({{"PORT", "0"}}).Port("PORT", 1).has_value());
  EXPECT_FALSE(FromMap({{"PORT", "65536"}}).Port("PORT", 1).has_value());
  EXPECT_EQ(FromMap({{"NAME", ""}}).String("NAME", "d").error().detail, "NAME must not be empty");
}

}  // namespace
}  // namespace merch
