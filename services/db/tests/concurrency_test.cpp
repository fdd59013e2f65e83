// Races through real gRPC and a real PostgreSQL: many clients at once, started together.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "merch/testing/race.hpp"
#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

// Runs `call(i)` for i in [0, count) on `count` threads released at the same moment and
// returns the status codes seen, counted.
template <class Call>
std::map<grpc::StatusCode, int> RaceCalls(int count, Call call) {
  std::vector<grpc::StatusCode> codes(count);
  RunTogether(count, [&](int i) { codes[i] = call(i).error_code(); });
  std::map<grpc::StatusCode, int> counted;
  for (auto code : codes) ++counted[code];
  return counted;
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  DbServiceHarness harness_{{.pool_size = 8, .request_timeout = std::chrono::seconds(60)}};
  Sql sql_;
};

TEST_F(ConcurrencyTest, TwoHundredBuyersOfTenItemsNeverOversell) {
  const auto product = sql_.CreateProduct(10);
  std::vector<RegisteredUser> buyers;
  buyers.reserve(20);
  for (int i = 0; i < 20; ++i) buyers.push_back(RegisterUser(harness_.Stub()));

  const auto codes = RaceCalls(200, [&](int i) {
    v1::PlaceOrderRequest request;
    request.set_product_id(product);
    request.set_quantity(1);
    v1::PlaceOrderResponse response;
    return harness_.Stub().PlaceOrder(
        DbServiceHarness::Context(buyers[i % buyers.size()].caller, std::chrono::seconds(60)).get(),
        request, &response);
  });
  EXPECT_EQ(codes.at(grpc::StatusCode::OK), 10);
  EXPECT_EQ(codes.at(grpc::StatusCode::FAILED_PRECONDITION), 190);
  EXPECT_EQ(codes.size(), 2U) << "unexpected status " << static_cast<int>(codes.rbegin()->first);
  EXPECT_EQ(sql_.Stock(product), 0);
  EXPECT_EQ(sql_.Count("SELECT count(*) FROM orders WHERE product_id = " + std::to_string(product)),
            10);
}

TEST_F(ConcurrencyTest, FiftyCancelsOfOneOrderRestoreStockOnce) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(10);
  v1::PlaceOrderRequest place;
  place.set_product_id(product);
  place.set_quantity(3);
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(harness_.Stub()
                  .PlaceOrder(DbServiceHarness::Context(buyer.caller).get(), place, &placed)
                  .ok());
  ASSERT_EQ(sql_.Stock(product), 7);

  const auto codes = RaceCalls(50, [&](int) {
    v1::CancelOrderRequest request;
    request.set_order_id(placed.order().id());
    v1::Order order;
    return harness_.Stub().CancelOrder(
        DbServiceHarness::Context(buyer.caller, std::chrono::seconds(60)).get(), request, &order);
  });
  EXPECT_EQ(codes.at(grpc::StatusCode::OK), 1);
  EXPECT_EQ(codes.at(grpc::StatusCode::FAILED_PRECONDITION), 49);
  EXPECT_EQ(sql_.Stock(product), 10);
}

TEST_F(ConcurrencyTest, TwentyRacingRepeatsOfOneKeyMakeOneOrder) {
  const auto buyer = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(100);
  std::mutex mutex;
  std::set<std::int64_t> order_ids;
  int replays = 0;

  const auto codes = RaceCalls(20, [&](int) {
    v1::PlaceOrderRequest request;
    request.set_product_id(product);
    request.set_quantity(2);
    request.set_idempotency_key("same-key");
    v1::PlaceOrderResponse response;
    auto status = harness_.Stub().PlaceOrder(
        DbServiceHarness::Context(buyer.caller, std::chrono::seconds(60)).get(), request,
        &response);
    if (status.ok()) {
      std::lock_guard lock(mutex);
      order_ids.insert(response.order().id());
      replays += response.replayed() ? 1 : 0;
    }
    return status;
  });
  EXPECT_EQ(codes.at(grpc::StatusCode::OK), 20);
  EXPECT_EQ(order_ids.size(), 1U);
  EXPECT_EQ(replays, 19);
  EXPECT_EQ(sql_.Stock(product), 98);
  EXPECT_EQ(sql_.Count("SELECT count(*) FROM orders WHERE product_id = " + std::to_string(product)),
            1);
}

}  // namespace
}  // namespace merch::testing
