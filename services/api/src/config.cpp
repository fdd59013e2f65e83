#include "config.hpp"

#include "merch/auth/jwt.hpp"

namespace merch::api {

Result<ApiConfig> LoadApiConfig(const Env& env) {
  auto host = env.String("API_HOST", "0.0.0.0");
  if (!host) return host.error();
  auto port = env.Port("API_PORT", 8081);
  if (!port) return port.error();
  auto threads = env.Integer("API_THREADS", 1, 1, 64);
  if (!threads) return threads.error();
  auto replica = env.String("API_REPLICA_NAME", "api-" + std::to_string(*port));
  if (!replica) return replica.error();
  auto db = env.String("DB_SERVICE_ADDR", "127.0.0.1:50051");
  if (!db) return db.error();
  auto logging = env.String("LOGGING_SERVICE_ADDR", "127.0.0.1:50052");
  if (!logging) return logging.error();
  auto secret = auth::SecretFromEnv(env);
  if (!secret) return secret.error();
  auto db_timeout = env.Integer("DB_CALL_TIMEOUT_MS", 3000, 10, 60000);
  if (!db_timeout) return db_timeout.error();
  auto hash_threads = env.Integer("HASH_THREADS", 2, 1, 64);
  if (!hash_threads) return hash_threads.error();
  auto hash_queue = env.Integer("HASH_QUEUE", 64, 1, 100000);
  if (!hash_queue) return hash_queue.error();
  auto idle = env.Integer("HTTP_IDLE_TIMEOUT_MS", 30000, 100, 3600000);
  if (!idle) return idle.error();
  return ApiConfig{
      .host = *host,
      .port = *port,
      .threads = static_cast<int>(*threads),
      .replica_name = *replica,
      .db_service_addr = *db,
      .logging_service_addr = *logging,
      .jwt_secret = *secret,
      .db_timeout = std::chrono::milliseconds(*db_timeout),
      .hash_threads = static_cast<std::size_t>(*hash_threads),
      .hash_queue = static_cast<std::size_t>(*hash_queue),
      .idle_timeout = std::chrono::milliseconds(*idle),
  };
}

}  // namespace merch::api
