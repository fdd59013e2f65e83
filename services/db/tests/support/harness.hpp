#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/connection>
#include <string>

#include "grpc/db_service.hpp"
#include "merch/auth/jwt.hpp"
#include "merch/common/grpc_server.hpp"
#include "merch/testing/process.hpp"
#include "merch/v1/db.grpc.pb.h"
#include "repository/connection_pool.hpp"
#include "support/postgres_cluster.hpp"

namespace merch::testing {

// The JWT_SECRET of the harness's service (the stack's api and db service share theirs).
inline constexpr std::string_view kTestJwtSecret = "merch-db-tests-secret-0123456789abcdef";

// Who a test call acts for: the claims of the bearer token DbServiceHarness::Context signs for
// it (what the api does for a signed-in user). A token whose claims the service cannot accept
// (an id out of range, version 0) is still signed: the service refuses it.
struct TestCaller {
  std::int64_t user_id = 0;
  std::int64_t token_version = 0;
  // "Bearer <token>", issued now with the harness's secret.
  std::string Authorization() const;
};

struct HarnessOptions {
  std::size_t pool_size = 8;
  std::chrono::milliseconds request_timeout{10000};
  std::function<void()> after_commit{};  // as merch-db wakes its outbox relay (db::Database)
};

// The db service wired exactly as merch-db's main wires it, served over real gRPC on a
// loopback port, with a stub to call it and a direct SQL connection to inspect the database.
class DbServiceHarness {
 public:
  explicit DbServiceHarness(HarnessOptions options = {});
  ~DbServiceHarness();

  merch::v1::DbService::Stub& Stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> Channel() { return channel_; }
  db::ConnectionPool& Pool() { return pool_; }
  int Port() const { return server_.port; }

  // A context whose deadline is `timeout` from now.
  static std::unique_ptr<grpc::ClientContext> Context(
      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The same, acting for `caller`: its bearer token in the `authorization` metadata, as the api
  // forwards a signed-in user's (proto/merch/v1/db.proto).
  static std::unique_ptr<grpc::ClientContext> Context(
      const TestCaller& caller, std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  db::ConnectionPool pool_;
  db::Database database_;
  db::UserRepository users_;
  db::ProductRepository products_;
  db::OrderRepository orders_;
  auth::JwtCodec tokens_{std::string(kTestJwtSecret)};
  db::DbService service_;
  RunningGrpcServer server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<merch::v1::DbService::Stub> stub_;
};

// Direct SQL for arranging and inspecting test data (never used by the code under test).
class Sql {
 public:
  Sql();
  std::int64_t CreateProduct(std::int64_t stock, const std::string& price = "12.34");
  std::int64_t Stock(std::int64_t product_id);
  std::int64_t Count(const std::string& query);
  void Exec(const std::string& statement);

 private:
  pqxx::connection connection_;
};

// Test data helpers: unique values per call, valid by the contract's rules.
std::string UniqueSid();
inline constexpr const char* kFakeHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";

struct RegisteredUser {
  merch::v1::User user;
  TestCaller caller;
};

// Registers a new user with unique sid/username/email and returns it with a valid caller.
RegisteredUser RegisterUser(merch::v1::DbService::Stub& stub);

}  // namespace merch::testing
