#pragma once

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <cstdint>
#include <memory>
#include <string>

#include "merch/common/error.hpp"

namespace merch::metrics {

// Serves GET /metrics (the Prometheus text format) on its own port, beside a gRPC service,
// from a civetweb thread of prometheus-cpp. The collectables must outlive the server.
class MetricsServer {
 public:
  // kUnavailable when `host:port` cannot be bound. Port 0 picks a free port (see port()).
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& host, std::uint16_t port);

  void Add(const std::shared_ptr<prometheus::Collectable>& collectable);
  int Port() const { return port_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, int port)
      : exposer_(std::move(exposer)), port_(port) {}

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

}  // namespace merch::metrics
