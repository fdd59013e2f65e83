#include "merch/logship/shipper_sink.hpp"

#include "merch/logship/trace_context.hpp"

namespace merch::logship {
namespace {

merch::v1::LogLevel ToLogLevel(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return merch::v1::DEBUG;
    case spdlog::level::info:
      return merch::v1::INFO;
    case spdlog::level::warn:
      return merch::v1::WARN;
    default:
      return merch::v1::ERROR;
  }
}

}  // namespace

void ShipperSink::sink_it_(const spdlog::details::log_msg& record) {
  const std::string* trace_id = CurrentTraceId();
  shipper_.Ship(LogEvent{
      .level = ToLogLevel(record.level),
      .event = "service.log",
      .message = std::string(record.payload.data(), record.payload.size()),
      .trace_id = trace_id != nullptr ? *trace_id : NewEventId(),
      .attributes = {},
  });
}

}  // namespace merch::logship
