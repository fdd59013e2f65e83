#include "dto/render.hpp"

#include <gtest/gtest.h>

namespace merch::api {
namespace {

google::protobuf::Timestamp At(std::int64_t seconds, std::int32_t nanos) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  time.set_nanos(nanos);
  return time;
}

TEST(RenderTest, TimesAreRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(FormatTimestamp(At(1795219200, 123456789)), "2026-11-21T00:00:00.123Z");
  EXPECT_EQ(FormatTimestamp(At(1795262160, 0)), "2026-11-21T11:56:00.000Z");
  EXPECT_EQ(FormatTimestamp(At(0, 999999999)), "1970-01-01T00:00:00.999Z");
  EXPECT_EQ(FormatTimestamp(At(951782400, 1000000)), "2000-02-29T00:00:00.001Z");
}

TEST(RenderTest, ProductsHaveExactFieldsAndTwoDecimalPrices) {
  merch::v1::Product product;
  product.set_id(1);
  product.set_name("SUSTech \"Hoodie\"");
  product.set_description("Warm.");
  product.set_category("Apparel");
  product.set_price_cents(1000);
  product.set_slogan("Campus colours.");
  product.set_stock(500);
  *product.mutable_created_at() = At(1795219200, 5000000);
  EXPECT_EQ(RenderProduct(product),
            R"({"id":1,"name":"SUSTech \"Hoodie\"","description":"Warm.","category":"Apparel",)"
            R"("price":10.00,"slogan":"Campus colours.","stock":500,)"
            R"("created_at":"2026-11-21T00:00:00.005Z"})");
}

TEST(RenderTest, OrdersShowStatusTotalAndCancellation) {
  merch::v1::Order order;
  order.set_id(7);
  order.set_user_id(3);
  order.set_product_id(1);
  order.set_quantity(3);
  order.set_unit_price_cents(4999);
  order.set_total_price_cents(14997);
  order.set_status(merch::v1::ORDER_STATUS_PLACED);
  *order.mutable_created_at() = At(1795219200, 0);
  EXPECT_EQ(RenderOrder(order),
            R"({"id":7,"user_id":3,"product_id":1,"quantity":3,"unit_price":49.99,)"
            R"("total_price":149.97,"status":"placed","created_at":"2026-11-21T00:00:00.000Z",)"
            R"("cancelled_at":null})");
  order.set_status(merch::v1::ORDER_STATUS_CANCELLED);
  *order.mutable_cancelled_at() = At(1795219260, 0);
  EXPECT_NE(
      RenderOrder(order).find(R"("status":"cancelled","created_at":"2026-11-21T00:00:00.000Z",)"
                              R"("cancelled_at":"2026-11-21T00:01:00.000Z"})"),
      std::string::npos);
}

TEST(RenderTest, UsersNeverCarryMoreThanTheirSixFields) {
  merch::v1::User user;
  user.set_id(5);
  user.set_sid("121");
  user.set_username("alice");
  user.set_email("A@b.c");
  user.set_is_active(true);
  *user.mutable_created_at() = At(1795219200, 0);
  EXPECT_EQ(RenderUser(user),
            R"({"id":5,"sid":"121","username":"alice","email":"A@b.c","is_active":true,)"
            R"("created_at":"2026-11-21T00:00:00.000Z"})");
  EXPECT_EQ(RenderLogin("tok", 86400, user),
            R"({"token":"tok","token_type":"Bearer","expires_in":86400,"user":)" +
                RenderUser(user) + "}");
}

}  // namespace
}  // namespace merch::api
