// The outbox (README, "Log events"): each change's domain event is written in the change's own
// transaction, with the trace id of the call's `merch-trace-id` metadata, and a change that
// fails or is replayed writes none.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "merch/logship/trace_context.hpp"
#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

struct OutboxRow {
  std::string level;
  std::string event;
  std::string message;
  boost::json::value attributes;
};

class OutboxTest : public ::testing::Test {
 protected:
  // A context whose call carries `trace_id` (when not empty) as the api sends it.
  static std::unique_ptr<grpc::ClientContext> Traced(const std::string& trace_id,
                                                     const std::optional<TestCaller>& caller = {}) {
    auto context = caller ? DbServiceHarness::Context(*caller) : DbServiceHarness::Context();
    if (!trace_id.empty()) {
      context->AddMetadata(std::string(logship::kTraceIdMetadataKey), trace_id);
    }
    return context;
  }

  // The outbox rows of a trace, in id order.
  std::vector<OutboxRow> Rows(const std::string& trace_id) {
    pqxx::nontransaction transaction(connection_);
    std::vector<OutboxRow> rows;
    for (const auto& row :
         transaction.exec_params("SELECT level, event, message, attributes_json FROM outbox_events "
                                 "WHERE trace_id = $1 ORDER BY id",
                                 trace_id)) {
      rows.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                      boost::json::parse(row[3].as<std::string>())});
    }
    return rows;
  }

  static std::string NewTrace() { return logship::NewTraceId(); }

  grpc::Status Place(const TestCaller& caller, std::int64_t product_id, int quantity,
                     const std::string& trace_id, v1::PlaceOrderResponse* response,
                     const std::string& key = "") {
    v1::PlaceOrderRequest request;
    request.set_product_id(product_id);
    request.set_quantity(quantity);
    request.set_idempotency_key(key);
    return harness_.Stub().PlaceOrder(Traced(trace_id, caller).get(), request, response);
  }

  DbServiceHarness harness_;
  Sql sql_;
  pqxx::connection connection_{Cluster().Url()};
};

TEST_F(OutboxTest, APlacedOrderWritesOrderPlacedWithTheCallsTraceId) {
  const auto user = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(5);
  const auto trace = NewTrace();
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(Place(user.caller, product, 2, trace, &placed).ok());
  const auto rows = Rows(trace);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].level, "INFO");
  EXPECT_EQ(rows[0].event, "order.placed");
  EXPECT_EQ(rows[0].message, "order placed");
  // The fields the api emitted before (tests/e2e/test_events.py), in the same order.
  EXPECT_EQ(boost::json::serialize(rows[0].attributes),
            R"({"order_id":)" + std::to_string(placed.order().id()) + R"(,"user_id":)" +
                std::to_string(user.user.id()) + R"(,"product_id":)" + std::to_string(product) +
                R"(,"quantity":2})");
}

TEST_F(OutboxTest, AFailedOrderWritesNoEvent) {
  const auto user = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(1);
  const auto trace = NewTrace();
  v1::PlaceOrderResponse response;
  EXPECT_EQ(Place(user.caller, product, 2, trace, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // out of stock
  EXPECT_EQ(Place(user.caller, 2147483000, 1, trace, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Rows(trace).empty());
  EXPECT_EQ(sql_.Stock(product), 1);
}

TEST_F(OutboxTest, AnIdempotentReplayWritesNoSecondEvent) {
  const auto user = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(5);
  const auto first = NewTrace();
  const auto again = NewTrace();
  v1::PlaceOrderResponse response;
  ASSERT_TRUE(Place(user.caller, product, 1, first, &response, "key-1").ok());
  ASSERT_TRUE(Place(user.caller, product, 1, again, &response, "key-1").ok());
  EXPECT_TRUE(response.replayed());
  EXPECT_EQ(Rows(first).size(), 1U);
  EXPECT_TRUE(Rows(again).empty());
}

TEST_F(OutboxTest, CancelRegisterUpdateAndDeactivateWriteTheirEvents) {
  const auto trace = NewTrace();
  v1::RegisterUserRequest registration;
  registration.set_sid(UniqueSid());
  registration.set_username("ob_" + registration.sid());
  registration.set_email(registration.sid() + "@example.com");
  registration.set_password_hash(kFakeHash);
  v1::User user;
  ASSERT_TRUE(harness_.Stub().RegisterUser(Traced(trace).get(), registration, &user).ok());
  TestCaller caller;
  caller.user_id = user.id();
  caller.token_version = 1;
  // A registration that fails (the sid is taken) writes nothing.
  ASSERT_FALSE(harness_.Stub().RegisterUser(Traced(trace).get(), registration, &user).ok());

  const auto product = sql_.CreateProduct(5);
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(Place(caller, product, 1, trace, &placed).ok());
  v1::CancelOrderRequest cancel;
  cancel.set_order_id(placed.order().id());
  v1::Order cancelled;
  ASSERT_TRUE(harness_.Stub().CancelOrder(Traced(trace, caller).get(), cancel, &cancelled).ok());
  // A second cancel is refused and writes nothing.
  ASSERT_FALSE(harness_.Stub().CancelOrder(Traced(trace, caller).get(), cancel, &cancelled).ok());

  v1::UpdateUserRequest update;
  update.set_email("new_" + registration.email());
  update.set_password_hash(kFakeHash);
  ASSERT_TRUE(harness_.Stub().UpdateUser(Traced(trace, caller).get(), update, &user).ok());
  caller.token_version = 2;
  v1::DeactivateUserRequest deactivate;
  ASSERT_TRUE(harness_.Stub().DeactivateUser(Traced(trace, caller).get(), deactivate, &user).ok());

  const auto rows = Rows(trace);
  std::vector<std::string> events;
  events.reserve(rows.size());
  for (const auto& row : rows) {
    events.push_back(row.event + " " + boost::json::serialize(row.attributes));
  }
  const auto id = std::to_string(user.id());
  const auto order = std::to_string(placed.order().id());
  EXPECT_EQ(events, (std::vector<std::string>{
                        "user.registered {\"user_id\":" + id + "}",
                        "order.placed {\"order_id\":" + order + ",\"user_id\":" + id +
                            ",\"product_id\":" + std::to_string(product) + ",\"quantity\":1}",
                        "order.cancelled {\"order_id\":" + order + ",\"user_id\":" + id + "}",
                        "user.updated {\"user_id\":" + id + ",\"fields\":[\"email\",\"password\"]}",
                        "user.deactivated {\"user_id\":" + id + "}",
                    }));
}

TEST_F(OutboxTest, AMissingOrInvalidTraceIdIsReplacedByAFreshOne) {
  const auto user = RegisterUser(harness_.Stub());
  const auto product = sql_.CreateProduct(5);
  const auto before = sql_.Count("SELECT coalesce(max(id), 0) FROM outbox_events");
  v1::PlaceOrderResponse response;
  ASSERT_TRUE(Place(user.caller, product, 1, "", &response).ok());
  ASSERT_TRUE(Place(user.caller, product, 1, "not a trace id!", &response).ok());
  ASSERT_TRUE(Place(user.caller, product, 1, std::string(129, 'a'), &response).ok());
  pqxx::nontransaction transaction(connection_);
  const auto rows = transaction.exec_params(
      "SELECT trace_id FROM outbox_events WHERE id > $1 AND event = 'order.placed' "
      "AND attributes_json::jsonb ->> 'user_id' = $2",
      before, std::to_string(user.user.id()));
  ASSERT_EQ(rows.size(), 3U);
  for (const auto& row : rows) {
    const auto trace = row[0].as<std::string>();
    EXPECT_EQ(trace.size(), 32U) << trace;
    EXPECT_EQ(trace.find_first_not_of("0123456789abcdef"), std::string::npos) << trace;
  }
}

}  // namespace
}  // namespace merch::testing
