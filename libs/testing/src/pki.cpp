#include "merch/testing/pki.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "merch/common/grpc_channel.hpp"
#include "merch/testing/process.hpp"

namespace merch::testing {

TestPki::TestPki(const std::string& label) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("merch-pki-" + label + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  RunOrThrow("bash '" MERCH_SOURCE_DIR "/scripts/pki.sh' '" + dir_ +
             "' api db logging intruder >/dev/null");
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

const TestPki& TestPki::Store() {
  static const TestPki pki("store");
  return pki;
}

const TestPki& TestPki::Foreign() {
  static const TestPki pki("foreign");
  return pki;
}

TlsIdentity TestPki::Identity(const std::string& name) const {
  auto identity = LoadTlsIdentity(IdentityDir(name), name);
  if (!identity) throw std::runtime_error(identity.error().detail);
  return *identity;
}

std::shared_ptr<grpc::Channel> MutualTlsChannel(const std::string& target, const TestPki& pki,
                                                const std::string& client,
                                                const std::string& server) {
  return MakeServiceChannel(target, pki.ClientCredentials(client), server);
}

}  // namespace merch::testing
