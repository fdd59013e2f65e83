// Who a call acts for comes from the user's bearer token only (proto/merch/v1/db.proto): even
// a client the service admits (the api's certificate, which the harness's channel presents)
// cannot act for a user whose token it does not have.
#include <gtest/gtest.h>

#include <string>

#include "grpc/db_service.hpp"
#include "merch/auth/jwt.hpp"
#include "merch/common/clock.hpp"
#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

class CallerTest : public ::testing::Test {
 protected:
  // `message` with its removed field 1 (the caller an older client wrote) naming `user_id`.
  template <class Message>
  static void NameTheCallerTheOldWay(Message& message, std::int64_t user_id) {
    std::string caller;
    caller.push_back('\x08');  // Caller.user_id, varint
    for (auto value = static_cast<std::uint64_t>(user_id);; value >>= 7) {
      caller.push_back(static_cast<char>((value & 0x7f) | (value >= 0x80 ? 0x80 : 0)));
      if (value < 0x80) break;
    }
    caller += std::string("\x10\x01", 2);  // Caller.token_version = 1
    message.GetReflection()->MutableUnknownFields(&message)->AddLengthDelimited(1, caller);
  }

  DbServiceHarness harness_;
  Sql sql_;
};

TEST_F(CallerTest, WithoutTheUsersTokenNothingIsReadOrWrittenForThem) {
  const auto victim = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(5);
  v1::PlaceOrderRequest place;
  place.set_product_id(product);
  place.set_quantity(1);
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(harness_.Stub()
                  .PlaceOrder(DbServiceHarness::Context(victim.caller).get(), place, &placed)
                  .ok());
  const auto order_id = placed.order().id();

  // No token at all, with the victim's id where older clients put the caller.
  v1::GetOrderRequest get;
  get.set_order_id(order_id);
  NameTheCallerTheOldWay(get, victim.user.id());
  v1::Order order;
  EXPECT_EQ(harness_.Stub().GetOrder(DbServiceHarness::Context().get(), get, &order).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::CancelOrderRequest cancel;
  cancel.set_order_id(order_id);
  NameTheCallerTheOldWay(cancel, victim.user.id());
  EXPECT_EQ(
      harness_.Stub().CancelOrder(DbServiceHarness::Context().get(), cancel, &order).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  v1::PlaceOrderRequest place_as_victim = place;
  NameTheCallerTheOldWay(place_as_victim, victim.user.id());
  EXPECT_EQ(harness_.Stub()
                .PlaceOrder(DbServiceHarness::Context().get(), place_as_victim, &placed)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::UpdateUserRequest update;
  update.set_password_hash(kFakeHash);
  NameTheCallerTheOldWay(update, victim.user.id());
  v1::User user;
  EXPECT_EQ(
      harness_.Stub().UpdateUser(DbServiceHarness::Context().get(), update, &user).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  v1::DeactivateUserRequest deactivate;
  NameTheCallerTheOldWay(deactivate, victim.user.id());
  EXPECT_EQ(harness_.Stub()
                .DeactivateUser(DbServiceHarness::Context().get(), deactivate, &user)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // A well-formed token naming the victim, signed with any other key.
  const auth::JwtCodec forger(std::string(40, 'f'));
  auto forged = DbServiceHarness::Context();
  forged->AddMetadata(std::string(db::kAuthorizationKey),
                      "Bearer " + forger.Issue(victim.user.id(), 1, UnixSeconds()));
  EXPECT_EQ(harness_.Stub().CancelOrder(forged.get(), cancel, &order).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // Another user's own valid token, with the victim's id the old way: acts for that user, who
  // has no such order.
  const auto other = RegisterUser(harness_.Stub());
  EXPECT_EQ(harness_.Stub()
                .GetOrder(DbServiceHarness::Context(other.caller).get(), get, &order)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(harness_.Stub()
                .CancelOrder(DbServiceHarness::Context(other.caller).get(), cancel, &order)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(harness_.Stub()
                  .DeactivateUser(DbServiceHarness::Context(other.caller).get(), deactivate, &user)
                  .ok());
  EXPECT_EQ(user.id(), other.user.id());

  // The victim's account, order and stock are untouched.
  v1::User victim_now;
  ASSERT_TRUE(harness_.Stub()
                  .CheckCaller(DbServiceHarness::Context(victim.caller).get(),
                               v1::CheckCallerRequest(), &victim_now)
                  .ok());
  EXPECT_TRUE(victim_now.is_active());
  ASSERT_TRUE(
      harness_.Stub().GetOrder(DbServiceHarness::Context(victim.caller).get(), get, &order).ok());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_PLACED);
  EXPECT_EQ(sql_.Stock(product), 4);
  EXPECT_EQ(
      sql_.Count("SELECT count(*) FROM orders WHERE user_id = " + std::to_string(victim.user.id())),
      1);
}

}  // namespace
}  // namespace merch::testing
