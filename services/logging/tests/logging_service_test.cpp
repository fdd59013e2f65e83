// StreamLogs through real gRPC into a real Kafka broker.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "merch/testing/grpc_raw.hpp"
#include "support/harness.hpp"
#include "support/topic_reader.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

grpc::Status Stream(LoggingHarness& harness, const std::vector<v1::LogMessage>& messages,
                    v1::LogResponse* response, std::string* rejected = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto writer = harness.Stub().StreamLogs(&context, response);
  for (const auto& message : messages) writer->Write(message);
  writer->WritesDone();
  auto status = writer->Finish();
  if (rejected != nullptr) {
    auto found = context.GetServerTrailingMetadata().find("merch-rejected");
    if (found != context.GetServerTrailingMetadata().end()) {
      *rejected = std::string(found->second.data(), found->second.size());
    }
  }
  return status;
}

TEST(LoggingServiceTest, EventsArriveWithEveryFieldAndTheRightTypes) {
  LoggingHarness harness;
  const auto trace = UniqueTracePrefix();
  auto access = MakeMessage(trace + "a", 1);
  access.set_level(v1::ERROR);
  access.set_event("http.access");
  access.set_attributes_json(R"({"method":"POST","path":"/orders","status":201,"latency_ms":3.5})");
  const auto placed = MakeMessage(trace + "a", 2);
  v1::LogResponse response;
  const auto status = Stream(harness, {access, placed}, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.success());
  EXPECT_EQ(response.accepted(), 2);

  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(2));
  ASSERT_EQ(events.size(), 2U);
  const auto& first = events[0].at("event").as_string() == "http.access" ? events[0] : events[1];
  EXPECT_EQ(first.at("level").as_string(), "ERROR");
  EXPECT_EQ(first.at("service_name").as_string(), "test");
  EXPECT_EQ(first.at("message").as_string(), "event 1");
  EXPECT_TRUE(first.at("timestamp").is_int64());
  EXPECT_EQ(first.at("timestamp").as_int64(), access.timestamp());
  EXPECT_EQ(first.at("trace_id").as_string(), trace + "a");
  EXPECT_EQ(first.at("event_id").as_string(), access.event_id());
  EXPECT_EQ(first.at("method").as_string(), "POST");
  EXPECT_EQ(first.at("path").as_string(), "/orders");
  EXPECT_TRUE(first.at("status").is_int64());
  EXPECT_EQ(first.at("status").as_int64(), 201);
  EXPECT_TRUE(first.at("latency_ms").is_number());
  // One trace's events share a partition (the key is the trace id) and so keep their order.
  EXPECT_EQ(events[0].at("event_id").as_string(), access.event_id());
  EXPECT_EQ(events[1].at("event_id").as_string(), placed.event_id());
}

TEST(LoggingServiceTest, InvalidMessagesAreRejectedAndTheRestOfTheStreamIsPublished) {
  LoggingHarness harness;
  const auto trace = UniqueTracePrefix();
  auto missing_id = MakeMessage(trace + "x", 2);
  missing_id.clear_event_id();
  auto oversized = MakeMessage(trace + "x", 3);
  oversized.set_message(std::string(9000, 'm'));
  const auto before = MakeMessage(trace + "x", 1);
  const auto after = MakeMessage(trace + "x", 4);
  v1::LogResponse response;
  std::string rejected;
  const auto status = Stream(harness, {before, missing_id, oversized, after}, &response, &rejected);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "2 of 4 messages rejected (first: message 2: event_id is missing); the other 2 were "
            "published");
  EXPECT_EQ(rejected, "2");

  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(2));
  const auto counts = TopicReader::CountByEventId(events);
  EXPECT_EQ(counts.size(), 2U);
  EXPECT_EQ(counts.count(before.event_id()), 1U);
  EXPECT_EQ(counts.count(after.event_id()), 1U);
}

// A message that protobuf cannot parse (a string field that is not UTF-8) is refused on its
// own: the stream ends with INVALID_ARGUMENT, never OK, and the messages around it arrive.
TEST(LoggingServiceTest, AnUnreadableMessageIsRejectedAndTheRestOfTheStreamIsPublished) {
  LoggingHarness harness;
  const auto trace = UniqueTracePrefix();
  std::vector<v1::LogMessage> messages;
  messages.reserve(21);
  for (int i = 0; i < 20; ++i) messages.push_back(MakeMessage(trace + "u", i));
  auto unreadable = MakeMessage(trace + "u", 99);
  unreadable.set_message("GET /\xff\xfe 404");  // serialized as is; unparseable on arrival
  messages.insert(messages.begin() + 5, unreadable);
  v1::LogResponse response;
  std::string rejected;
  const auto status = Stream(harness, messages, &response, &rejected);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "1 of 21 messages rejected (first: message 6: not a readable LogMessage (malformed, "
            "or a string that is not UTF-8)); the other 20 were published");
  EXPECT_EQ(rejected, "1");

  const auto events = TopicReader(Broker().Brokers(), Broker().Topic())
                          .ReadUntil(trace, TopicReader::DistinctIds(20));
  const auto counts = TopicReader::CountByEventId(events);
  EXPECT_EQ(counts.size(), 20U);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(counts.count(messages[i < 5 ? i : i + 1].event_id()), 1U);
}

TEST(LoggingServiceTest, HealthIsServingWhileKafkaIsReachable) {
  LoggingHarness harness;  // returns once the publisher has reached Kafka
  EXPECT_EQ(HealthCheck(harness.Channel()), kHealthServing);
}

}  // namespace
}  // namespace merch::testing
