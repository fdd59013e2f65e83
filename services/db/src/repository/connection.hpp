#pragma once

#include <chrono>
#include <memory>
#include <pqxx/connection>
#include <string>

namespace merch::db {

// Opens a connection ready for the repositories: statement timeout set and every statement
// of statements.hpp prepared. Throws pqxx::broken_connection when PostgreSQL is unreachable.
std::unique_ptr<pqxx::connection> OpenConnection(const std::string& url,
                                                 std::chrono::milliseconds statement_timeout);

// Opens a plain connection, retrying while PostgreSQL is not yet reachable (as when the whole
// stack starts at once) until `timeout` has passed; then rethrows the last failure.
std::unique_ptr<pqxx::connection> ConnectWithRetry(const std::string& url,
                                                   std::chrono::milliseconds timeout);

}  // namespace merch::db
