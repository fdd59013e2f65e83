#include "repository/connection.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/except>
#include <thread>

#include "repository/statements.hpp"

namespace merch::db {

std::string WithTcpTimeouts(const std::string& url) {
  // libpq's keepalives find an idle connection whose peer vanished in ~11 s, and
  // tcp_user_timeout drops one whose sent data goes unacknowledged for 10 s; by default both
  // take the kernel's hours. connect_timeout bounds a connection attempt (by default unbounded:
  // a server or proxy that accepts and never answers would hold a pool slot for ever). A
  // setting the URL already has is kept.
  std::string result = url;
  for (const std::string_view setting :
       {"keepalives=1", "keepalives_idle=5", "keepalives_interval=2", "keepalives_count=3",
        "tcp_user_timeout=10000", "connect_timeout=5"}) {
    const std::string_view name = setting.substr(0, setting.find('=') + 1);
    if (result.find(std::string("?") + std::string(name)) != std::string::npos ||
        result.find(std::string("&") + std::string(name)) != std::string::npos) {
      continue;
    }
    result += result.find('?') == std::string::npos ? '?' : '&';
    result += setting;
  }
  return result;
}

std::unique_ptr<pqxx::connection> OpenConnection(const std::string& url,
                                                 std::chrono::milliseconds statement_timeout) {
  auto connection = std::make_unique<pqxx::connection>(WithTcpTimeouts(url));
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
      return std::make_unique<pqxx::connection>(WithTcpTimeouts(url));
    } catch (const pqxx::broken_connection& e) {
      if (std::chrono::steady_clock::now() + backoff > deadline) throw;
      spdlog::info("waiting for PostgreSQL: {}", e.what());
      std::this_thread::sleep_for(backoff);  // backoff between attempts, not synchronisation
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
  }
}

}  // namespace merch::db
