#include <gtest/gtest.h>

#include <string>

#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

class OrdersTest : public ::testing::Test {
 protected:
  grpc::Status Place(const TestCaller& caller, std::int64_t product_id, int quantity,
                     v1::PlaceOrderResponse* response, const std::string& key = "") {
    v1::PlaceOrderRequest request;
    request.set_product_id(product_id);
    request.set_quantity(quantity);
    request.set_idempotency_key(key);
    return harness_.Stub().PlaceOrder(DbServiceHarness::Context(caller).get(), request, response);
  }
  grpc::Status Get(const TestCaller& caller, std::int64_t order_id, v1::Order* order) {
    v1::GetOrderRequest request;
    request.set_order_id(order_id);
    return harness_.Stub().GetOrder(DbServiceHarness::Context(caller).get(), request, order);
  }
  grpc::Status Cancel(const TestCaller& caller, std::int64_t order_id, v1::Order* order) {
    v1::CancelOrderRequest request;
    request.set_order_id(order_id);
    return harness_.Stub().CancelOrder(DbServiceHarness::Context(caller).get(), request, order);
  }
  grpc::Status List(const TestCaller& caller, int limit, std::int64_t offset,
                    v1::ListOrdersResponse* response) {
    v1::ListOrdersRequest request;
    request.set_limit(limit);
    request.set_offset(offset);
    return harness_.Stub().ListOrders(DbServiceHarness::Context(caller).get(), request, response);
  }
  std::int64_t OrdersOf(const TestCaller& caller) {
    return sql_.Count("SELECT count(*) FROM orders WHERE user_id = " +
                      std::to_string(caller.user_id));
  }

  DbServiceHarness harness_;
  Sql sql_;
};

TEST_F(OrdersTest, PlacingTakesStockAndKeepsThePriceOfTheMoment) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(5, "49.99");
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(Place(buyer.caller, product, 3, &placed).ok());
  const auto& order = placed.order();
  EXPECT_FALSE(placed.replayed());
  EXPECT_GT(order.id(), 0);
  EXPECT_EQ(order.user_id(), buyer.user.id());
  EXPECT_EQ(order.product_id(), product);
  EXPECT_EQ(order.quantity(), 3);
  EXPECT_EQ(order.unit_price_cents(), 4999);
  EXPECT_EQ(order.total_price_cents(), 14997);
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_PLACED);
  EXPECT_GT(order.created_at().seconds(), 1700000000);
  EXPECT_FALSE(order.has_cancelled_at());
  EXPECT_EQ(sql_.Stock(product), 2);

  sql_.Exec("UPDATE products SET price = 1.00 WHERE id = " + std::to_string(product));
  v1::Order fetched;
  ASSERT_TRUE(Get(buyer.caller, order.id(), &fetched).ok());
  EXPECT_EQ(fetched.unit_price_cents(), 4999);
  EXPECT_EQ(fetched.SerializeAsString(), order.SerializeAsString());
}

TEST_F(OrdersTest, UnknownProductAndShortStockFailWithoutWriting) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(2);
  v1::PlaceOrderResponse placed;

  auto status = Place(buyer.caller, 2147483647, 1, &placed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "product 2147483647 does not exist");

  status = Place(buyer.caller, product, 3, &placed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "not enough stock for product " + std::to_string(product));
  EXPECT_EQ(sql_.Stock(product), 2);
  EXPECT_EQ(OrdersOf(buyer.caller), 0);
}

TEST_F(OrdersTest, BadInputIsInvalidAndWritesNothing) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(10);
  v1::PlaceOrderResponse placed;
  struct Case {
    std::int64_t product_id;
    int quantity;
    std::string key;
  };
  for (const auto& c : {Case{product, 0, ""}, Case{product, 4, ""}, Case{product, -1, ""},
                        Case{0, 1, ""}, Case{-5, 1, ""}, Case{2147483648, 1, ""},
                        Case{product, 1, std::string(256, 'k')}, Case{product, 1, "new\nline"},
                        Case{product, 1, "tab\tkey"}, Case{product, 1, "caf\xc3\xa9"}}) {
    EXPECT_EQ(Place(buyer.caller, c.product_id, c.quantity, &placed, c.key).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << c.product_id << " " << c.quantity << " " << c.key;
  }
  // A token whose claims no token of the store has (version 0) is refused before anything.
  TestCaller bad_caller = buyer.caller;
  bad_caller.token_version = 0;
  EXPECT_EQ(Place(bad_caller, product, 1, &placed).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(sql_.Stock(product), 10);
  EXPECT_EQ(OrdersOf(buyer.caller), 0);
  EXPECT_EQ(sql_.Count("SELECT count(*) FROM order_idempotency_keys WHERE user_id = " +
                       std::to_string(buyer.user.id())),
            0);
  // The longest valid key is accepted.
  EXPECT_TRUE(Place(buyer.caller, product, 1, &placed, std::string(255, '~')).ok());
}

TEST_F(OrdersTest, OrdersAreVisibleToTheirOwnerOnly) {
  const auto owner = RegisterUser(harness_.Stub());
  const auto other = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(10);
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(Place(owner.caller, product, 1, &placed).ok());
  v1::Order order;
  EXPECT_TRUE(Get(owner.caller, placed.order().id(), &order).ok());
  auto status = Get(other.caller, placed.order().id(), &order);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no such order");
  EXPECT_EQ(Get(owner.caller, 2147483647, &order).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(owner.caller, 0, &order).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  EXPECT_EQ(Cancel(other.caller, placed.order().id(), &order).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(sql_.Stock(product), 9);
  v1::ListOrdersResponse listed;
  ASSERT_TRUE(List(other.caller, 100, 0, &listed).ok());
  EXPECT_EQ(listed.orders_size(), 0);
}

TEST_F(OrdersTest, ListIsNewestFirstAndPaged) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(10);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    v1::PlaceOrderResponse placed;
    ASSERT_TRUE(Place(buyer.caller, product, 1, &placed).ok());
    ids.push_back(placed.order().id());
  }
  v1::ListOrdersResponse listed;
  ASSERT_TRUE(List(buyer.caller, 100, 0, &listed).ok());
  ASSERT_EQ(listed.orders_size(), 3);
  EXPECT_EQ(listed.orders(0).id(), ids[2]);
  EXPECT_EQ(listed.orders(1).id(), ids[1]);
  EXPECT_EQ(listed.orders(2).id(), ids[0]);

  v1::ListOrdersResponse page;
  ASSERT_TRUE(List(buyer.caller, 1, 1, &page).ok());
  ASSERT_EQ(page.orders_size(), 1);
  EXPECT_EQ(page.orders(0).id(), ids[1]);
  EXPECT_EQ(List(buyer.caller, 0, 0, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(List(buyer.caller, 10, -1, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OrdersTest, CancelRestoresStockOnceAndRecordsTheTime) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(5);
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(Place(buyer.caller, product, 2, &placed).ok());
  EXPECT_EQ(sql_.Stock(product), 3);

  v1::Order cancelled;
  ASSERT_TRUE(Cancel(buyer.caller, placed.order().id(), &cancelled).ok());
  EXPECT_EQ(cancelled.status(), v1::ORDER_STATUS_CANCELLED);
  EXPECT_TRUE(cancelled.has_cancelled_at());
  EXPECT_GE(cancelled.cancelled_at().seconds(), cancelled.created_at().seconds());
  EXPECT_EQ(cancelled.total_price_cents(), placed.order().total_price_cents());
  EXPECT_EQ(sql_.Stock(product), 5);

  const auto status = Cancel(buyer.caller, placed.order().id(), &cancelled);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            "order " + std::to_string(placed.order().id()) + " is already cancelled");
  EXPECT_EQ(sql_.Stock(product), 5);
  EXPECT_EQ(Cancel(buyer.caller, 2147483647, &cancelled).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(OrdersTest, AnIdempotencyKeyReplaysTheOriginalOrder) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(10);
  v1::PlaceOrderResponse first;
  ASSERT_TRUE(Place(buyer.caller, product, 2, &first, "key-1").ok());
  EXPECT_FALSE(first.replayed());

  v1::PlaceOrderResponse again;
  ASSERT_TRUE(Place(buyer.caller, product, 2, &again, "key-1").ok());
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.order().SerializeAsString(), first.order().SerializeAsString());
  EXPECT_EQ(sql_.Stock(product), 8);
  EXPECT_EQ(OrdersOf(buyer.caller), 1);

  // After a cancel the replay still shows the order as placed.
  v1::Order cancelled;
  ASSERT_TRUE(Cancel(buyer.caller, first.order().id(), &cancelled).ok());
  ASSERT_TRUE(Place(buyer.caller, product, 2, &again, "key-1").ok());
  EXPECT_EQ(again.order().SerializeAsString(), first.order().SerializeAsString());
  EXPECT_EQ(sql_.Stock(product), 10);

  // The same key with another body is refused, whatever differs.
  auto status = Place(buyer.caller, product, 1, &again, "key-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(status.error_message(), "the Idempotency-Key was already used for a different order");
  const auto other_product = sql_.CreateProduct(10);
  EXPECT_EQ(Place(buyer.caller, other_product, 2, &again, "key-1").error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(OrdersOf(buyer.caller), 1);

  // Keys are per user.
  const auto neighbour = RegisterUser(harness_.Stub());
  ASSERT_TRUE(Place(neighbour.caller, product, 2, &again, "key-1").ok());
  EXPECT_FALSE(again.replayed());
  EXPECT_NE(again.order().id(), first.order().id());
}

TEST_F(OrdersTest, AFailedRequestStoresNothingSoItsRetryRunsAfresh) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(1);
  v1::PlaceOrderResponse placed;
  EXPECT_EQ(Place(buyer.caller, product, 3, &placed, "retry-me").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  sql_.Exec("UPDATE products SET stock = 3 WHERE id = " + std::to_string(product));
  ASSERT_TRUE(Place(buyer.caller, product, 3, &placed, "retry-me").ok());
  EXPECT_FALSE(placed.replayed());
  EXPECT_EQ(sql_.Stock(product), 0);
}

TEST_F(OrdersTest, RevokedCallersCannotOrder) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(10);
  v1::DeactivateUserRequest deactivate;
  v1::User user;
  ASSERT_TRUE(harness_.Stub()
                  .DeactivateUser(DbServiceHarness::Context(buyer.caller).get(), deactivate, &user)
                  .ok());
  v1::PlaceOrderResponse placed;
  EXPECT_EQ(Place(buyer.caller, product, 1, &placed).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::ListOrdersResponse listed;
  EXPECT_EQ(List(buyer.caller, 10, 0, &listed).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(sql_.Stock(product), 10);
}

// The order statements check the caller's token themselves (statements.cpp): a token from
// before a password change, or of a deactivated account, neither places, cancels nor reads,
// and changes no stock.
TEST_F(OrdersTest, StaleTokensNeitherPlaceCancelNorRead) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(10);
  v1::PlaceOrderResponse first;
  v1::PlaceOrderResponse second;
  ASSERT_TRUE(Place(buyer.caller, product, 1, &first).ok());
  ASSERT_TRUE(Place(buyer.caller, product, 1, &second).ok());

  v1::UpdateUserRequest update;
  update.set_password_hash(kFakeHash);
  v1::User user;
  ASSERT_TRUE(harness_.Stub()
                  .UpdateUser(DbServiceHarness::Context(buyer.caller).get(), update, &user)
                  .ok());
  const TestCaller stale = buyer.caller;
  TestCaller current = buyer.caller;
  current.token_version = stale.token_version + 1;

  v1::PlaceOrderResponse placed;
  v1::Order order;
  EXPECT_EQ(Place(stale, product, 1, &placed).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Cancel(stale, first.order().id(), &order).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get(stale, first.order().id(), &order).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::ListOrdersResponse listed;
  EXPECT_EQ(List(stale, 10, 0, &listed).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(List(current, 10, 0, &listed).ok());
  EXPECT_EQ(listed.orders_size(), 2);
  EXPECT_EQ(sql_.Stock(product), 8);
  EXPECT_EQ(OrdersOf(buyer.caller), 2);
  ASSERT_TRUE(Cancel(current, first.order().id(), &order).ok());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(sql_.Stock(product), 9);

  v1::DeactivateUserRequest deactivate;
  ASSERT_TRUE(harness_.Stub()
                  .DeactivateUser(DbServiceHarness::Context(current).get(), deactivate, &user)
                  .ok());
  EXPECT_EQ(Cancel(current, second.order().id(), &order).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Place(current, product, 1, &placed).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get(current, second.order().id(), &order).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(sql_.Count("SELECT count(*) FROM orders WHERE status = 'placed' AND id = " +
                       std::to_string(second.order().id())),
            1);
  EXPECT_EQ(sql_.Stock(product), 9);
}

}  // namespace
}  // namespace merch::testing
