#pragma once

#include <chrono>
#include <memory>
#include <pqxx/connection>
#include <string>

namespace merch::db {

// `url` with libpq's TCP keepalive and tcp_user_timeout settings added (those it lacks), so a
// connection to a PostgreSQL that vanished without a reset fails within seconds. Every
// connection the service opens goes through it.
std::string WithTcpTimeouts(const std::string& url);

// Opens a connection ready for the repositories: statement timeout set and every statement
// of statements.hpp prepared. Throws pqxx::broken_connection when PostgreSQL is unreachable.
std::unique_ptr<pqxx::connection> OpenConnection(const std::string& url,
                                                 std::chrono::milliseconds statement_timeout);

// Opens a plain connection, retrying while PostgreSQL is not yet reachable (as when the whole
// stack starts at once) until `timeout` has passed; then rethrows the last failure.
std::unique_ptr<pqxx::connection> ConnectWithRetry(const std::string& url,
                                                   std::chrono::milliseconds timeout);

}  // namespace merch::db
