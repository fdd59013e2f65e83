#pragma once

#include <pqxx/transaction_base>

#include "merch/common/error.hpp"
#include "repository/records.hpp"

namespace merch::db {

// The per-request token check, run inside the request's own transaction: the caller's user
// exists, is active, and the token is not older than the user's last password change: its
// version is the user's current one, or, for a token without a version, it was issued no
// earlier than the second of that change. Returns the user, or kUnauthenticated.
Result<UserRecord> VerifyCaller(pqxx::transaction_base& transaction, const Caller& caller);

}  // namespace merch::db
