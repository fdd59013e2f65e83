#pragma once

#include <chrono>

#include "merch/v1/logging.grpc.pb.h"
#include "publisher/publisher.hpp"

namespace merch::logging {

// StreamLogs: validates and renders each message of a stream, publishes the valid ones, and
// answers once all of them are acknowledged by the broker (see logging.proto for the
// statuses). A stream is refused at once with UNAVAILABLE while the broker is unreachable,
// and otherwise fails with UNAVAILABLE at the latest `delivery_timeout` after its last
// message. Thread-safe.
class LoggingService final : public merch::v1::LoggingService::Service {
 public:
  LoggingService(Publisher& publisher, std::chrono::milliseconds delivery_timeout);

  grpc::Status StreamLogs(grpc::ServerContext* context,
                          grpc::ServerReader<merch::v1::LogMessage>* reader,
                          merch::v1::LogResponse* response) override;

 private:
  Publisher& publisher_;
  const std::chrono::milliseconds delivery_timeout_;
};

}  // namespace merch::logging
