#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "merch/common/config.hpp"

namespace merch::api {

struct ApiConfig {
  std::string host;                          // API_HOST, default 0.0.0.0
  std::uint16_t port = 0;                    // API_PORT, default 8081
  int threads = 0;                           // API_THREADS: request-serving threads, default 1
  std::string replica_name;                  // API_REPLICA_NAME, in logs; default api-<port>
  std::string db_service_addr;               // DB_SERVICE_ADDR, default 127.0.0.1:50051
  std::string logging_service_addr;          // LOGGING_SERVICE_ADDR, default 127.0.0.1:50052
  std::string jwt_secret;                    // JWT_SECRET, required, at least 32 bytes
  std::chrono::milliseconds db_timeout{};    // DB_CALL_TIMEOUT_MS: deadline of each db call
  std::size_t hash_threads = 0;              // HASH_THREADS: argon2id workers, default 2
  std::size_t hash_queue = 0;                // HASH_QUEUE: waiting hash jobs, default 64
  std::chrono::milliseconds idle_timeout{};  // HTTP_IDLE_TIMEOUT_MS: keep-alive and slow clients
};

// Reads and validates the configuration; the error names the offending variable.
Result<ApiConfig> LoadApiConfig(const Env& env);

}  // namespace merch::api
