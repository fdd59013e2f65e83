#include "config.hpp"

#include "merch/auth/jwt.hpp"

namespace merch::db {

Result<DbServiceConfig> LoadDbServiceConfig(const Env& env) {
  auto host = env.String("DB_SERVICE_HOST", "0.0.0.0");
  if (!host) return host.error();
  auto port = env.Port("DB_SERVICE_PORT", 50051);
  if (!port) return port.error();
  auto url = env.String("DATABASE_URL", kDefaultDatabaseUrl);
  if (!url) return url.error();
  if (!url->starts_with("postgresql://") && !url->starts_with("postgres://")) {
    // Not the value: a URL may hold a password.
    return Error{ErrorCode::kInvalidArgument, "DATABASE_URL must be a postgresql:// URL"};
  }
  auto pool_size = env.Integer("DB_POOL_SIZE", 16, 1, 500);
  if (!pool_size) return pool_size.error();
  auto max_calls = env.Integer("DB_MAX_CONCURRENT_CALLS", 256, 1, 10000);
  if (!max_calls) return max_calls.error();
  auto request_timeout = env.Integer("DB_REQUEST_TIMEOUT_MS", 5000, 1, 600000);
  if (!request_timeout) return request_timeout.error();
  auto statement_timeout = env.Integer("DB_STATEMENT_TIMEOUT_MS", 5000, 1, 600000);
  if (!statement_timeout) return statement_timeout.error();
  auto startup_timeout = env.Integer("DB_STARTUP_TIMEOUT_MS", 30000, 0, 600000);
  if (!startup_timeout) return startup_timeout.error();
  auto logging = env.String("LOGGING_SERVICE_ADDR", "127.0.0.1:50052");
  if (!logging) return logging.error();
  auto secret = auth::SecretFromEnv(env);
  if (!secret) return secret.error();
  auto metrics_port = env.Integer("DB_METRICS_PORT", 0, 0, 65535);
  if (!metrics_port) return metrics_port.error();
  if (*metrics_port != 0 && *metrics_port == *port) {
    return Error{ErrorCode::kInvalidArgument, "DB_METRICS_PORT must differ from DB_SERVICE_PORT"};
  }
  auto health_port = env.Integer("DB_HEALTH_PORT", 0, 0, 65535);
  if (!health_port) return health_port.error();
  return DbServiceConfig{
      .host = *host,
      .port = *port,
      .database_url = *url,
      .pool_size = static_cast<std::size_t>(*pool_size),
      .max_concurrent_calls = static_cast<int>(*max_calls),
      .request_timeout = std::chrono::milliseconds(*request_timeout),
      .statement_timeout = std::chrono::milliseconds(*statement_timeout),
      .startup_timeout = std::chrono::milliseconds(*startup_timeout),
      .logging_service_addr = *logging,
      .jwt_secret = *secret,
      .metrics_port = static_cast<std::uint16_t>(*metrics_port),
      .health_port = static_cast<std::uint16_t>(*health_port),
  };
}

}  // namespace merch::db
