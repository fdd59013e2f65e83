// merch-api: reads config, builds the object graph, serves HTTP until SIGINT or SIGTERM, then
// drains in-flight requests and flushes the log shipper.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

#include "clients/grpc_db_api.hpp"
#include "config.hpp"
#include "merch/common/grpc_channel.hpp"
#include "merch/common/grpc_runtime.hpp"
#include "merch/common/grpc_status.hpp"
#include "merch/common/grpc_tls.hpp"
#include "merch/logship/shipper_sink.hpp"
#include "openapi_document.hpp"
#include "routes/api.hpp"
#include "server/http_server.hpp"

namespace {

int Run() {
  using namespace merch;
  using namespace merch::api;
  namespace asio = boost::asio;
  spdlog::set_default_logger(spdlog::stderr_color_mt("merch-api"));

  auto config = LoadApiConfig(Env::FromProcess());
  if (!config) {
    spdlog::critical("merch-api: bad configuration: {}", config.error().detail);
    return 2;
  }

  // The service's own warnings and errors also go to Kafka; the sink is removed before the
  // shipper goes away, at the end of main.
  // Mutual TLS to the db and logging services (README, "Security model").
  auto tls = TlsIdentityFromEnv(Env::FromProcess(), "api");
  if (!tls) {
    spdlog::critical("merch-api: bad configuration: {}", tls.error().detail);
    return 2;
  }
  const auto credentials = MutualTlsChannelCredentials(*tls);
  logship::LogShipper shipper({.target = config->logging_service_addr,
                               .credentials = credentials,
                               .service_name = "merch-api"});
  spdlog::default_logger()->sinks().push_back(std::make_shared<logship::ShipperSink>(shipper));

  Metrics metrics;
  DbClient db_client(MakeServiceChannel(config->db_service_addr, credentials, "db"),
                     config->db_timeout, [&metrics](grpc::StatusCode code) {
                       metrics.CountGrpcError(std::string(GrpcCodeName(code)));
                     });
  GrpcDbApi db(db_client);
  const auth::JwtCodec jwt(config->jwt_secret);
  PasswordHasher hasher(config->hash_threads, config->hash_queue);
  EventLog events([&shipper](logship::LogEvent event) { shipper.Ship(std::move(event)); });
  Services services{.db = db,
                    .jwt = jwt,
                    .hasher = hasher,
                    .events = events,
                    .metrics = metrics,
                    .shipper = shipper,
                    .openapi = OpenApiDocument().at(0).content};
  Api api(services);

  asio::io_context io(config->threads);
  HttpServer server(
      io,
      {.host = config->host,
       .port = config->port,
       .idle_timeout = config->idle_timeout,
       .body_limit = kMaxBodyBytes,
       .header_limit = std::size_t{16} * 1024},
      {.handle = [&api](Request& request) { return api.Handle(request); },
       .reject = [&api](const Request& request,
                        http::status status) { return api.Reject(request, status); }});
  auto port = server.Start();
  if (!port) {
    spdlog::critical("merch-api: {}", port.error().detail);
    spdlog::default_logger()->sinks().pop_back();
    return 1;
  }
  spdlog::info("{} serving on {}:{} with {} threads", config->replica_name, config->host, *port,
               config->threads);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("merch-api: signal {} received, draining", signal);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await server.Drain(std::chrono::seconds(5));
          io.stop();
        },
        asio::detached);
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < config->threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();

  spdlog::info("{} stopped", config->replica_name);
  spdlog::default_logger()->sinks().pop_back();
  shipper.Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(3));
  return 0;
}

}  // namespace

// Whatever escapes Run (a bug, or a failure to start) is reported, not left to std::terminate.
int main() {
  merch::ConfigureGrpcRuntime();
  try {
    return Run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "merch-api: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "merch-api: unknown exception\n");
  }
  return 1;
}
