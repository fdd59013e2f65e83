// merch-db: reads config, applies migrations, builds the object graph and serves gRPC until
// SIGINT or SIGTERM. `merch-db --migrate` only applies the migrations and exits (the
// Kubernetes migrations Job, deploy/k8s/base/migrations-job.yaml).
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string_view>

#include "config.hpp"
#include "grpc/db_service.hpp"
#include "merch/common/grpc_channel.hpp"
#include "merch/common/grpc_runtime.hpp"
#include "merch/common/grpc_server.hpp"
#include "merch/common/grpc_tls.hpp"
#include "merch/logship/log_shipper.hpp"
#include "merch/logship/shipper_sink.hpp"
#include "merch/metrics/metrics_server.hpp"
#include "metrics/db_metrics.hpp"
#include "outbox/outbox_relay.hpp"
#include "repository/connection.hpp"
#include "repository/migrations.hpp"

int main(int argc, char** argv) {
  const bool migrate_only = argc == 2 && std::string_view(argv[1]) == "--migrate";
  if (argc > 1 && !migrate_only) {
    std::fprintf(stderr, "usage: merch-db [--migrate]\n");
    return 2;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("merch-db"));
  using namespace merch;
  ConfigureGrpcRuntime();
  using namespace merch::db;

  auto config = LoadDbServiceConfig(Env::FromProcess());
  if (!config) {
    spdlog::critical("merch-db: bad configuration: {}", config.error().detail);
    return 2;
  }

  // Mutual TLS: serves only the api, and calls the logging service (README, "Security model").
  auto tls = TlsIdentityFromEnv(Env::FromProcess(), "db");
  if (!tls) {
    spdlog::critical("merch-db: bad configuration: {}", tls.error().detail);
    return 2;
  }

  // The service's own start-up and error lines also go to Kafka through the logging service.
  // The sink is removed before the shipper goes away (stop_shipping, on every way out).
  const auto logging_credentials = MutualTlsChannelCredentials(*tls);
  logship::LogShipper shipper({.target = config->logging_service_addr,
                               .credentials = logging_credentials,
                               .service_name = "merch-db"});
  spdlog::default_logger()->sinks().push_back(std::make_shared<logship::ShipperSink>(shipper));
  const auto stop_shipping = [&] {
    spdlog::default_logger()->sinks().pop_back();
    shipper.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  };

  // Termination signals are taken by sigwait below only; block them before threads start.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    auto connection = ConnectWithRetry(config->database_url, config->startup_timeout);
    auto applied = ApplyMigrations(*connection, BundledMigrations());
    if (!applied) {
      spdlog::critical("merch-db: migrations failed: {}", applied.error().detail);
      stop_shipping();
      return 1;
    }
    spdlog::info("database schema up to date ({} migrations applied now)", *applied);
    if (migrate_only) {
      stop_shipping();
      return 0;
    }
  } catch (const std::exception& e) {
    spdlog::critical("merch-db: cannot prepare the database: {}", e.what());
    stop_shipping();
    return 1;
  }

  ConnectionPool pool(config->pool_size,
                      [url = config->database_url, timeout = config->statement_timeout] {
                        return OpenConnection(url, timeout);
                      });
  // Ships the domain events that the repositories write to the outbox (README, "Log events"),
  // woken after each commit of a write.
  OutboxRelay relay(
      {.database_url = config->database_url, .statement_timeout = config->statement_timeout},
      MakeServiceChannel(config->logging_service_addr, logging_credentials, "logging"));
  Database database(pool, [&relay] { relay.Wake(); });
  UserRepository users(database);
  ProductRepository products(database);
  OrderRepository orders(database);
  const auth::JwtCodec tokens(config->jwt_secret);
  DbService service(users, products, orders, tokens, config->request_timeout);
  DbMetrics service_metrics(pool, shipper, relay);
  std::unique_ptr<metrics::MetricsServer> metrics_server;
  if (config->metrics_port != 0) {
    auto started = metrics::MetricsServer::Start(config->host, config->metrics_port);
    if (!started) {
      spdlog::critical("merch-db: {}", started.error().detail);
      stop_shipping();
      return 1;
    }
    metrics_server = std::move(*started);
    for (const auto& collectable : service_metrics.Collectables()) metrics_server->Add(collectable);
  }

  const std::string address = config->host + ":" + std::to_string(config->port);
  auto server = StartGrpcServer(
      {.address = address,
       .credentials = MutualTlsServerCredentials(*tls, {"api"}),
       .health_address = HealthAddress(config->health_port),
       .max_threads = config->max_concurrent_calls,
       .interceptors = [&service_metrics] { return service_metrics.Interceptors(); }},
      {&service});
  if (!server) {
    spdlog::critical("merch-db: {}", server.error().detail);
    stop_shipping();
    return 1;
  }
  relay.Start();
  spdlog::info("merch-db serving on {} (pool size {})", address, config->pool_size);
  if (metrics_server) {
    spdlog::info("merch-db metrics on http://{}:{}/metrics", config->host, metrics_server->Port());
  }

  int received = 0;
  sigwait(&stop_signals, &received);
  spdlog::info("merch-db: signal {} received, shutting down", received);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  // What the relay has not shipped stays in the outbox for the next start (or another replica).
  relay.Stop();
  spdlog::info("merch-db stopped");
  stop_shipping();
  return 0;
}
