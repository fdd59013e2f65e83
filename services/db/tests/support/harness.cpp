#include "support/harness.hpp"

#include <atomic>
#include <pqxx/nontransaction>
#include <stdexcept>
#include <utility>

#include "grpc/db_service.hpp"
#include "merch/common/clock.hpp"
#include "merch/common/grpc_tls.hpp"
#include "merch/testing/pki.hpp"
#include "repository/connection.hpp"

namespace merch::testing {

DbServiceHarness::DbServiceHarness(HarnessOptions options)
    : pool_(options.pool_size,
            [url = Cluster().Url()] {
              return db::OpenConnection(url, std::chrono::milliseconds(5000));
            }),
      database_(pool_, std::move(options.after_commit)),
      users_(database_),
      products_(database_),
      orders_(database_),
      service_(users_, products_, orders_, tokens_, options.request_timeout) {
  // The service's own credentials: identity "db", serving the api only.
  const auto& pki = testing::TestPki::Store();
  auto server =
      StartGrpcServer({.address = "127.0.0.1:0",
                       .credentials = MutualTlsServerCredentials(pki.Identity("db"), {"api"})},
                      {&service_});
  if (!server) throw std::runtime_error(server.error().detail);
  server_ = std::move(*server);
  channel_ =
      testing::MutualTlsChannel("127.0.0.1:" + std::to_string(server_.port), pki, "api", "db");
  stub_ = merch::v1::DbService::NewStub(channel_);
}

DbServiceHarness::~DbServiceHarness() {
  server_.Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

std::string TestCaller::Authorization() const {
  static const auth::JwtCodec tokens{std::string(kTestJwtSecret)};
  return "Bearer " + tokens.Issue(user_id, token_version, UnixSeconds());
}

std::unique_ptr<grpc::ClientContext> DbServiceHarness::Context(const TestCaller& caller,
                                                               std::chrono::milliseconds timeout) {
  auto context = Context(timeout);
  context->AddMetadata(std::string(db::kAuthorizationKey), caller.Authorization());
  return context;
}

std::unique_ptr<grpc::ClientContext> DbServiceHarness::Context(std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

Sql::Sql() : connection_(Cluster().Url()) {}

std::int64_t Sql::CreateProduct(std::int64_t stock, const std::string& price) {
  pqxx::nontransaction transaction(connection_);
  return transaction
      .exec_params1(
          "INSERT INTO products (name, description, category, price, slogan, stock) "
          "VALUES ('Test product ' || gen_random_uuid(), 'For tests.', 'Test', $1::numeric, "
          "'Tested.', $2) RETURNING id",
          price, stock)[0]
      .as<std::int64_t>();
}

std::int64_t Sql::Stock(std::int64_t product_id) {
  pqxx::nontransaction transaction(connection_);
  return transaction.exec_params1("SELECT stock FROM products WHERE id = $1", product_id)[0]
      .as<std::int64_t>();
}

std::int64_t Sql::Count(const std::string& query) {
  pqxx::nontransaction transaction(connection_);
  return transaction.exec1(query)[0].as<std::int64_t>();
}

void Sql::Exec(const std::string& statement) {
  pqxx::nontransaction transaction(connection_);
  transaction.exec(statement);
}

std::string UniqueSid() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(::getpid()) + "x" + std::to_string(counter.fetch_add(1));
}

RegisteredUser RegisterUser(merch::v1::DbService::Stub& stub) {
  const std::string sid = UniqueSid();
  merch::v1::RegisterUserRequest request;
  request.set_sid(sid);
  request.set_username("user_" + sid);
  request.set_email(sid + "@example.com");
  request.set_password_hash(kFakeHash);
  RegisteredUser registered;
  auto context = DbServiceHarness::Context();
  const auto status = stub.RegisterUser(context.get(), request, &registered.user);
  if (!status.ok()) throw std::runtime_error("register failed: " + status.error_message());
  registered.caller.user_id = registered.user.id();
  registered.caller.token_version = 1;
  return registered;
}

}  // namespace merch::testing
