#include "repository/user_repository.hpp"

#include <string>

#include "repository/caller.hpp"
#include "repository/outbox.hpp"
#include "repository/statements.hpp"

namespace merch::db {
namespace {

const char* NullableText(const std::optional<std::string>& value) {
  return value ? value->c_str() : nullptr;
}

// Names the first of sid, username, email that a user other than `self_id` holds.
Result<void> CheckTakenFields(pqxx::transaction_base& transaction, const char* sid,
                              const char* username, const char* email, std::int64_t self_id) {
  const auto row = statements::Exec(transaction, statements::kFindTakenUserFields, sid, username,
                                    email, self_id)[0];
  for (auto [column, field] : {std::pair{0, "sid"}, {1, "username"}, {2, "email"}}) {
    if (row[column].as<bool>()) {
      return Error{ErrorCode::kAlreadyExists, std::string(field) + " is already taken"};
    }
  }
  return {};
}

// Why a change that found the caller valid then matched no row: a change of the same user
// committed meanwhile (kUpdateUser) and revoked the token.
Error TokenRevokedMeanwhile(pqxx::transaction_base& transaction, const Caller& caller) {
  auto user = VerifyCaller(transaction, caller);
  return user ? Error{ErrorCode::kUnauthenticated, "the token was revoked"} : user.error();
}

Credentials ReadCredentials(const pqxx::row& row) {
  return Credentials{
      .user = statements::ReadUser(row),
      .password_hash = row["password_hash"].as<std::string>(),
      .token_version = row["token_version"].as<std::int64_t>(),
  };
}

}  // namespace

Result<UserRecord> UserRepository::Register(Deadline deadline, const NewUser& user,
                                            std::string_view trace_id) {
  return database_.Write(deadline, [&](pqxx::transaction_base& transaction) -> Result<UserRecord> {
    const auto inserted = statements::Exec(transaction, statements::kInsertUser, user.sid,
                                           user.username, user.email, user.password_hash);
    if (!inserted.empty()) {
      auto registered = statements::ReadUser(inserted[0]);
      AppendToOutbox(transaction, trace_id, UserRegistered(registered));
      return registered;
    }
    auto taken = CheckTakenFields(transaction, user.sid.c_str(), user.username.c_str(),
                                  user.email.c_str(), 0);
    if (!taken) return taken.error();
    // ON CONFLICT matched a unique index, so one of the fields must be taken.
    return Error{ErrorCode::kAlreadyExists, "the user already exists"};
  });
}

Result<Credentials> UserRepository::FindCredentialsByUsername(Deadline deadline,
                                                              std::string_view username) {
  return database_.Read(deadline, [&](pqxx::transaction_base& transaction) -> Result<Credentials> {
    const auto rows = statements::Exec(transaction, statements::kSelectCredentialsByUsername,
                                       std::string(username));
    if (rows.empty()) return Error{ErrorCode::kNotFound, "no user has that username"};
    return ReadCredentials(rows[0]);
  });
}

Result<Credentials> UserRepository::FindCredentialsBySid(Deadline deadline, std::string_view sid) {
  return database_.Read(deadline, [&](pqxx::transaction_base& transaction) -> Result<Credentials> {
    const auto rows =
        statements::Exec(transaction, statements::kSelectCredentialsBySid, std::string(sid));
    if (rows.empty()) return Error{ErrorCode::kNotFound, "no user has that sid"};
    return ReadCredentials(rows[0]);
  });
}

Result<UserRecord> UserRepository::CheckCaller(Deadline deadline, const Caller& caller) {
  return database_.Read(deadline, [&](pqxx::transaction_base& transaction) {
    return VerifyCaller(transaction, caller);
  });
}

Result<UserRecord> UserRepository::Update(Deadline deadline, const Caller& caller,
                                          const UserChanges& changes, std::string_view trace_id) {
  return database_.Write(deadline, [&](pqxx::transaction_base& transaction) -> Result<UserRecord> {
    auto current = VerifyCaller(transaction, caller);
    if (!current) return current.error();
    auto taken = CheckTakenFields(transaction, nullptr, NullableText(changes.username),
                                  NullableText(changes.email), caller.user_id);
    if (!taken) return taken.error();
    const auto updated = statements::Exec(
        transaction, statements::kUpdateUser, caller.user_id, NullableText(changes.username),
        NullableText(changes.email), NullableText(changes.password_hash), caller.token_version,
        caller.issued_at);
    if (updated.empty()) return TokenRevokedMeanwhile(transaction, caller);
    AppendToOutbox(transaction, trace_id, UserUpdated(caller.user_id, changes));
    return statements::ReadUser(updated[0]);
  });
}

Result<UserRecord> UserRepository::Deactivate(Deadline deadline, const Caller& caller,
                                              std::string_view trace_id) {
  return database_.Write(deadline, [&](pqxx::transaction_base& transaction) -> Result<UserRecord> {
    auto current = VerifyCaller(transaction, caller);
    if (!current) return current.error();
    const auto deactivated =
        statements::Exec(transaction, statements::kDeactivateUser, caller.user_id,
                         caller.token_version, caller.issued_at);
    if (deactivated.empty()) return TokenRevokedMeanwhile(transaction, caller);
    AppendToOutbox(transaction, trace_id, UserDeactivated(caller.user_id));
    return statements::ReadUser(deactivated[0]);
  });
}

}  // namespace merch::db
