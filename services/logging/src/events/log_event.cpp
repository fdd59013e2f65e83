#include "events/log_event.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <string_view>

#include "merch/common/strict_json.hpp"

namespace merch::logging {
namespace {

constexpr std::size_t kMaxServiceName = 64;
constexpr std::size_t kMaxMessage = 8192;
constexpr std::size_t kMaxTraceId = 128;
constexpr std::size_t kMaxEvent = 64;
constexpr std::size_t kMaxEventId = 128;
constexpr std::size_t kMaxAttributes = 16384;

constexpr std::array<std::string_view, 7> kReservedFields = {
    "level", "service_name", "message", "timestamp", "trace_id", "event", "event_id"};

Error Invalid(std::string reason) { return {ErrorCode::kInvalidArgument, std::move(reason)}; }

Result<void> CheckText(std::string_view field, const std::string& value, std::size_t max) {
  if (value.empty()) return Invalid(std::string(field) + " is missing");
  if (value.size() > max) {
    return Invalid(std::string(field) + " is longer than " + std::to_string(max) + " bytes");
  }
  return {};
}

bool IsEventName(std::string_view event) {
  return std::all_of(event.begin(), event.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
  });
}

}  // namespace

Result<RenderedEvent> RenderEvent(const merch::v1::LogMessage& message) {
  if (message.level() == merch::v1::LOG_LEVEL_UNSPECIFIED ||
      !merch::v1::LogLevel_IsValid(message.level())) {
    return Invalid("level is missing");
  }
  for (const auto& check : {CheckText("service_name", message.service_name(), kMaxServiceName),
                            CheckText("message", message.message(), kMaxMessage),
                            CheckText("trace_id", message.trace_id(), kMaxTraceId),
                            CheckText("event", message.event(), kMaxEvent),
                            CheckText("event_id", message.event_id(), kMaxEventId)}) {
    if (!check) return check.error();
  }
  if (!IsEventName(message.event())) return Invalid("event must be made of [a-z0-9._]");
  if (message.timestamp() <= 0) return Invalid("timestamp is missing");
  if (message.attributes_json().size() > kMaxAttributes) {
    return Invalid("attributes_json is longer than " + std::to_string(kMaxAttributes) + " bytes");
  }

  boost::json::object object;
  object["level"] = merch::v1::LogLevel_Name(message.level());
  object["service_name"] = message.service_name();
  object["message"] = message.message();
  object["timestamp"] = message.timestamp();
  object["trace_id"] = message.trace_id();
  object["event"] = message.event();
  object["event_id"] = message.event_id();
  if (!message.attributes_json().empty()) {
    // Strict: Boost.JSON alone reads 1e999 as infinity and would publish `Infinity`, which is
    // not JSON (found by fuzz/log_event_fuzz.cpp), and keeps one of two repeated keys silently.
    auto attributes = ParseStrictJson(message.attributes_json());
    if (!attributes || !attributes->is_object()) {
      return Invalid("attributes_json is not a JSON object");
    }
    for (const auto& [name, value] : attributes->as_object()) {
      if (std::find(kReservedFields.begin(), kReservedFields.end(), name) !=
          kReservedFields.end()) {
        return Invalid("attributes_json may not set " + std::string(name));
      }
      object[name] = value;
    }
  }
  return RenderedEvent{.key = message.trace_id(), .json = boost::json::serialize(object)};
}

}  // namespace merch::logging
