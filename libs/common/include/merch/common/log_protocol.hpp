#pragma once

#include <string_view>

// What the two ends of LoggingService.StreamLogs agree on besides the messages
// (proto/merch/v1/logging.proto).
namespace merch::log_protocol {

// Trailing metadata of every StreamLogs answer: how many messages of the stream the service
// refused as invalid (decimal).
inline constexpr std::string_view kRejectedTrailer = "merch-rejected";

}  // namespace merch::log_protocol
