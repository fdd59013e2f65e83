#include "dto/requests.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace merch::api {
namespace {

std::string ErrorOf(const Result<RegisterBody>& result) {
  return result ? "" : result.error().detail;
}

TEST(RequestsTest, RegisterAcceptsAValidBody) {
  auto body = ParseRegisterBody(
      R"({"sid":"12110001","username":"Alice_1","email":"a@b.c","password":"secret123"})");
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->sid, "12110001");
  EXPECT_EQ(body->username, "Alice_1");
  EXPECT_EQ(body->email, "a@b.c");
  EXPECT_EQ(body->password, "secret123");
}

TEST(RequestsTest, RegisterNamesWhatIsWrong) {
  const std::string ok_rest = R"("username":"alice","email":"a@b.c","password":"secret123")";
  struct Case {
    std::string body, detail;
  };
  const std::vector<Case> cases = {
      {R"({"sid":"1",)" + ok_rest + R"(,"is_active":false})", "unknown field: is_active"},
      {"{" + ok_rest + "}", "sid is required"},
      {R"({"sid":123,)" + ok_rest + "}", "sid must be a string"},
      {R"({"sid":null,)" + ok_rest + "}", "sid must be a string"},
      {R"({"sid":"1234567890123456",)" + ok_rest + "}", "sid must match ^[A-Za-z0-9]{1,15}$"},
      {R"({"sid":"1","sid":"2",)" + ok_rest + "}", "the JSON body repeats a key"},
      {R"({"sid":"1","username":"ab","email":"a@b.c","password":"secret123"})",
       "username must match ^[A-Za-z0-9_.-]{3,50}$"},
      {R"({"sid":"1","username":"abc","email":"a@b@c","password":"secret123"})",
       "email must be at most 254 characters with exactly one @ between non-empty parts and no "
       "whitespace or control characters"},
      {R"({"sid":"1","username":"abc","email":"a@b.c","password":"short"})",
       "password must be 8 to 128 characters"},
      {"[1,2]", "the body must be a JSON object"},
      {"{", "the body is not valid JSON"},
      {"", "the body is not valid JSON"},
  };
  for (const auto& c : cases) EXPECT_EQ(ErrorOf(ParseRegisterBody(c.body)), c.detail) << c.body;
}

TEST(RequestsTest, LoginTakesExactlyOneOfUsernameAndSid) {
  auto by_name = ParseLoginBody(R"({"username":"Alice","password":"secret123"})");
  ASSERT_TRUE(by_name.has_value());
  EXPECT_EQ(by_name->username, "Alice");
  EXPECT_FALSE(by_name->sid);
  auto by_sid = ParseLoginBody(R"({"sid":"121","password":"secret123"})");
  ASSERT_TRUE(by_sid.has_value());
  EXPECT_EQ(by_sid->sid, "121");
  for (const char* bad :
       {R"({"password":"secret123"})", R"({"username":"Alice","sid":"121","password":"secret123"})",
        R"({"username":"Alice"})", R"({"username":"Alice","password":7})"}) {
    EXPECT_FALSE(ParseLoginBody(bad).has_value()) << bad;
  }
}

TEST(RequestsTest, UpdateNeedsAtLeastOneKnownField) {
  auto body = ParseUpdateUserBody(R"({"email":"new@x.y"})");
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->email, "new@x.y");
  EXPECT_FALSE(body->username);
  EXPECT_EQ(ParseUpdateUserBody("{}").error().detail,
            "at least one of username, email and password is required");
  for (const char* field : {"is_active", "id", "password_hash", "sid"}) {
    EXPECT_EQ(ParseUpdateUserBody(std::string(R"({")") + field + R"(":1})").error().detail,
              std::string("unknown field: ") + field);
  }
}

TEST(RequestsTest, OrdersTakeIntegersOnly) {
  auto body = ParsePlaceOrderBody(R"({"product_id":1,"quantity":3})");
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->product_id, 1);
  EXPECT_EQ(body->quantity, 3);
  for (const char* bad :
       {R"({"product_id":1,"quantity":0})", R"({"product_id":1,"quantity":4})",
        R"({"product_id":1,"quantity":2.0})", R"({"product_id":1,"quantity":"1"})",
        R"({"product_id":1,"quantity":1e0})", R"({"product_id":0,"quantity":1})",
        R"({"product_id":2147483648,"quantity":1})",
        R"({"product_id":18446744073709551615,"quantity":1})", R"({"product_id":1})",
        R"({"product_id":1,"quantity":1,"price":1})"}) {
    EXPECT_FALSE(ParsePlaceOrderBody(bad).has_value()) << bad;
  }
}

TEST(RequestsTest, PathIdsArePlainDecimals) {
  EXPECT_EQ(ParsePathId("1").value(), 1);
  EXPECT_EQ(ParsePathId("2147483647").value(), 2147483647);
  for (const char* bad :
       {"0", "-1", "+1", "01", "1.0", "abc", "", " 1", "2147483648", "99999999999"}) {
    EXPECT_FALSE(ParsePathId(bad).has_value()) << bad;
  }
}

TEST(RequestsTest, PagesHaveDefaultsAndBounds) {
  auto page = ParsePage("");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->limit, 50);
  EXPECT_EQ(page->offset, 0);
  page = ParsePage("limit=100&offset=0&other=x");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->limit, 100);
  page = ParsePage("offset=7");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->offset, 7);
  for (const char* bad : {"limit=0", "limit=101", "limit=-1", "limit=abc", "limit=", "offset=-1",
                          "offset=01", "offset=2147483648"}) {
    EXPECT_FALSE(ParsePage(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseCategory("category=Apparel").value(), "Apparel");
  // A query that is a view into a longer buffer (the request line) ends where the view ends.
  const std::string line = "limit=50&offset=0&category=Apparel HTTP/1.1";
  const std::string_view query = std::string_view(line).substr(0, line.find(' '));
  EXPECT_EQ(ParsePage(query).value().offset, 0);
  EXPECT_EQ(ParseCategory(query).value(), "Apparel");
  EXPECT_EQ(ParseCategory("category=Home%20Goods").value(), "Home Goods");
  EXPECT_FALSE(ParseCategory("").value().has_value());
}

TEST(RequestsTest, IdempotencyKeys) {
  EXPECT_FALSE(ParseIdempotencyKey(std::nullopt).value().has_value());
  EXPECT_EQ(ParseIdempotencyKey("abc-123").value(), "abc-123");
  EXPECT_FALSE(ParseIdempotencyKey("").has_value());
  EXPECT_FALSE(ParseIdempotencyKey(std::string(256, 'k')).has_value());
  EXPECT_FALSE(ParseIdempotencyKey("caf\xc3\xa9").has_value());
}

}  // namespace
}  // namespace merch::api
