#include "merch/metrics/metrics_server.hpp"

#include <exception>

namespace merch::metrics {

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& host,
                                                            std::uint16_t port) {
  const std::string address = host + ":" + std::to_string(port);
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // One thread: a scrape every few seconds needs no more.
    exposer = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return Error{ErrorCode::kUnavailable, "cannot serve /metrics on " + address + ": " + e.what()};
  }
  const auto ports = exposer->GetListeningPorts();
  if (ports.empty()) return Error{ErrorCode::kUnavailable, "cannot serve /metrics on " + address};
  const int bound = ports.front();
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(exposer), bound));
}

void MetricsServer::Add(const std::shared_ptr<prometheus::Collectable>& collectable) {
  exposer_->RegisterCollectable(collectable);
}

}  // namespace merch::metrics
