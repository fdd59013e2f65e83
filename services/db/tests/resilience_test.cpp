// The service under a starved pool and through a PostgreSQL restart.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <optional>
#include <pqxx/except>

#include "repository/connection.hpp"
#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;
using Clock = std::chrono::steady_clock;

grpc::Status GetFirstProduct(v1::DbService::Stub& stub,
                             std::unique_ptr<grpc::ClientContext> context) {
  v1::GetProductRequest request;
  request.set_id(1);
  v1::Product product;
  return stub.GetProduct(context.get(), request, &product);
}

// A server that accepts the connection and never answers (a hung server, a proxy in front of a
// vanished one) fails the attempt at connect_timeout instead of holding it for ever.
TEST(ResilienceTest, AConnectionAttemptToAServerThatNeverAnswersGivesUp) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(
      io, {boost::asio::ip::make_address("127.0.0.1"), 0});  // listens; the kernel accepts
  const auto port = silent.local_endpoint().port();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(db::OpenConnection("postgresql://u:p@127.0.0.1:" + std::to_string(port) +
                                      "/merch?connect_timeout=2",
                                  std::chrono::milliseconds(1000)),
               pqxx::broken_connection);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(ResilienceTest, EveryConnectionGetsTcpTimeoutsAndKeepsTheUrlsOwn) {
  EXPECT_EQ(db::WithTcpTimeouts("postgresql://u@h:5432/merch"),
            "postgresql://u@h:5432/merch?keepalives=1&keepalives_idle=5&keepalives_interval=2"
            "&keepalives_count=3&tcp_user_timeout=10000&connect_timeout=5");
  EXPECT_EQ(db::WithTcpTimeouts("postgresql://u@h/merch?sslmode=disable&tcp_user_timeout=500"),
            "postgresql://u@h/merch?sslmode=disable&tcp_user_timeout=500&keepalives=1"
            "&keepalives_idle=5&keepalives_interval=2&keepalives_count=3&connect_timeout=5");
  // libpq accepts what it makes (a real connection, through the harness's cluster).
  auto connection = db::OpenConnection(Cluster().Url(), std::chrono::milliseconds(1000));
  EXPECT_TRUE(connection->is_open());
}

TEST(ResilienceTest, AnExhaustedPoolFailsCleanlyAtTheDeadlineThenRecovers) {
  DbServiceHarness harness({.pool_size = 1, .request_timeout = std::chrono::milliseconds(300)});
  ASSERT_TRUE(GetFirstProduct(harness.Stub(), DbServiceHarness::Context()).ok());

  std::optional<db::ConnectionPool::Lease> held;
  {
    auto lease = harness.Pool().Acquire(Clock::now() + std::chrono::seconds(5));
    ASSERT_TRUE(lease.has_value());
    held.emplace(std::move(*lease));
  }

  // With the client's own deadline.
  auto started = Clock::now();
  auto status =
      GetFirstProduct(harness.Stub(), DbServiceHarness::Context(std::chrono::milliseconds(400)));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(3));

  // Without one: the service's default bound applies and the error comes from the service.
  started = Clock::now();
  v1::GetProductRequest request;
  request.set_id(1);
  v1::Product product;
  grpc::ClientContext no_deadline;
  status = harness.Stub().GetProduct(&no_deadline, request, &product);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(status.error_message(), "the request timed out waiting for a free database connection");
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(300));
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(3));

  held.reset();
  EXPECT_TRUE(GetFirstProduct(harness.Stub(), DbServiceHarness::Context()).ok());
}

TEST(ResilienceTest, PostgresRestartGivesUnavailableThenNormalServiceWithoutRestart) {
  DbServiceHarness harness({.pool_size = 4});
  // Warm the pool so that stale connections are in it when PostgreSQL goes away.
  ASSERT_TRUE(GetFirstProduct(harness.Stub(), DbServiceHarness::Context()).ok());
  const auto buyer = RegisterUser(harness.Stub());

  Cluster().Stop();
  const auto status = GetFirstProduct(harness.Stub(), DbServiceHarness::Context());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "the database is unavailable");
  v1::PlaceOrderRequest place;
  place.set_product_id(1);
  place.set_quantity(1);
  v1::PlaceOrderResponse placed;
  EXPECT_EQ(harness.Stub()
                .PlaceOrder(DbServiceHarness::Context(buyer.caller).get(), place, &placed)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);

  Cluster().Start();
  EXPECT_TRUE(GetFirstProduct(harness.Stub(), DbServiceHarness::Context()).ok());
  v1::CheckCallerRequest check;
  v1::User user;
  EXPECT_TRUE(
      harness.Stub().CheckCaller(DbServiceHarness::Context(buyer.caller).get(), check, &user).ok());
}

}  // namespace
}  // namespace merch::testing
