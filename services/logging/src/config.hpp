#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "merch/common/config.hpp"

namespace merch::logging {

struct LoggingServiceConfig {
  std::string host;                              // LOGGING_SERVICE_HOST, default 0.0.0.0
  std::uint16_t port = 0;                        // LOGGING_SERVICE_PORT, default 50052
  std::string kafka_brokers;                     // KAFKA_BROKERS, default 127.0.0.1:9092
  std::string kafka_topic;                       // KAFKA_TOPIC, default log-channel
  std::chrono::milliseconds delivery_timeout{};  // LOGGING_DELIVERY_TIMEOUT_MS, default 10000
  // LOGGING_METRICS_PORT: /metrics on LOGGING_SERVICE_HOST; 0 (the default) serves none, so
  // that test instances never compete for a fixed port. The stack, compose and Kubernetes set it.
  std::uint16_t metrics_port = 0;
  // LOGGING_HEALTH_PORT: plaintext grpc.health.v1 only, on 127.0.0.1, for probes run inside the
  // container (compose, Kubernetes); 0 (the default) serves none.
  std::uint16_t health_port = 0;
};

// Reads and validates the configuration; the error names the offending variable.
Result<LoggingServiceConfig> LoadLoggingServiceConfig(const Env& env);

}  // namespace merch::logging
