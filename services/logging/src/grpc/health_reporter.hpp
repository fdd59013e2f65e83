#pragma once

#include <mutex>

#include "merch/common/grpc_server.hpp"

namespace merch::logging {

// Mirrors the broker's reachability onto the gRPC servers' health service (NOT_SERVING while
// Kafka is unreachable). Reports may start before the server exists, so the last one is kept
// and applied on Attach. Thread-safe.
class HealthReporter {
 public:
  void Report(bool healthy) {
    std::lock_guard lock(mutex_);
    healthy_ = healthy;
    if (server_ != nullptr) server_->SetServing(healthy_);
  }
  // `server` (nullptr to detach) must stay alive until detached.
  void Attach(const RunningGrpcServer* server) {
    std::lock_guard lock(mutex_);
    server_ = server;
    if (server_ != nullptr) server_->SetServing(healthy_);
  }

 private:
  std::mutex mutex_;
  const RunningGrpcServer* server_ = nullptr;  // guarded by mutex_
  bool healthy_ = false;            // guarded by mutex_
};

}  // namespace merch::logging
