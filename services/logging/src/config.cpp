#include "config.hpp"

namespace merch::logging {

Result<LoggingServiceConfig> LoadLoggingServiceConfig(const Env& env) {
  auto host = env.String("LOGGING_SERVICE_HOST", "0.0.0.0");
  if (!host) return host.error();
  auto port = env.Port("LOGGING_SERVICE_PORT", 50052);
  if (!port) return port.error();
  auto brokers = env.String("KAFKA_BROKERS", "127.0.0.1:9092");
  if (!brokers) return brokers.error();
  auto topic = env.String("KAFKA_TOPIC", "log-channel");
  if (!topic) return topic.error();
  if (topic->size() > 249 ||
      topic->find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
          std::string::npos) {
    return Error{ErrorCode::kInvalidArgument,
                 "KAFKA_TOPIC must be 1..249 of [A-Za-z0-9._-], got '" + *topic + "'"};
  }
  auto timeout = env.Integer("LOGGING_DELIVERY_TIMEOUT_MS", 10000, 100, 600000);
  if (!timeout) return timeout.error();
  auto metrics_port = env.Integer("LOGGING_METRICS_PORT", 0, 0, 65535);
  if (!metrics_port) return metrics_port.error();
  if (*metrics_port != 0 && *metrics_port == *port) {
    return Error{ErrorCode::kInvalidArgument,
                 "LOGGING_METRICS_PORT must differ from LOGGING_SERVICE_PORT"};
  }
  auto health_port = env.Integer("LOGGING_HEALTH_PORT", 0, 0, 65535);
  if (!health_port) return health_port.error();
  return LoggingServiceConfig{
      .host = *host,
      .port = *port,
      .kafka_brokers = *brokers,
      .kafka_topic = *topic,
      .delivery_timeout = std::chrono::milliseconds(*timeout),
      .metrics_port = static_cast<std::uint16_t>(*metrics_port),
      .health_port = static_cast<std::uint16_t>(*health_port),
  };
}

}  // namespace merch::logging
