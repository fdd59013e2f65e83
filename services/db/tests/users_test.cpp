#include <gtest/gtest.h>

#include <pqxx/transaction>
#include <string>
#include <thread>
#include <vector>

#include "merch/testing/wait.hpp"
#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

class UsersTest : public ::testing::Test {
 protected:
  grpc::Status Register(const std::string& sid, const std::string& username,
                        const std::string& email, v1::User* user,
                        const std::string& hash = kFakeHash) {
    v1::RegisterUserRequest request;
    request.set_sid(sid);
    request.set_username(username);
    request.set_email(email);
    request.set_password_hash(hash);
    return harness_.Stub().RegisterUser(DbServiceHarness::Context().get(), request, user);
  }

  grpc::Status Update(const TestCaller& caller, const v1::UpdateUserRequest& changes,
                      v1::User* user) {
    return harness_.Stub().UpdateUser(DbServiceHarness::Context(caller).get(), changes, user);
  }

  grpc::Status Check(const TestCaller& caller, v1::User* user) {
    v1::CheckCallerRequest request;
    return harness_.Stub().CheckCaller(DbServiceHarness::Context(caller).get(), request, user);
  }

  grpc::Status Credentials(const v1::GetCredentialsRequest& request, v1::Credentials* response) {
    return harness_.Stub().GetCredentials(DbServiceHarness::Context().get(), request, response);
  }

  std::int64_t UsersWithSid(const std::string& sid) {
    return sql_.Count("SELECT count(*) FROM users WHERE sid = '" + sid + "'");
  }

  DbServiceHarness harness_;
  Sql sql_;
};

TEST_F(UsersTest, RegisterReturnsTheNewUser) {
  const std::string sid = UniqueSid();
  v1::User user;
  ASSERT_TRUE(Register(sid, "Name_" + sid, "Mixed.Case+" + sid + "@Example.com", &user).ok());
  EXPECT_GT(user.id(), 0);
  EXPECT_EQ(user.sid(), sid);
  EXPECT_EQ(user.username(), "Name_" + sid);
  EXPECT_EQ(user.email(), "Mixed.Case+" + sid + "@Example.com");  // stored as given
  EXPECT_TRUE(user.is_active());
  EXPECT_GT(user.created_at().seconds(), 1700000000);
  EXPECT_EQ(UsersWithSid(sid), 1);
}

TEST_F(UsersTest, RegisterNamesTheTakenField) {
  const auto existing = RegisterUser(harness_.Stub()).user;
  const std::string sid = UniqueSid();
  struct Case {
    std::string sid, username, email, field;
  };
  const std::vector<Case> cases = {
      {existing.sid(), "fresh_" + sid, sid + "@fresh.example", "sid"},
      {sid, "USER_" + existing.sid().substr(0), sid + "@fresh.example", "username"},
      {sid, "fresh_" + sid, "T" + existing.email().substr(1), "email"},
  };
  for (const auto& c : cases) {
    v1::User user;
    const auto status = Register(c.sid, c.username, c.email, &user);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << c.field;
    EXPECT_EQ(status.error_message(), c.field + " is already taken");
  }
  EXPECT_EQ(UsersWithSid(sid), 0);
}

TEST_F(UsersTest, SidIsCaseSensitive) {
  const std::string sid = "Ab" + UniqueSid();
  v1::User upper;
  v1::User lower;
  ASSERT_TRUE(Register(sid, "u1_" + sid, "u1" + sid + "@x.example", &upper).ok());
  std::string lowered = sid;
  lowered[0] = 'a';
  EXPECT_TRUE(Register(lowered, "u2_" + sid, "u2" + sid + "@x.example", &lower).ok());
}

TEST_F(UsersTest, RegisterRejectsBadInputAndWritesNothing) {
  const std::string sid = UniqueSid();
  const std::string name = "n_" + sid;
  const std::string email = sid + "@ok.example";
  struct Case {
    std::string sid, username, email, hash;
  };
  const std::vector<Case> cases = {
      {"", name, email, kFakeHash},
      {"a234567890123456", name, email, kFakeHash},
      {"has space", name, email, kFakeHash},
      {"sid-dash", name, email, kFakeHash},
      {sid, "ab", email, kFakeHash},
      {sid, std::string(51, 'a'), email, kFakeHash},
      {sid, "bad name", email, kFakeHash},
      {sid, "bad/name", email, kFakeHash},
      {sid, name, "a@b@c", kFakeHash},
      {sid, name, "@example.com", kFakeHash},
      {sid, name, "user@", kFakeHash},
      {sid, name, "no-at-sign", kFakeHash},
      {sid, name, "sp ace@example.com", kFakeHash},
      {sid, name, "tab\t@example.com", kFakeHash},
      {sid, name, "nbsp\u00a0@example.com", kFakeHash},
      {sid, name, std::string(243, 'a') + "@example.com", kFakeHash},  // 255 characters
      {sid, name, email, "plaintext-password"},
      {sid, name, email, "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"},
      {sid, name, email, ""},
  };
  for (const auto& c : cases) {
    v1::User user;
    const auto status = Register(c.sid, c.username, c.email, &user, c.hash);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.sid << " " << c.username << " " << c.email << " " << c.hash;
    EXPECT_FALSE(status.error_message().empty());
  }
  EXPECT_EQ(UsersWithSid(sid), 0);
  // The longest valid email (254 characters) is accepted.
  v1::User user;
  EXPECT_TRUE(Register(sid, name, std::string(242, 'a') + "@example.com", &user).ok());
}

TEST_F(UsersTest, CredentialsByUsernameIgnoreCaseAndBySidExactly) {
  const auto registered = RegisterUser(harness_.Stub());
  v1::GetCredentialsRequest by_username;
  std::string shouted = registered.user.username();
  for (auto& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  by_username.set_username(shouted);
  v1::Credentials credentials;
  ASSERT_TRUE(Credentials(by_username, &credentials).ok());
  EXPECT_EQ(credentials.user().id(), registered.user.id());
  EXPECT_EQ(credentials.password_hash(), kFakeHash);
  EXPECT_EQ(credentials.token_version(), 1);

  v1::GetCredentialsRequest by_sid;
  by_sid.set_sid(registered.user.sid());
  ASSERT_TRUE(Credentials(by_sid, &credentials).ok());
  EXPECT_EQ(credentials.user().id(), registered.user.id());

  by_sid.set_sid("nobody" + UniqueSid().substr(1, 8));
  EXPECT_EQ(Credentials(by_sid, &credentials).error_code(), grpc::StatusCode::NOT_FOUND);
  by_sid.set_sid("not valid!");
  EXPECT_EQ(Credentials(by_sid, &credentials).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Credentials(v1::GetCredentialsRequest{}, &credentials).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(UsersTest, CheckCallerAcceptsOnlyTheCurrentTokenVersionOfAnActiveUser) {
  const auto registered = RegisterUser(harness_.Stub());
  v1::User user;
  ASSERT_TRUE(Check(registered.caller, &user).ok());
  EXPECT_EQ(user.id(), registered.user.id());

  TestCaller stale = registered.caller;
  stale.token_version = 2;
  EXPECT_EQ(Check(stale, &user).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  TestCaller unknown;
  unknown.user_id = 2147483647;
  unknown.token_version = 1;
  EXPECT_EQ(Check(unknown, &user).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // A signed token whose sub is no valid id fails the token's own checks.
  TestCaller invalid;
  invalid.user_id = 0;
  invalid.token_version = 1;
  EXPECT_EQ(Check(invalid, &user).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  invalid.user_id = -3;
  EXPECT_EQ(Check(invalid, &user).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  invalid.user_id = 2147483648;
  EXPECT_EQ(Check(invalid, &user).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(UsersTest, UpdateChangesFieldsAndPasswordChangeRevokesOlderTokens) {
  const auto registered = RegisterUser(harness_.Stub());
  const std::string sid = UniqueSid();
  v1::UpdateUserRequest changes;
  changes.set_username("renamed_" + sid);
  changes.set_email("renamed" + sid + "@example.com");
  v1::User user;
  ASSERT_TRUE(Update(registered.caller, changes, &user).ok());
  EXPECT_EQ(user.username(), "renamed_" + sid);
  EXPECT_EQ(user.email(), "renamed" + sid + "@example.com");
  EXPECT_EQ(user.sid(), registered.user.sid());
  // Without a password change, the token stays valid.
  ASSERT_TRUE(Check(registered.caller, &user).ok());

  // Changing only the case of one's own username is not a conflict with oneself.
  v1::UpdateUserRequest recase;
  recase.set_username("RENAMED_" + sid);
  ASSERT_TRUE(Update(registered.caller, recase, &user).ok());
  EXPECT_EQ(user.username(), "RENAMED_" + sid);

  v1::UpdateUserRequest password;
  password.set_password_hash("$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA");
  ASSERT_TRUE(Update(registered.caller, password, &user).ok());
  EXPECT_EQ(Check(registered.caller, &user).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Update(registered.caller, changes, &user).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  TestCaller renewed = registered.caller;
  renewed.token_version = 2;
  EXPECT_TRUE(Check(renewed, &user).ok());

  v1::GetCredentialsRequest by_sid;
  by_sid.set_sid(registered.user.sid());
  v1::Credentials credentials;
  ASSERT_TRUE(Credentials(by_sid, &credentials).ok());
  EXPECT_EQ(credentials.password_hash(), password.password_hash());
  EXPECT_EQ(credentials.token_version(), 2);
}

// A password change that found its token valid but reaches the user's row only after another
// change with the same token committed (a client's retry of a change whose answer was lost,
// while the first attempt still waited) changes nothing: committed, it would revoke the token
// the user signed in with after the first change.
TEST_F(UsersTest, APasswordChangeWhoseTokenARacingChangeRevokedChangesNothing) {
  const auto registered = RegisterUser(harness_.Stub());
  const std::string id = std::to_string(registered.user.id());
  pqxx::connection other(Cluster().Url());
  pqxx::work first(other);
  first.exec(
      "UPDATE users SET token_version = token_version + 1, password_changed_at = now() "
      "WHERE id = " +
      id);

  grpc::Status late;
  std::thread racer([&] {
    v1::UpdateUserRequest password;
    password.set_password_hash("$argon2id$v=19$m=19456,t=2,p=1$bGF0ZXNhbHQ$bGF0ZQ");
    v1::User user;
    late = Update(registered.caller, password, &user);
  });
  // The late change has checked its token and waits for the row the first one holds.
  const bool waiting = WaitFor(
      [&] {
        return sql_.Count(
                   "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                   "AND query LIKE 'UPDATE users SET%'") == 1;
      },
      std::chrono::seconds(10));
  first.commit();
  racer.join();
  ASSERT_TRUE(waiting) << "the late change never waited for the row";

  EXPECT_EQ(late.error_code(), grpc::StatusCode::UNAUTHENTICATED) << late.error_message();
  EXPECT_EQ(sql_.Count("SELECT token_version FROM users WHERE id = " + id), 2);
  EXPECT_EQ(sql_.Count("SELECT count(*) FROM users WHERE id = " + id + " AND password_hash = '" +
                       std::string(kFakeHash) + "'"),
            1);
}

TEST_F(UsersTest, UpdateRefusesTakenValuesAndBadInputWithoutChangingAnything) {
  const auto first = RegisterUser(harness_.Stub());
  const auto second = RegisterUser(harness_.Stub());
  v1::User user;

  v1::UpdateUserRequest taken_username;
  taken_username.set_username(first.user.username());
  auto status = Update(second.caller, taken_username, &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(status.error_message(), "username is already taken");

  v1::UpdateUserRequest taken_email;
  taken_email.set_email("T" + first.user.email().substr(1));
  status = Update(second.caller, taken_email, &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(status.error_message(), "email is already taken");

  EXPECT_EQ(Update(second.caller, v1::UpdateUserRequest{}, &user).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::UpdateUserRequest bad;
  bad.set_username("fine_" + UniqueSid());
  bad.set_email("not an email");
  EXPECT_EQ(Update(second.caller, bad, &user).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  ASSERT_TRUE(Check(second.caller, &user).ok());
  EXPECT_EQ(user.username(), second.user.username());
  EXPECT_EQ(user.email(), second.user.email());
}

TEST_F(UsersTest, DeactivationRevokesTokensAndKeepsIdentifiersTaken) {
  const auto registered = RegisterUser(harness_.Stub());
  v1::DeactivateUserRequest request;
  v1::User user;
  ASSERT_TRUE(
      harness_.Stub()
          .DeactivateUser(DbServiceHarness::Context(registered.caller).get(), request, &user)
          .ok());
  EXPECT_FALSE(user.is_active());

  EXPECT_EQ(Check(registered.caller, &user).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(harness_.Stub()
                .DeactivateUser(DbServiceHarness::Context().get(), request, &user)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // The row stays, and login can see that it is inactive.
  v1::GetCredentialsRequest by_sid;
  by_sid.set_sid(registered.user.sid());
  v1::Credentials credentials;
  ASSERT_TRUE(Credentials(by_sid, &credentials).ok());
  EXPECT_FALSE(credentials.user().is_active());

  const auto status = Register(registered.user.sid(), "other_" + UniqueSid(),
                               UniqueSid() + "@other.example", &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(status.error_message(), "sid is already taken");
}

}  // namespace
}  // namespace merch::testing
