#pragma once

#include <string_view>

#include "merch/common/error.hpp"
#include "repository/database.hpp"
#include "repository/records.hpp"

namespace merch::db {

// Users: registration, credentials for login, the caller check, updates and deactivation.
// Inputs are assumed valid (the gRPC layer validates); the database constraints back that up.
// Thread-safe.
class UserRepository {
 public:
  explicit UserRepository(Database& database) : database_(database) {}

  // Register, Update and Deactivate add their domain event (repository/outbox.hpp), with
  // `trace_id`, to the outbox in the change's own transaction.

  // kAlreadyExists naming the first taken field (sid, username, email).
  Result<UserRecord> Register(Deadline deadline, const NewUser& user, std::string_view trace_id);
  // kNotFound when no user has that username (ignoring case) or sid. Inactive users are
  // returned too: the caller decides.
  Result<Credentials> FindCredentialsByUsername(Deadline deadline, std::string_view username);
  Result<Credentials> FindCredentialsBySid(Deadline deadline, std::string_view sid);
  Result<UserRecord> CheckCaller(Deadline deadline, const Caller& caller);
  Result<UserRecord> Update(Deadline deadline, const Caller& caller, const UserChanges& changes,
                            std::string_view trace_id);
  Result<UserRecord> Deactivate(Deadline deadline, const Caller& caller, std::string_view trace_id);

 private:
  Database& database_;
};

}  // namespace merch::db
