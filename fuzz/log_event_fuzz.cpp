// The logging service's message check (services/logging/src/events/log_event.hpp) on what a
// client can send: any bytes, parsed as a LogMessage by protobuf as gRPC does.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>

#include "events/log_event.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using merch::fuzz::Require;
  merch::v1::LogMessage message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return 0;
  const auto rendered = merch::logging::RenderEvent(message);
  if (!rendered) {
    Require(rendered.error().code == merch::ErrorCode::kInvalidArgument,
            "a bad message is INVALID_ARGUMENT");
    return 0;
  }
  Require(rendered->key == message.trace_id(), "keyed by its trace id");
  // What goes to Kafka is one JSON object with the message's fields (logging.proto).
  boost::system::error_code error;
  const auto value = boost::json::parse(rendered->json, error);
  Require(!error && value.is_object(), "the published value is a JSON object");
  const auto& object = value.get_object();
  for (const auto* field :
       {"level", "service_name", "message", "timestamp", "trace_id", "event", "event_id"}) {
    Require(object.contains(field), "the published object has every field");
  }
  Require(object.at("message").as_string() == message.message(), "the message is kept");
  Require(object.at("timestamp").as_int64() == message.timestamp(), "the timestamp is kept");
  return 0;
}
