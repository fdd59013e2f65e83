#pragma once

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "merch/v1/logging.grpc.pb.h"

namespace merch::testing {

// An in-process LoggingService (proto/merch/v1/logging.proto) that receives streams as
// merch-logging does, without Kafka: it keeps what it acknowledged, and can be told to fail
// (UNAVAILABLE, as when Kafka is down) or to hold its answer. Thread-safe.
class FakeLoggingService final : public merch::v1::LoggingService::Service {
 public:
  grpc::Status StreamLogs(grpc::ServerContext* context,
                          grpc::ServerReader<merch::v1::LogMessage>* reader,
                          merch::v1::LogResponse* response) override;

  void SetFailing(bool failing);
  // While held, a stream is read but not answered (a cancelled one is not taken).
  void SetHold(bool hold);
  int Streams() const;  // streams read to their end, answered or not
  std::vector<merch::v1::LogMessage> Received() const;  // acknowledged, in arrival order

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool failing_ = false;
  bool hold_ = false;
  int streams_ = 0;
  std::vector<merch::v1::LogMessage> received_;
};

}  // namespace merch::testing
