#include "merch/testing/fake_logging_service.hpp"

#include <chrono>
#include <cstdint>

namespace merch::testing {

grpc::Status FakeLoggingService::StreamLogs(grpc::ServerContext* context,
                                            grpc::ServerReader<merch::v1::LogMessage>* reader,
                                            merch::v1::LogResponse* response) {
  std::vector<merch::v1::LogMessage> stream;
  merch::v1::LogMessage message;
  while (reader->Read(&message)) stream.push_back(message);
  std::unique_lock lock(mutex_);
  ++streams_;
  while (hold_ && !context->IsCancelled()) {
    changed_.wait_for(lock, std::chrono::milliseconds(10));  // IsCancelled has no notification
  }
  if (context->IsCancelled()) return {grpc::StatusCode::CANCELLED, "cancelled"};
  if (failing_) return {grpc::StatusCode::UNAVAILABLE, "Kafka is unreachable"};
  received_.insert(received_.end(), stream.begin(), stream.end());
  response->set_success(true);
  response->set_accepted(static_cast<std::int64_t>(stream.size()));
  return grpc::Status::OK;
}

void FakeLoggingService::SetFailing(bool failing) {
  std::lock_guard lock(mutex_);
  failing_ = failing;
}

void FakeLoggingService::SetHold(bool hold) {
  std::lock_guard lock(mutex_);
  hold_ = hold;
  changed_.notify_all();
}

int FakeLoggingService::Streams() const {
  std::lock_guard lock(mutex_);
  return streams_;
}

std::vector<merch::v1::LogMessage> FakeLoggingService::Received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

}  // namespace merch::testing
