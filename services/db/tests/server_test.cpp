// The merch-db process as deployed: config validation, migrations before the port opens,
// the standard health and reflection services, and a clean stop on SIGTERM.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <string>
#include <vector>

#include "config.hpp"
#include "merch/testing/grpc_raw.hpp"
#include "merch/testing/pki.hpp"
#include "merch/testing/process.hpp"
#include "support/harness.hpp"

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

TEST(ServerTest, HealthReportsServing) {
  DbServiceHarness harness;
  EXPECT_EQ(HealthCheck(harness.Channel()), kHealthServing);
}

TEST(ServerTest, ReflectionListsTheDbService) {
  DbServiceHarness harness;
  grpc::Status status;
  const auto response =
      CallRaw(harness.Channel(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
              std::string("\x3a\x00", 2),  // list_services: ""
              &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(response.find("merch.v1.DbService"), std::string::npos);
  EXPECT_NE(response.find("grpc.health.v1.Health"), std::string::npos);
}

TEST(ServerTest, ConfigDefaultsAndErrorsNameTheVariable) {
  const auto load = [](const std::map<std::string, std::string>& values) {
    return db::LoadDbServiceConfig(
        Env([values](std::string_view name) -> std::optional<std::string> {
          auto found = values.find(std::string(name));
          if (found == values.end()) return std::nullopt;
          return found->second;
        }));
  };
  const std::string secret(32, 's');
  EXPECT_NE(load({}).error().detail.find("JWT_SECRET must be set"), std::string::npos);
  auto defaults = load({{"JWT_SECRET", secret}});
  ASSERT_TRUE(defaults.has_value());
  EXPECT_EQ(defaults->port, 50051);
  EXPECT_EQ(defaults->pool_size, 16U);
  EXPECT_EQ(defaults->database_url, db::kDefaultDatabaseUrl);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"DB_SERVICE_PORT", "0"},        {"DB_SERVICE_PORT", "70000"},
      {"DB_SERVICE_PORT", "http"},     {"DB_POOL_SIZE", "0"},
      {"DB_POOL_SIZE", "ten"},         {"DB_POOL_SIZE", "8x"},
      {"DATABASE_URL", "mysql://x/y"}, {"DATABASE_URL", ""},
      {"DB_REQUEST_TIMEOUT_MS", "-5"},
  };
  for (const auto& [name, value] : bad) {
    auto config = load({{"JWT_SECRET", secret}, {name, value}});
    ASSERT_FALSE(config.has_value()) << name << "=" << value;
    EXPECT_NE(config.error().detail.find(name), std::string::npos) << config.error().detail;
  }
}

TEST(ServerTest, TheBinaryRefusesBadConfigNamingTheVariable) {
  ChildProcess process(MERCH_DB_BINARY, {"DB_POOL_SIZE=lots"});
  ASSERT_TRUE(process.Started());
  EXPECT_EQ(process.Wait(), 2);
  EXPECT_NE(process.Log().find("DB_POOL_SIZE must be an integer in 1..500, got 'lots'"),
            std::string::npos)
      << process.Log();
}

TEST(ServerTest, TheBinaryRefusesToStartWithoutItsOwnCertificate) {
  for (const auto& [setting, expected] : std::vector<std::pair<std::string, std::string>>{
           {"GRPC_TLS_DIR=", "GRPC_TLS_DIR must be set"},
           {TestPki::Store().EnvSetting("api"), "must name exactly the identity 'db'"}}) {
    ChildProcess process(MERCH_DB_BINARY, {setting, "JWT_SECRET=" + std::string(kTestJwtSecret)});
    ASSERT_TRUE(process.Started());
    EXPECT_EQ(process.Wait(), 2);
    EXPECT_NE(process.Log().find(expected), std::string::npos) << process.Log();
  }
}

TEST(ServerTest, TheBinaryMigratesServesAndStopsOnSigterm) {
  const auto port = FreePort();
  const auto health_port = FreePort();
  ChildProcess process(
      MERCH_DB_BINARY,
      {"DATABASE_URL=" + Cluster().Url(), "DB_SERVICE_PORT=" + std::to_string(port),
       "DB_SERVICE_HOST=127.0.0.1", "DB_POOL_SIZE=2",
       "DB_HEALTH_PORT=" + std::to_string(health_port), TestPki::Store().EnvSetting("db"),
       "JWT_SECRET=" + std::string(kTestJwtSecret)});
  ASSERT_TRUE(process.Started());
  auto channel =
      MutualTlsChannel("127.0.0.1:" + std::to_string(port), TestPki::Store(), "api", "db");
  // The port opens only after migrations: waiting for the connection is waiting for readiness.
  ASSERT_TRUE(
      channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30)))
      << process.Log();
  auto stub = v1::DbService::NewStub(channel);
  v1::ListProductsRequest request;
  request.set_limit(3);
  v1::ListProductsResponse response;
  ASSERT_TRUE(stub->ListProducts(DbServiceHarness::Context().get(), request, &response).ok());
  EXPECT_EQ(response.products_size(), 3);
  // The probe's plaintext port answers the health service, on loopback.
  EXPECT_EQ(HealthCheck(grpc::CreateChannel("127.0.0.1:" + std::to_string(health_port),
                                            grpc::InsecureChannelCredentials())),
            kHealthServing);

  stub.reset();
  channel.reset();
  process.Signal(SIGTERM);
  EXPECT_EQ(process.Wait(), 0) << process.Log();
  EXPECT_NE(process.Log().find("shutting down"), std::string::npos) << process.Log();
}

}  // namespace
}  // namespace merch::testing
