#pragma once

#include <cstddef>
#include <string>

#include "merch/common/error.hpp"
#include "merch/v1/logging.pb.h"

// `merch-proto compare`: a LogMessage's size on the wire (what the api streams to the logging
// service, proto/merch/v1/logging.proto) beside the JSON object the logging service publishes to
// Kafka (README "The log pipeline") and protobuf's own JSON mapping of the same message.
namespace merch::proto_inspect {

struct SizeComparison {
  std::size_t protobuf_bytes = 0;
  std::size_t published_json_bytes = 0;  // as merch-logging renders it for log-channel
  std::size_t proto3_json_bytes = 0;     // protobuf's JSON mapping, field names as in the .proto
  std::string published_json;
};

// A typical http.access event, as the api ships one per request.
merch::v1::LogMessage SampleLogMessage();

// Fails (kInvalidArgument) when the message is not one the logging service would publish.
Result<SizeComparison> CompareSizes(const merch::v1::LogMessage& message);

// The comparison as the tool prints it.
std::string FormatComparison(const SizeComparison& sizes);

}  // namespace merch::proto_inspect
