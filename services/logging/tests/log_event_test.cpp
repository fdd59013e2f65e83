#include "events/log_event.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <vector>

namespace merch::logging {
namespace {

merch::v1::LogMessage Valid() {
  merch::v1::LogMessage message;
  message.set_level(merch::v1::WARN);
  message.set_service_name("api");
  message.set_message("GET /products/1");
  message.set_timestamp(1763731000123);
  message.set_trace_id("trace-1");
  message.set_event("http.access");
  message.set_event_id("0b8f3c2e-6a7d-4e0b-9f1a-2c3d4e5f6a7b");
  message.set_attributes_json(
      R"({"method":"GET","path":"/products/1","status":200,"latency_ms":1.25})");
  return message;
}

TEST(LogEventTest, RendersEveryFieldWithItsTypeAndTheAttributesAtTopLevel) {
  auto rendered = RenderEvent(Valid());
  ASSERT_TRUE(rendered.has_value()) << rendered.error().detail;
  EXPECT_EQ(rendered->key, "trace-1");
  const auto object = boost::json::parse(rendered->json).as_object();
  EXPECT_EQ(object.at("level").as_string(), "WARN");
  EXPECT_EQ(object.at("service_name").as_string(), "api");
  EXPECT_EQ(object.at("message").as_string(), "GET /products/1");
  EXPECT_EQ(object.at("timestamp").as_int64(), 1763731000123);
  EXPECT_EQ(object.at("trace_id").as_string(), "trace-1");
  EXPECT_EQ(object.at("event").as_string(), "http.access");
  EXPECT_EQ(object.at("event_id").as_string(), "0b8f3c2e-6a7d-4e0b-9f1a-2c3d4e5f6a7b");
  EXPECT_EQ(object.at("method").as_string(), "GET");
  EXPECT_EQ(object.at("status").as_int64(), 200);
  EXPECT_DOUBLE_EQ(object.at("latency_ms").as_double(), 1.25);
  EXPECT_EQ(object.size(), 11U);
}

TEST(LogEventTest, AttributesAreOptional) {
  auto message = Valid();
  message.clear_attributes_json();
  auto rendered = RenderEvent(message);
  ASSERT_TRUE(rendered.has_value());
  EXPECT_EQ(boost::json::parse(rendered->json).as_object().size(), 7U);
}

TEST(LogEventTest, InvalidMessagesAreRejectedWithTheReason) {
  struct Case {
    void (*mutate)(merch::v1::LogMessage&);
    const char* reason;
  };
  const std::vector<Case> cases = {
      {[](auto& m) { m.clear_level(); }, "level is missing"},
      {[](auto& m) { m.clear_service_name(); }, "service_name is missing"},
      {[](auto& m) { m.clear_message(); }, "message is missing"},
      {[](auto& m) { m.set_message(std::string(8193, 'x')); }, "message is longer than 8192 bytes"},
      {[](auto& m) { m.clear_trace_id(); }, "trace_id is missing"},
      {[](auto& m) { m.set_trace_id(std::string(129, 't')); }, "trace_id is longer than 128 bytes"},
      {[](auto& m) { m.clear_event(); }, "event is missing"},
      {[](auto& m) { m.set_event("Order Placed"); }, "event must be made of [a-z0-9._]"},
      {[](auto& m) { m.clear_event_id(); }, "event_id is missing"},
      {[](auto& m) { m.clear_timestamp(); }, "timestamp is missing"},
      {[](auto& m) { m.set_attributes_json("[1,2]"); }, "attributes_json is not a JSON object"},
      {[](auto& m) { m.set_attributes_json("{"); }, "attributes_json is not a JSON object"},
      {[](auto& m) { m.set_attributes_json(R"({"event_id":"forged"})"); },
       "attributes_json may not set event_id"},
      // Found by fuzz/log_event_fuzz.cpp: Boost.JSON reads 1e999 as infinity and writes
      // `Infinity`, so the published value would not be JSON.
      {[](auto& m) { m.set_attributes_json(R"({"latency_ms":1e999})"); },
       "attributes_json is not a JSON object"},
      {[](auto& m) { m.set_attributes_json(R"({"a":1,"a":2})"); },
       "attributes_json is not a JSON object"},
      {[](auto& m) { m.set_attributes_json(std::string(16385, ' ')); },
       "attributes_json is longer than 16384 bytes"},
  };
  for (const auto& c : cases) {
    auto message = Valid();
    c.mutate(message);
    auto rendered = RenderEvent(message);
    ASSERT_FALSE(rendered.has_value()) << c.reason;
    EXPECT_EQ(rendered.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(rendered.error().detail, c.reason);
  }
}

}  // namespace
}  // namespace merch::logging
