#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "merch/common/config.hpp"

namespace merch::db {

struct DbServiceConfig {
  std::string host;                               // DB_SERVICE_HOST, default 0.0.0.0
  std::uint16_t port = 0;                         // DB_SERVICE_PORT, default 50051
  std::string database_url;                       // DATABASE_URL
  std::size_t pool_size = 0;                      // DB_POOL_SIZE, 1..500, default 16
  int max_concurrent_calls = 0;                   // DB_MAX_CONCURRENT_CALLS, default 256
  std::chrono::milliseconds request_timeout{};    // DB_REQUEST_TIMEOUT_MS: calls with no deadline
  std::chrono::milliseconds statement_timeout{};  // DB_STATEMENT_TIMEOUT_MS
  std::chrono::milliseconds startup_timeout{};    // DB_STARTUP_TIMEOUT_MS: wait for PostgreSQL
  std::string logging_service_addr;               // LOGGING_SERVICE_ADDR, default 127.0.0.1:50052
  // JWT_SECRET (required, the api's): verifies the users' tokens the api forwards.
  std::string jwt_secret;
  // DB_METRICS_PORT: /metrics on DB_SERVICE_HOST; 0 (the default) serves none, so that test
  // instances never compete for a fixed port. The stack, compose and Kubernetes set it.
  std::uint16_t metrics_port = 0;
  // DB_HEALTH_PORT: plaintext grpc.health.v1 only, on 127.0.0.1, for probes run inside the
  // container (compose, Kubernetes); 0 (the default) serves none.
  std::uint16_t health_port = 0;
};

inline constexpr const char* kDefaultDatabaseUrl = "postgresql://postgres@127.0.0.1:15432/merch";

// Reads and validates the configuration; the error names the offending variable.
Result<DbServiceConfig> LoadDbServiceConfig(const Env& env);

}  // namespace merch::db
