// The log shipper end to end: shipper → gRPC → logging service → real Kafka, including
// restarts of the logging service and of Kafka.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <set>
#include <string>

#include "merch/common/clock.hpp"
#include "merch/logship/log_shipper.hpp"
#include "merch/logship/shipper_sink.hpp"
#include "merch/logship/trace_context.hpp"
#include "merch/testing/grpc_raw.hpp"
#include "merch/testing/pki.hpp"
#include "merch/testing/process.hpp"
#include "merch/testing/wait.hpp"
#include "support/harness.hpp"
#include "support/topic_reader.hpp"

namespace merch::testing {
namespace {

using logship::LogShipper;
using std::chrono::seconds;

void ShipMany(LogShipper& shipper, const std::string& trace, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    ASSERT_TRUE(shipper.Enqueue(MakeMessage(trace + std::to_string(i % 50), i)));
  }
}

// The shippers here run as the api does, with its identity.
std::shared_ptr<grpc::ChannelCredentials> ApiCredentials() {
  return TestPki::Store().ClientCredentials("api");
}

bool AllDelivered(const LogShipper& shipper, std::uint64_t count, seconds timeout = seconds(60)) {
  return WaitFor([&] { return shipper.Stats().delivered >= count; }, timeout);
}

TEST(ShipperTest, TenThousandEventsInAQuietRunArriveExactlyOnce) {
  LoggingHarness harness;
  LogShipper shipper(
      {.target = harness.Target(), .credentials = ApiCredentials(), .service_name = "test"});
  const auto trace = UniqueTracePrefix();
  ShipMany(shipper, trace, 0, 10000);
  ASSERT_TRUE(AllDelivered(shipper, 10000));
  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(10000));
  const auto counts = TopicReader::CountByEventId(events);
  EXPECT_EQ(counts.size(), 10000U);
  EXPECT_EQ(events.size(), 10000U) << "duplicates in a quiet run";
  const auto stats = shipper.Stats();
  EXPECT_EQ(stats.delivered, 10000U);
  EXPECT_EQ(stats.dropped, 0U);
  EXPECT_EQ(stats.resent_batches, 0U);
}

TEST(ShipperTest, ShipStampsServiceTimeAndAUniqueEventId) {
  LoggingHarness harness;
  LogShipper shipper(
      {.target = harness.Target(), .credentials = ApiCredentials(), .service_name = "merch-api"});
  const auto trace = UniqueTracePrefix();
  for (int i = 0; i < 2; ++i) {
    shipper.Ship({.level = merch::v1::INFO,
                  .event = "order.placed",
                  .message = "order placed",
                  .trace_id = trace,
                  .attributes = {{"order_id", 42}}});
  }
  ASSERT_TRUE(AllDelivered(shipper, 2));
  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(2));
  ASSERT_EQ(events.size(), 2U);
  EXPECT_NE(events[0].at("event_id"), events[1].at("event_id"));
  EXPECT_EQ(events[0].at("service_name").as_string(), "merch-api");
  EXPECT_EQ(events[0].at("order_id").as_int64(), 42);
  EXPECT_NEAR(static_cast<double>(events[0].at("timestamp").as_int64()),
              static_cast<double>(UnixMillis()), 60000.0);
}

// The db service's log lines while it serves a call carry the call's trace id (README, "Log
// events"); outside a call, a fresh one.
TEST(ShipperTest, ASinkRecordCarriesTheTraceIdOfItsThreadsTraceScope) {
  LoggingHarness harness;
  LogShipper shipper(
      {.target = harness.Target(), .credentials = ApiCredentials(), .service_name = "merch-db"});
  spdlog::logger logger("trace-scope-test", std::make_shared<logship::ShipperSink>(shipper));
  const auto trace = UniqueTracePrefix() + "-call";
  {
    const logship::TraceScope call(trace);
    {
      const logship::TraceScope nested(trace + "-nested");
      logger.warn("in a nested scope");
    }
    EXPECT_EQ(*logship::CurrentTraceId(), trace);
    logger.info("while serving the call");
  }
  EXPECT_EQ(logship::CurrentTraceId(), nullptr);
  logger.info("outside any call");
  ASSERT_TRUE(AllDelivered(shipper, 3));
  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(2));
  ASSERT_EQ(events.size(), 2U);
  std::set<std::string> seen;
  for (const auto& event : events) {
    EXPECT_EQ(event.at("event").as_string(), "service.log");
    seen.insert(std::string(event.at("trace_id").as_string()) + " " +
                std::string(event.at("message").as_string()));
  }
  EXPECT_EQ(seen, (std::set<std::string>{trace + " while serving the call",
                                         trace + "-nested in a nested scope"}));
}

TEST(TraceContextTest, ATraceIdHasTheSyntaxOfARequestId) {
  EXPECT_TRUE(logship::IsValidTraceId("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_TRUE(logship::IsValidTraceId("ev-Abc._~:+=@/-1"));
  EXPECT_TRUE(logship::IsValidTraceId(std::string(128, 'a')));
  EXPECT_FALSE(logship::IsValidTraceId(""));
  EXPECT_FALSE(logship::IsValidTraceId(std::string(129, 'a')));
  EXPECT_FALSE(logship::IsValidTraceId("bad id"));
  EXPECT_FALSE(logship::IsValidTraceId("caf\xc3\xa9"));
  const auto fresh = logship::NewTraceId();
  EXPECT_EQ(fresh.size(), 32U);
  EXPECT_EQ(fresh.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(fresh, logship::NewTraceId());
}

// Bytes that are not UTF-8 (a raw request path) are escaped by the shipper, so the event is
// readable by the service and arrives, together with the events around it.
TEST(ShipperTest, InvalidUtf8IsEscapedAndEveryEventArrives) {
  LoggingHarness harness;
  LogShipper shipper(
      {.target = harness.Target(), .credentials = ApiCredentials(), .service_name = "merch-api"});
  const auto trace = UniqueTracePrefix();
  for (int i = 0; i < 10; ++i) {
    const bool bad = i == 5;
    shipper.Ship({.level = merch::v1::INFO,
                  .event = "http.access",
                  .message = bad ? "GET /\xff\xfe 404" : "GET /greeting 200",
                  .trace_id = trace,
                  .attributes = {{"path", bad ? "/\xff\xfe" : "/greeting"}, {"sequence", i}}});
  }
  ASSERT_TRUE(AllDelivered(shipper, 10));
  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(10));
  ASSERT_EQ(TopicReader::CountByEventId(events).size(), 10U);
  bool found = false;
  for (const auto& event : events) {
    if (event.at("sequence").as_int64() != 5) continue;
    found = true;
    EXPECT_EQ(event.at("path").as_string(), "/\\xFF\\xFE");
    EXPECT_EQ(event.at("message").as_string(), "GET /\\xFF\\xFE 404");
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(shipper.Stats().rejected, 0U);
}

TEST(ShipperTest, EnqueueNeverBlocksAndCountsWhatAFullQueueDrops) {
  // Nothing listens at the target: every stream fails and events stay queued.
  LogShipper shipper({.target = "127.0.0.1:" + std::to_string(FreePort()),
                      .credentials = ApiCredentials(),
                      .service_name = "test",
                      .queue_capacity = 100,
                      .max_batch = 10,
                      .senders = 2});
  const auto started = std::chrono::steady_clock::now();
  int accepted = 0;
  for (int i = 0; i < 300; ++i) accepted += shipper.Enqueue(MakeMessage("drop", i)) ? 1 : 0;
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(1));
  const auto stats = shipper.Stats();
  EXPECT_EQ(stats.enqueued, static_cast<std::uint64_t>(accepted));
  EXPECT_EQ(stats.dropped, static_cast<std::uint64_t>(300 - accepted));
  // Accepted: at most the queue's capacity plus what the two senders hold (a batch each).
  EXPECT_GE(stats.dropped, 300U - (100U + 2 * 10U));
  shipper.Shutdown(std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
  EXPECT_EQ(shipper.Stats().dropped, 300U);  // what could not be sent by the deadline
}

TEST(ShipperTest, TheQueueIsBoundedByBytesToo) {
  // Nothing listens at the target: every stream fails and events stay queued (or held by the
  // one sender, a batch of at most 4).
  LogShipper shipper({.target = "127.0.0.1:" + std::to_string(FreePort()),
                      .credentials = ApiCredentials(),
                      .service_name = "test",
                      .queue_capacity = 100000,
                      .queue_bytes = std::size_t{64} * 1024,
                      .max_batch = 4,
                      .senders = 1});
  auto large = [](int i) {
    auto message = MakeMessage("large", i);
    message.set_message(std::string(std::size_t{8} * 1024, 'x'));  // about 8 KiB serialized
    return message;
  };
  int accepted = 0;
  for (int i = 0; i < 40; ++i) accepted += shipper.Enqueue(large(i)) ? 1 : 0;
  // 64 KiB hold 7 such events; the sender may hold a batch of up to 4 more outside the queue.
  EXPECT_GE(accepted, 7);
  EXPECT_LE(accepted, 7 + 4);
  EXPECT_EQ(shipper.Stats().dropped, static_cast<std::uint64_t>(40 - accepted));
  // Small events still fit beside them: the bound is on bytes, not on a count of 7.
  EXPECT_TRUE(shipper.Enqueue(MakeMessage("small", 1)));
  shipper.Shutdown(std::chrono::steady_clock::now());
}

TEST(ShipperTest, TheBytesOfSentEventsAreFreed) {
  LoggingHarness harness;
  LogShipper shipper({.target = harness.Target(),
                      .credentials = ApiCredentials(),
                      .service_name = "test",
                      .queue_bytes = std::size_t{64} * 1024});
  const auto trace = UniqueTracePrefix();
  // Five rounds of 8 events of about 6 KiB: each round fits the 64 KiB only if the bytes of
  // the rounds before were given back when their batches left the queue.
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 8; ++i) {
      auto message = MakeMessage(trace + "0", round * 8 + i);
      message.set_message(std::string(std::size_t{6} * 1024, 'x'));
      ASSERT_TRUE(shipper.Enqueue(std::move(message))) << "round " << round << ", event " << i;
    }
    ASSERT_TRUE(AllDelivered(shipper, static_cast<std::uint64_t>((round + 1) * 8)));
  }
  EXPECT_EQ(shipper.Stats().dropped, 0U);
}

TEST(ShipperTest, EveryEventArrivesAcrossAKillAndRestartOfTheLoggingService) {
  const auto port = FreePort();
  const auto health_port = FreePort();
  const std::vector<std::string> settings = {
      "LOGGING_SERVICE_HOST=127.0.0.1",       "LOGGING_SERVICE_PORT=" + std::to_string(port),
      "KAFKA_BROKERS=" + Broker().Brokers(),  "KAFKA_TOPIC=" + Broker().Topic(),
      TestPki::Store().EnvSetting("logging"), "LOGGING_HEALTH_PORT=" + std::to_string(health_port)};
  auto service = std::make_unique<ChildProcess>(MERCH_LOGGING_BINARY, settings);
  const auto target = "127.0.0.1:" + std::to_string(port);
  // The service's plaintext health port (its gRPC port takes mutual TLS only).
  const auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(health_port),
                                           grpc::InsecureChannelCredentials());
  ASSERT_TRUE(WaitFor([&] { return HealthCheck(channel) == kHealthServing; }, seconds(30)))
      << service->Log();

  LogShipper shipper({.target = target,
                      .credentials = ApiCredentials(),
                      .service_name = "test",
                      .max_batch = 250});
  const auto trace = UniqueTracePrefix();
  ShipMany(shipper, trace, 0, 2500);
  ASSERT_TRUE(AllDelivered(shipper, 1000));
  service->Signal(SIGKILL);
  EXPECT_EQ(service->Wait(), 128 + SIGKILL);
  ShipMany(shipper, trace, 2500, 2500);  // the second half of the stream meets the outage
  service = std::make_unique<ChildProcess>(MERCH_LOGGING_BINARY, settings);
  ASSERT_TRUE(AllDelivered(shipper, 5000)) << service->Log();

  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(5000));
  const auto counts = TopicReader::CountByEventId(events);
  EXPECT_EQ(counts.size(), 5000U);
  std::cout << "[ INFO     ] " << events.size() - counts.size() << " duplicates after kill -9, "
            << shipper.Stats().resent_batches << " batches resent\n";
}

TEST(ShipperTest, EveryEventArrivesAcrossTenSecondsWithoutKafka) {
  LoggingHarness harness;
  LogShipper shipper({.target = harness.Target(),
                      .credentials = ApiCredentials(),
                      .service_name = "test",
                      .max_batch = 100});
  const auto trace = UniqueTracePrefix();
  ShipMany(shipper, trace, 0, 500);
  ASSERT_TRUE(AllDelivered(shipper, 500));

  Broker().Stop();
  ASSERT_TRUE(
      WaitFor([&] { return HealthCheck(harness.Channel()) == kHealthNotServing; }, seconds(30)));
  // The outage lasts ten seconds, during which the api keeps logging: 100 events a second.
  const auto outage_end = std::chrono::steady_clock::now() + seconds(10);
  int shipped = 500;
  while (std::chrono::steady_clock::now() < outage_end) {
    ShipMany(shipper, trace, shipped, 100);
    shipped += 100;
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the pace of the load, not a wait
  }
  EXPECT_LT(shipper.Stats().delivered, static_cast<std::uint64_t>(shipped));
  Broker().Start();
  ASSERT_TRUE(AllDelivered(shipper, shipped, seconds(90)));
  EXPECT_TRUE(
      WaitFor([&] { return HealthCheck(harness.Channel()) == kHealthServing; }, seconds(30)));

  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(shipped));
  EXPECT_EQ(TopicReader::CountByEventId(events).size(), static_cast<std::size_t>(shipped));
  EXPECT_EQ(shipper.Stats().dropped, 0U);
}

}  // namespace
}  // namespace merch::testing
