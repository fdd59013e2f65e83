#include "repository/database.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace merch::db {
namespace {

constexpr const char* kQueryCanceled = "57014";
constexpr const char* kUniqueViolation = "23505";
constexpr const char* kSerializationFailure = "40001";
constexpr const char* kDeadlockDetected = "40P01";

}  // namespace

Database::Failure Database::Classify(Error& error) {
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    spdlog::error("database commit outcome unknown: {}", e.what());
    error = OutcomeUnknown();
    return Failure::kOutcomeUnknown;
  } catch (const pqxx::broken_connection& e) {
    spdlog::warn("database connection lost: {}", e.what());
    error = {ErrorCode::kUnavailable, "the database is unavailable"};
    return Failure::kConnectionLost;
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    if (state == kQueryCanceled) {
      error = {ErrorCode::kDeadlineExceeded, "the database did not answer in time"};
    } else if (state == kUniqueViolation) {
      // Reached only when a concurrent request took the value after our own check.
      error = {ErrorCode::kAlreadyExists, "a unique value is already taken"};
    } else if (state == kSerializationFailure || state == kDeadlockDetected) {
      error = {ErrorCode::kUnavailable, "the database is busy; retry the request"};
    } else {
      spdlog::error("database error {}: {}", state, e.what());
    }
  } catch (const std::exception& e) {
    spdlog::error("database work failed: {}", e.what());
  }
  return Failure::kStatement;
}

}  // namespace merch::db
