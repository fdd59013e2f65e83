// merch-logging: reads config, connects the Kafka producer, and serves StreamLogs until
// SIGINT or SIGTERM; then flushes what the producer still holds.
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>

#include "config.hpp"
#include "grpc/health_reporter.hpp"
#include "grpc/logging_service.hpp"
#include "merch/common/grpc_server.hpp"
#include "publisher/kafka_publisher.hpp"

int main() {
  using namespace merch;
  using namespace merch::logging;
  spdlog::set_default_logger(spdlog::stderr_color_mt("merch-logging"));

  auto config = LoadLoggingServiceConfig(Env::FromProcess());
  if (!config) {
    spdlog::critical("merch-logging: bad configuration: {}", config.error().detail);
    return 2;
  }

  // Termination signals are taken by sigwait below only; block them before threads start.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  HealthReporter health;
  auto publisher = KafkaPublisher::Create(
      {.brokers = config->kafka_brokers,
       .topic = config->kafka_topic,
       // Bounds how long a stream waits for its acknowledgements.
       .message_timeout = config->delivery_timeout,
       .on_health_change = [&health](bool healthy) { health.Report(healthy); }});
  if (!publisher) {
    spdlog::critical("merch-logging: {}", publisher.error().detail);
    return 2;
  }
  LoggingService service(**publisher);

  const std::string address = config->host + ":" + std::to_string(config->port);
  auto server = StartGrpcServer({.address = address}, {&service});
  if (!server) {
    spdlog::critical("merch-logging: {}", server.error().detail);
    return 1;
  }
  health.Attach(server->server.get());
  spdlog::info("merch-logging serving on {}, publishing to {} at {}", address, config->kafka_topic,
               config->kafka_brokers);

  int received = 0;
  sigwait(&stop_signals, &received);
  spdlog::info("merch-logging: signal {} received, shutting down", received);
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  health.Attach(nullptr);
  publisher->reset();  // flushes the producer
  return 0;
}
