#include "repository/caller.hpp"

#include "repository/statements.hpp"

namespace merch::db {

Result<UserRecord> VerifyCaller(pqxx::transaction_base& transaction, const Caller& caller) {
  const auto rows = statements::Exec(transaction, statements::kSelectCaller, caller.user_id);
  if (rows.empty()) return Error{ErrorCode::kUnauthenticated, "the token's user does not exist"};
  const auto& row = rows[0];
  UserRecord user = statements::ReadUser(row);
  if (!user.is_active) return Error{ErrorCode::kUnauthenticated, "the account is deactivated"};
  // A versioned token is exact; one without a version is refused when issued before the
  // second of the last password change.
  const bool revoked = caller.token_version > 0
                           ? row["token_version"].as<std::int64_t>() != caller.token_version
                           : caller.issued_at < row["password_changed_s"].as<std::int64_t>();
  if (revoked) {
    return Error{ErrorCode::kUnauthenticated, "the token was revoked by a password change"};
  }
  return user;
}

}  // namespace merch::db
