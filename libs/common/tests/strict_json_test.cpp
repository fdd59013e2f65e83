#include "merch/common/strict_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace merch {
namespace {

TEST(StrictJsonTest, AcceptsOrdinaryDocuments) {
  auto value = ParseStrictJson(R"({"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}],"d":"\u00e9"})");
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->at("b").at("a").as_int64(), 2);
  EXPECT_TRUE(ParseStrictJson("[]").has_value());
  EXPECT_TRUE(ParseStrictJson("  {}  ").has_value());
}

TEST(StrictJsonTest, RefusesRepeatedKeysAtAnyDepth) {
  for (const char* text : {R"({"a":1,"a":2})", R"({"x":{"a":1,"a":1}})", R"([{"k":1,"k":2}])",
                           R"({"a":1,"\u0061":2})"}) {
    auto value = ParseStrictJson(text);
    ASSERT_FALSE(value.has_value()) << text;
    EXPECT_EQ(value.error().detail, "the JSON body repeats a key") << text;
  }
}

TEST(StrictJsonTest, RefusesMalformedTrailingDeepAndNonUtf8Input) {
  for (const std::string& text :
       {std::string("{"), std::string("{\"a\":1} x"), std::string("{\"a\":1}{}"), std::string(""),
        std::string("{\"a\":\"\xff\"}"), std::string("{'a':1}"), std::string("{\"a\":01}")}) {
    EXPECT_FALSE(ParseStrictJson(text).has_value()) << text;
  }
  EXPECT_EQ(ParseStrictJson(std::string(40, '[') + std::string(40, ']')).error().detail,
            "the JSON body is nested too deeply");
}

// Found by fuzz/strict_json_fuzz.cpp: Boost.JSON 1.81 reads these as infinity and writes them
// back as `Infinity`, which no JSON parser accepts.
TEST(StrictJsonTest, RefusesNumbersBeyondTheRangeOfADouble) {
  for (const char* text : {"1e999", "[-1e999]", R"({"a":1234567890123456789012345670.5e890})"}) {
    auto value = ParseStrictJson(text);
    ASSERT_FALSE(value.has_value()) << text;
    EXPECT_EQ(value.error().code, ErrorCode::kInvalidArgument) << text;
    EXPECT_EQ(value.error().detail, "the JSON body has a number out of range") << text;
  }
  EXPECT_TRUE(ParseStrictJson("1.7976931348623157e308").has_value());
  EXPECT_TRUE(ParseStrictJson("1e-999").has_value());  // underflow to 0 is still a number
}

}  // namespace
}  // namespace merch
