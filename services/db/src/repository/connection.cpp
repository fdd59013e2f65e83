#include "repository/connection.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/except>
#include <thread>

#include "repository/statements.hpp"

namespace merch::db {

std::unique_ptr<pqxx::connection> OpenConnection(const std::string& url,
                                                 std::chrono::milliseconds statement_timeout) {
  auto connection = std::make_unique<pqxx::connection>(url);
  connection->set_variable("statement_timeout", std::to_string(statement_timeout.count()));
  statements::PrepareStatements(*connection);
  return connection;
}

std::unique_ptr<pqxx::connection> ConnectWithRetry(const std::string& url,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(50);
  while (true) {
    try {
      return std::make_unique<pqxx::connection>(url);
    } catch (const pqxx::broken_connection& e) {
      if (std::chrono::steady_clock::now() + backoff > deadline) throw;
      spdlog::info("waiting for PostgreSQL: {}", e.what());
      std::this_thread::sleep_for(backoff);  // backoff between attempts, not synchronisation
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
  }
}

}  // namespace merch::db
