#pragma once

#include <string>

#include "merch/common/error.hpp"
#include "merch/v1/logging.pb.h"

namespace merch::logging {

// A validated log message, ready to publish: the Kafka key and the JSON value.
struct RenderedEvent {
  std::string key;   // the trace id: one trace's events share a partition, so keep their order
  std::string json;  // the published object (README, "The log pipeline"): the message's fields plus
                     // its attributes
};

// Checks a message against the rules of logging.proto and renders it; kInvalidArgument with a
// client-safe reason otherwise.
Result<RenderedEvent> RenderEvent(const merch::v1::LogMessage& message);

}  // namespace merch::logging
