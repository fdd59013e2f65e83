// merch-logging: reads config, connects the Kafka producer, and serves StreamLogs until
// SIGINT or SIGTERM; then flushes what the producer still holds.
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>

#include "config.hpp"
#include "grpc/health_reporter.hpp"
#include "grpc/logging_service.hpp"
#include "merch/common/grpc_runtime.hpp"
#include "merch/common/grpc_server.hpp"
#include "merch/common/grpc_tls.hpp"
#include "merch/metrics/metrics_server.hpp"
#include "metrics/logging_metrics.hpp"
#include "publisher/kafka_publisher.hpp"

int main() {
  using namespace merch;
  using namespace merch::logging;
  ConfigureGrpcRuntime();
  spdlog::set_default_logger(spdlog::stderr_color_mt("merch-logging"));

  auto config = LoadLoggingServiceConfig(Env::FromProcess());
  if (!config) {
    spdlog::critical("merch-logging: bad configuration: {}", config.error().detail);
    return 2;
  }

  // Mutual TLS: the api and the db service may stream events (README, "Security model").
  auto tls = TlsIdentityFromEnv(Env::FromProcess(), "logging");
  if (!tls) {
    spdlog::critical("merch-logging: bad configuration: {}", tls.error().detail);
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
  LoggingMetrics service_metrics;
  const auto metered = service_metrics.Metered(**publisher);
  LoggingService service(*metered);
  std::unique_ptr<metrics::MetricsServer> metrics_server;
  if (config->metrics_port != 0) {
    auto started = metrics::MetricsServer::Start(config->host, config->metrics_port);
    if (!started) {
      spdlog::critical("merch-logging: {}", started.error().detail);
      return 1;
    }
    metrics_server = std::move(*started);
    for (const auto& collectable : service_metrics.Collectables()) metrics_server->Add(collectable);
  }

  const std::string address = config->host + ":" + std::to_string(config->port);
  auto server = StartGrpcServer(
      {.address = address,
       .credentials = MutualTlsServerCredentials(*tls, {"api", "db"}),
       .health_address = HealthAddress(config->health_port),
       .interceptors = [&service_metrics] { return service_metrics.Interceptors(); }},
      {&service});
  if (!server) {
    spdlog::critical("merch-logging: {}", server.error().detail);
    return 1;
  }
  health.Attach(&*server);
  spdlog::info("merch-logging serving on {}, publishing to {} at {}", address, config->kafka_topic,
               config->kafka_brokers);
  if (metrics_server) {
    spdlog::info("merch-logging metrics on http://{}:{}/metrics", config->host,
                 metrics_server->Port());
  }

  int received = 0;
  sigwait(&stop_signals, &received);
  spdlog::info("merch-logging: signal {} received, shutting down", received);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  health.Attach(nullptr);
  metrics_server.reset();  // its scrapes sample the publisher
  publisher->reset();      // flushes the producer
  return 0;
}
