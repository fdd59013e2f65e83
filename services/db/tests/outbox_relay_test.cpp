// The outbox relay (services/db/src/outbox/outbox_relay.hpp) against a real PostgreSQL, with an
// in-process LoggingService as the receiver: ships in id order, deletes only after OK, keeps
// the rows while the logging service fails, resumes after a restart, and two relays on one
// database deliver every row once.
#include "outbox/outbox_relay.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>
#include <string>
#include <vector>

#include "merch/common/grpc_server.hpp"
#include "merch/common/grpc_tls.hpp"
#include "merch/logship/trace_context.hpp"
#include "merch/testing/fake_logging_service.hpp"
#include "merch/testing/pki.hpp"
#include "merch/testing/wait.hpp"
#include "merch/v1/logging.grpc.pb.h"
#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;
using std::chrono::milliseconds;

class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The relay's real credentials: identity "db", to a server proving "logging".
    auto server = StartGrpcServer(
        {.address = "127.0.0.1:0",
         .credentials = MutualTlsServerCredentials(TestPki::Store().Identity("logging"), {"db"})},
        {&logging_});
    ASSERT_TRUE(server.has_value()) << server.error().detail;
    server_ = std::move(*server);
    // Other suites' events stay in the shared database: start from an empty outbox.
    sql_.Exec("DELETE FROM outbox_events");
  }
  void TearDown() override {
    logging_.SetHold(false);
    server_.Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  std::unique_ptr<db::OutboxRelay> NewRelay(std::size_t batch_size = 50,
                                            milliseconds poll_interval = milliseconds(5000)) {
    return std::make_unique<db::OutboxRelay>(
        db::OutboxRelayOptions{.database_url = Cluster().Url(),
                               .batch_size = batch_size,
                               .poll_interval = poll_interval,
                               .stream_timeout = milliseconds(20000),
                               .initial_backoff = milliseconds(20),
                               .max_backoff = milliseconds(100)},
        MutualTlsChannel("127.0.0.1:" + std::to_string(server_.port), TestPki::Store(), "db",
                         "logging"));
  }

  // Adds events numbered from..to ({"n": i}) in one committed transaction.
  void AddEvents(int from, int to) {
    sql_.Exec(
        "INSERT INTO outbox_events (trace_id, level, event, message, attributes_json) "
        "SELECT 'relay-test', 'INFO', 'order.placed', 'order placed', "
        "json_build_object('n', i)::text FROM generate_series(" +
        std::to_string(from) + ", " + std::to_string(to) + ") i");
  }

  std::int64_t Pending() { return sql_.Count("SELECT count(*) FROM outbox_events"); }

  static std::vector<std::int64_t> Numbers(const std::vector<v1::LogMessage>& messages) {
    std::vector<std::int64_t> numbers;
    numbers.reserve(messages.size());
    for (const auto& message : messages) {
      numbers.push_back(boost::json::parse(message.attributes_json()).at("n").as_int64());
    }
    return numbers;
  }

  static std::vector<std::int64_t> Range(int from, int to) {
    std::vector<std::int64_t> range;
    for (int i = from; i <= to; ++i) range.push_back(i);
    return range;
  }

  FakeLoggingService logging_;
  RunningGrpcServer server_;
  Sql sql_;
};

TEST_F(OutboxRelayTest, ShipsInIdOrderAndDeletesOnlyAfterTheLoggingServicesOk) {
  AddEvents(1, 120);
  logging_.SetHold(true);
  auto relay = NewRelay(50);
  relay->Start();
  ASSERT_TRUE(WaitFor([&] { return logging_.Streams() >= 1; }, milliseconds(10000)));
  // The first batch has reached the logging service, which has not answered yet.
  EXPECT_EQ(Pending(), 120);
  EXPECT_TRUE(logging_.Received().empty());
  logging_.SetHold(false);
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, milliseconds(10000)));
  const auto received = logging_.Received();
  EXPECT_EQ(Numbers(received), Range(1, 120));
  std::set<std::string> event_ids;
  for (const auto& message : received) {
    event_ids.insert(message.event_id());
    EXPECT_EQ(message.service_name(), "merch-db");
    EXPECT_EQ(message.level(), v1::INFO);
    EXPECT_EQ(message.event(), "order.placed");
    EXPECT_EQ(message.message(), "order placed");
    EXPECT_EQ(message.trace_id(), "relay-test");
    EXPECT_GT(message.timestamp(), 1700000000000);
    EXPECT_EQ(message.event_id().size(), 36U);
  }
  EXPECT_EQ(event_ids.size(), 120U);
  // The relay counts a batch after its delete commits, a moment after Pending() sees it gone.
  EXPECT_TRUE(WaitFor([&] { return relay->GetStats().relayed == 120U; }, milliseconds(10000)));
}

TEST_F(OutboxRelayTest, KeepsTheRowsWhileTheLoggingServiceFailsAndRetries) {
  AddEvents(1, 10);
  logging_.SetFailing(true);
  auto relay = NewRelay();
  relay->Start();
  ASSERT_TRUE(WaitFor([&] { return logging_.Streams() >= 3; }, milliseconds(10000)));
  EXPECT_EQ(Pending(), 10);
  EXPECT_GE(relay->GetStats().failures, 2U);
  logging_.SetFailing(false);
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, milliseconds(10000)));
  EXPECT_EQ(Numbers(logging_.Received()), Range(1, 10));
  EXPECT_TRUE(WaitFor([&] { return relay->GetStats().relayed == 10U; }, milliseconds(10000)));
}

TEST_F(OutboxRelayTest, AStoppedRelayLeavesItsBatchForTheNextStart) {
  AddEvents(1, 30);
  logging_.SetHold(true);
  auto relay = NewRelay(50);
  relay->Start();
  ASSERT_TRUE(WaitFor([&] { return logging_.Streams() >= 1; }, milliseconds(10000)));
  relay->Stop();  // as on SIGTERM, with the stream unanswered
  relay.reset();
  EXPECT_EQ(Pending(), 30);
  EXPECT_TRUE(logging_.Received().empty());

  logging_.SetHold(false);
  auto restarted = NewRelay(50);
  restarted->Start();
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, milliseconds(10000)));
  EXPECT_EQ(Numbers(logging_.Received()), Range(1, 30));
}

TEST_F(OutboxRelayTest, TwoRelaysOnOneDatabaseDeliverEveryRowOnce) {
  AddEvents(1, 1000);
  auto first = NewRelay(20);
  auto second = NewRelay(20);
  first->Start();
  second->Start();
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, milliseconds(30000)));
  auto numbers = Numbers(logging_.Received());
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, Range(1, 1000));  // each once: SKIP LOCKED gave them disjoint batches
  EXPECT_TRUE(
      WaitFor([&] { return first->GetStats().relayed + second->GetStats().relayed == 1000U; },
              milliseconds(10000)));
}

TEST_F(OutboxRelayTest, RowsNoWakeAnnouncesAreFoundByThePoll) {
  // As rows that another db replica committed, or left behind when it crashed.
  auto relay = NewRelay(50, milliseconds(200));
  relay->Start();
  AddEvents(1, 1);
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, milliseconds(10000)));
  AddEvents(2, 5);  // with the relay idle, and no Wake
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, milliseconds(10000)));
  EXPECT_EQ(Numbers(logging_.Received()), Range(1, 5));
}

TEST_F(OutboxRelayTest, ACommittedChangeWakesTheRelayWithoutPolling) {
  auto relay = NewRelay(50, std::chrono::minutes(10));
  AddEvents(1, 1);  // before the start, which looks once: no race with the first look
  relay->Start();
  ASSERT_TRUE(WaitFor([&] { return Pending() == 0; }, milliseconds(10000)));
  // The relay now sleeps (its fallback poll is ten minutes away): an order's commit must wake
  // it, as merch-db wires them.
  DbServiceHarness harness({.after_commit = [&relay] { relay->Wake(); }});
  const auto user = RegisterUser(harness.Stub());
  v1::PlaceOrderRequest request;
  request.set_product_id(sql_.CreateProduct(3));
  request.set_quantity(1);
  const std::string trace = logship::NewTraceId();
  auto context = DbServiceHarness::Context(user.caller);
  context->AddMetadata(std::string(logship::kTraceIdMetadataKey), trace);
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(harness.Stub().PlaceOrder(context.get(), request, &placed).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& message : logging_.Received()) {
          if (message.event() == "order.placed" && message.trace_id() == trace) return true;
        }
        return false;
      },
      milliseconds(5000)));
}

}  // namespace
}  // namespace merch::testing
