// The services' mutual TLS (merch/common/grpc_tls.hpp), with real certificates from
// scripts/pki.sh and real gRPC over loopback: who gets through the handshake, and who is served.
#include "merch/common/grpc_tls.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "merch/common/grpc_channel.hpp"
#include "merch/common/grpc_server.hpp"
#include "merch/testing/grpc_raw.hpp"
#include "merch/testing/pki.hpp"
#include "merch/testing/process.hpp"

namespace merch {
namespace {

using testing::CallRaw;
using testing::TestPki;

const TestPki& Store() { return TestPki::Store(); }

// A server as the db service runs it: identity "db", serving only "api", with a plaintext
// health port on loopback.
class MutualTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server =
        StartGrpcServer({.address = "127.0.0.1:0",
                         .credentials = MutualTlsServerCredentials(Store().Identity("db"), {"api"}),
                         .health_address = HealthAddress(testing::FreePort())},
                        {});
    ASSERT_TRUE(server) << server.error().detail;
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_.server) server_.Shutdown(std::chrono::system_clock::now());
  }

  std::string Target() const { return "127.0.0.1:" + std::to_string(server_.port); }

  // The status of a health check made through `channel`.
  static grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel,
                            std::string* response = nullptr) {
    grpc::Status status;
    auto bytes = CallRaw(channel, "/grpc.health.v1.Health/Check", "", &status);
    if (response != nullptr) *response = bytes;
    return status;
  }

  RunningGrpcServer server_;
};

TEST_F(MutualTlsTest, TheServedIdentityIsAnswered) {
  std::string response;
  const auto status = Check(testing::MutualTlsChannel(Target(), Store(), "api", "db"), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response, testing::kHealthServing);
}

TEST_F(MutualTlsTest, ACertifiedIdentityTheServiceDoesNotServeIsDenied) {
  for (const std::string client : {"db", "logging", "intruder"}) {
    const auto status = Check(testing::MutualTlsChannel(Target(), Store(), client, "db"));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << client;
  }
}

TEST_F(MutualTlsTest, PlaintextIsRefusedAtTheHandshake) {
  const auto status = Check(grpc::CreateChannel(Target(), grpc::InsecureChannelCredentials()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MutualTlsTest, ACertificateOfAnotherCaIsRefusedAtTheHandshake) {
  // "api" by name, but signed by a CA the server does not trust (the client trusts the store's
  // CA, so only the server's check can refuse it).
  const auto dir = std::filesystem::path(TestPki::Foreign().Dir()) / "impostor";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(TestPki::Foreign().IdentityDir("api") + "/tls.crt", dir / "tls.crt");
  std::filesystem::copy_file(TestPki::Foreign().IdentityDir("api") + "/tls.key", dir / "tls.key");
  std::filesystem::copy_file(Store().Dir() + "/ca.crt", dir / "ca.crt");
  const TlsIdentity impostor{.dir = dir.string(), .name = "api", .not_after = {}};
  const auto status =
      Check(MakeServiceChannel(Target(), MutualTlsChannelCredentials(impostor), "db"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  std::filesystem::remove_all(dir);
}

TEST_F(MutualTlsTest, AClientRefusesAServerThatIsNotTheIdentityItMeantToReach) {
  // The address is right, but the certificate names "db", not "logging".
  const auto status = Check(testing::MutualTlsChannel(Target(), Store(), "api", "logging"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MutualTlsTest, TheHealthPortIsPlaintextOnLoopbackAndFollowsTheStatus) {
  const auto health = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_.health_port),
                                          grpc::InsecureChannelCredentials());
  EXPECT_EQ(testing::HealthCheck(health), testing::kHealthServing);
  server_.SetServing(false);
  EXPECT_EQ(testing::HealthCheck(health), testing::kHealthNotServing);
  // It answers the health service only.
  grpc::Status status;
  CallRaw(health, "/merch.v1.DbService/GetProduct", "", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST(LoadTlsIdentityTest, AcceptsTheScriptsOutputForItsOwnName) {
  auto identity = LoadTlsIdentity(Store().IdentityDir("db"), "db");
  ASSERT_TRUE(identity) << identity.error().detail;
  EXPECT_EQ(identity->name, "db");
  EXPECT_GT(identity->not_after, std::chrono::system_clock::now() + std::chrono::hours(24 * 60));
}

TEST(LoadTlsIdentityTest, RefusesAnotherServicesCertificate) {
  auto identity = LoadTlsIdentity(Store().IdentityDir("api"), "db");
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().detail.find("must name exactly the identity 'db'"), std::string::npos)
      << identity.error().detail;
}

TEST(LoadTlsIdentityTest, RefusesAMissingFileAndNamesIt) {
  auto identity = LoadTlsIdentity(Store().Dir() + "/nowhere", "db");
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().detail.find("nowhere/ca.crt: cannot be read"), std::string::npos)
      << identity.error().detail;
}

TEST(LoadTlsIdentityTest, RefusesAKeyThatIsNotTheCertificates) {
  const auto dir = std::filesystem::path(Store().Dir()) / "mismatched";
  std::filesystem::create_directories(dir);
  for (const char* file : {"ca.crt", "tls.crt"}) {
    std::filesystem::copy_file(Store().IdentityDir("db") + "/" + file, dir / file,
                               std::filesystem::copy_options::overwrite_existing);
  }
  std::filesystem::copy_file(Store().IdentityDir("api") + "/tls.key", dir / "tls.key",
                             std::filesystem::copy_options::overwrite_existing);
  auto identity = LoadTlsIdentity(dir.string(), "db");
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().detail.find("tls.key: is not the key of"), std::string::npos)
      << identity.error().detail;
}

TEST(LoadTlsIdentityTest, RefusesACertificateTheCaDidNotSign) {
  const auto dir = std::filesystem::path(Store().Dir()) / "foreign-signed";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(Store().Dir() + "/ca.crt", dir / "ca.crt",
                             std::filesystem::copy_options::overwrite_existing);
  for (const char* file : {"tls.crt", "tls.key"}) {
    std::filesystem::copy_file(TestPki::Foreign().IdentityDir("db") + "/" + file, dir / file,
                               std::filesystem::copy_options::overwrite_existing);
  }
  auto identity = LoadTlsIdentity(dir.string(), "db");
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().detail.find("does not verify against"), std::string::npos)
      << identity.error().detail;
}

TEST(LoadTlsIdentityTest, TheEnvironmentVariableIsRequired) {
  const Env empty([](std::string_view) { return std::optional<std::string>(); });
  auto identity = TlsIdentityFromEnv(empty, "db");
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.error().detail.find("GRPC_TLS_DIR"), std::string::npos);
}

}  // namespace
}  // namespace merch
