#pragma once

#include <pqxx/transaction_base>

#include "merch/common/error.hpp"
#include "repository/records.hpp"

namespace merch::db {

// The per-request token check, run inside the request's own transaction: the caller's user
// exists, is active, and the token carries the user's current token version (so a token
// issued before the last password change is refused). Returns the user, or kUnauthenticated.
Result<UserRecord> VerifyCaller(pqxx::transaction_base& transaction, const Caller& caller);

}  // namespace merch::db
