// The log shipper's queue and senders under racing producers (libs/logship/.../log_shipper.hpp),
// against an in-process LoggingService over real mutual TLS and without Kafka, so that
// ThreadSanitizer sees the threads of the code under test (make test-tsan). The shipper end to
// end through merch-logging to a real Kafka is services/logging/tests/shipper_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "merch/common/grpc_server.hpp"
#include "merch/common/grpc_tls.hpp"
#include "merch/logship/log_shipper.hpp"
#include "merch/testing/fake_logging_service.hpp"
#include "merch/testing/pki.hpp"
#include "merch/testing/race.hpp"
#include "merch/testing/wait.hpp"

namespace merch::testing {
namespace {

using logship::LogShipper;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ShipperConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = StartGrpcServer({.address = "127.0.0.1:0",
                                   .credentials = MutualTlsServerCredentials(
                                       TestPki::Store().Identity("logging"), {"api", "db"})},
                                  {&logging_});
    ASSERT_TRUE(server.has_value()) << server.error().detail;
    server_ = std::move(*server);
  }
  void TearDown() override {
    logging_.SetHold(false);
    server_.Shutdown(std::chrono::system_clock::now() + seconds(1));
  }

  // A shipper as the api runs one, with small batches so that several streams are in flight.
  logship::ShipperOptions Options() const {
    return {.target = "127.0.0.1:" + std::to_string(server_.port),
            .credentials = TestPki::Store().ClientCredentials("api"),
            .service_name = "merch-api",
            .max_batch = 100,
            .linger = milliseconds(2),
            .senders = 2,
            .stream_timeout = seconds(2),  // bounds Shutdown's wait for a held stream
            .initial_backoff = milliseconds(10),
            .max_backoff = milliseconds(50)};
  }

  static bool ShipOne(LogShipper& shipper, int producer, int n) {
    return shipper.Ship({.level = merch::v1::INFO,
                         .event = "http.access",
                         .message = "test",
                         .trace_id = "race" + std::to_string(producer),
                         .attributes = {{"n", n}}});
  }

  std::set<std::string> ReceivedIds() const {
    std::set<std::string> ids;
    for (const auto& message : logging_.Received()) ids.insert(message.event_id());
    return ids;
  }

  FakeLoggingService logging_;
  RunningGrpcServer server_;
};

TEST_F(ShipperConcurrencyTest, RacingProducersLoseNothingAndDuplicateNothing) {
  LogShipper shipper(Options());
  constexpr int kProducers = 8;
  constexpr int kEach = 1000;
  constexpr std::uint64_t kTotal = std::uint64_t{kProducers} * kEach;
  RunTogether(kProducers, [&](int p) {
    for (int n = 0; n < kEach; ++n) ASSERT_TRUE(ShipOne(shipper, p, n));
  });
  ASSERT_TRUE(WaitFor([&] { return shipper.Stats().delivered == kTotal; }, milliseconds(60000)));
  EXPECT_EQ(logging_.Received().size(), kTotal);
  EXPECT_EQ(ReceivedIds().size(), kTotal);
  const auto stats = shipper.Stats();
  EXPECT_EQ(stats.enqueued, kTotal);
  EXPECT_EQ(stats.dropped, 0U);
  EXPECT_EQ(stats.queue_depth, 0U);
}

TEST_F(ShipperConcurrencyTest, BatchesRefusedWhileProducersRaceAreResentUntilTaken) {
  LogShipper shipper(Options());
  logging_.SetFailing(true);
  RunTogether(4, [&](int p) {
    for (int n = 0; n < 500; ++n) ASSERT_TRUE(ShipOne(shipper, p, n));
  });
  ASSERT_TRUE(WaitFor([&] { return shipper.Stats().resent_batches >= 2; }, milliseconds(10000)));
  logging_.SetFailing(false);
  ASSERT_TRUE(WaitFor([&] { return shipper.Stats().delivered == 2000; }, milliseconds(60000)));
  EXPECT_EQ(ReceivedIds().size(), 2000U);  // at least once: a resent batch arrives once more
  EXPECT_EQ(shipper.Stats().dropped, 0U);
}

TEST_F(ShipperConcurrencyTest, ShutdownRacingProducersAccountsForEveryEvent) {
  LogShipper shipper(Options());
  logging_.SetHold(true);  // streams stay in flight while Shutdown runs
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused{0};
  RunTogether(5, [&](int p) {
    if (p == 4) {
      std::this_thread::yield();
      shipper.Shutdown(std::chrono::steady_clock::now() + milliseconds(200));
      return;
    }
    for (int n = 0; n < 2000; ++n) (ShipOne(shipper, p, n) ? accepted : refused)++;
  });
  logging_.SetHold(false);
  const auto stats = shipper.Stats();
  EXPECT_EQ(stats.enqueued, accepted.load());
  EXPECT_EQ(accepted.load() + refused.load(), 8000U);
  // Every accepted event is delivered or counted as dropped (never both, never neither); the
  // refused ones count as dropped too.
  EXPECT_EQ(stats.delivered + stats.dropped, accepted.load() + refused.load());
  EXPECT_EQ(stats.queue_depth, 0U);
}

}  // namespace
}  // namespace merch::testing
