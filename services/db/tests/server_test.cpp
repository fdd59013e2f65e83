// The merch-db process as deployed: config validation, migrations before the port opens,
// the standard health and reflection services, and a clean stop on SIGTERM.
#include <fcntl.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config.hpp"
#include "support/harness.hpp"

extern char** environ;

namespace merch::testing {
namespace {

namespace v1 = merch::v1;

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string text;
  for (const auto& slice : slices) {
    text.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return text;
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// Calls `method` with raw protobuf bytes, as a client without generated stubs would; for
// streaming methods sends the one request and reads one response. Returns the response bytes.
std::string CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                    const std::string& request, grpc::Status* status) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call = stub.PrepareCall(&context, method, &queue);
  void* tag = nullptr;
  bool ok = false;
  const auto step = [&] { return queue.Next(&tag, &ok) && ok; };
  grpc::ByteBuffer response;
  call->StartCall(nullptr);
  if (step()) {
    call->Write(ToBuffer(request), nullptr);
    if (step()) {
      call->WritesDone(nullptr);
      step();
      call->Read(&response, nullptr);
      step();
    }
  }
  call->Finish(status, nullptr);
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return ToString(response);
}

TEST(ServerTest, HealthReportsServing) {
  DbServiceHarness harness;
  grpc::Status status;
  const auto response = CallRaw(harness.channel(), "/grpc.health.v1.Health/Check", "", &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response, std::string("\x08\x01", 2));  // status: SERVING
}

TEST(ServerTest, ReflectionListsTheDbService) {
  DbServiceHarness harness;
  grpc::Status status;
  const auto response =
      CallRaw(harness.channel(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
              std::string("\x3a\x00", 2),  // list_services: ""
              &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(response.find("merch.v1.DbService"), std::string::npos);
  EXPECT_NE(response.find("grpc.health.v1.Health"), std::string::npos);
}

TEST(ServerTest, ConfigDefaultsAndErrorsNameTheVariable) {
  const auto load = [](std::map<std::string, std::string> values) {
    return db::LoadDbServiceConfig(
        Env([values](std::string_view name) -> std::optional<std::string> {
          auto found = values.find(std::string(name));
          if (found == values.end()) return std::nullopt;
          return found->second;
        }));
  };
  auto defaults = load({});
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
    auto config = load({{name, value}});
    ASSERT_FALSE(config.has_value()) << name << "=" << value;
    EXPECT_NE(config.error().detail.find(name), std::string::npos) << config.error().detail;
  }
}

// A child process running merch-db with extra environment variables; stderr goes to a file.
class DbProcess {
 public:
  explicit DbProcess(const std::vector<std::string>& settings)
      : log_("/tmp/merch-db-test-" + std::to_string(::getpid()) + ".log") {
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
    environment.insert(environment.end(), settings.begin(), settings.end());
    std::vector<char*> envp;
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::string binary = MERCH_DB_BINARY;
    char* argv[] = {binary.data(), nullptr};
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~DbProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    std::remove(log_.c_str());
  }

  bool started() const { return pid_ > 0; }
  void Signal(int signal) const { ::kill(pid_, signal); }
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string Log() const {
    std::ifstream file(log_);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

TEST(ServerTest, TheBinaryRefusesBadConfigNamingTheVariable) {
  DbProcess process({"DB_POOL_SIZE=lots"});
  ASSERT_TRUE(process.started());
  EXPECT_EQ(process.Wait(), 2);
  EXPECT_NE(process.Log().find("DB_POOL_SIZE must be an integer in 1..500, got 'lots'"),
            std::string::npos)
      << process.Log();
}

TEST(ServerTest, TheBinaryMigratesServesAndStopsOnSigterm) {
  const auto port = FreePort();
  DbProcess process({"DATABASE_URL=" + Cluster().url(), "DB_SERVICE_PORT=" + std::to_string(port),
                     "DB_SERVICE_HOST=127.0.0.1", "DB_POOL_SIZE=2"});
  ASSERT_TRUE(process.started());
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
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

  stub.reset();
  channel.reset();
  process.Signal(SIGTERM);
  EXPECT_EQ(process.Wait(), 0);
  EXPECT_NE(process.Log().find("shutting down"), std::string::npos) << process.Log();
}

}  // namespace
}  // namespace merch::testing
