#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "merch/common/grpc_tls.hpp"

// The store's mutual TLS in tests (merch/common/grpc_tls.hpp): real certificates, made by the
// project's own scripts/pki.sh, so the suites exercise the services' production credentials.
namespace merch::testing {

// A private CA with the identities api, db, logging and "intruder" (signed by the CA, served by
// no service), made once per test process in a temporary folder removed at exit. Each identity
// is the folder Dir() + "/" + name, the layout GRPC_TLS_DIR expects.
class TestPki {
 public:
  // The store's CA.
  static const TestPki& Store();
  // Another CA, with the same identity names: what an impostor with its own CA would present.
  static const TestPki& Foreign();

  const std::string& Dir() const { return dir_; }
  std::string IdentityDir(const std::string& name) const { return dir_ + "/" + name; }
  // LoadTlsIdentity of `name`; throws if the script's output does not load.
  TlsIdentity Identity(const std::string& name) const;
  // "GRPC_TLS_DIR=..." for a child process running as `name`.
  std::string EnvSetting(const std::string& name) const {
    return "GRPC_TLS_DIR=" + IdentityDir(name);
  }

  std::shared_ptr<grpc::ChannelCredentials> ClientCredentials(const std::string& name) const {
    return MutualTlsChannelCredentials(Identity(name));
  }

  explicit TestPki(const std::string& label);
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

 private:
  std::string dir_;
};

// A channel to `target` as identity `client`, expecting the server to prove `server`.
std::shared_ptr<grpc::Channel> MutualTlsChannel(const std::string& target, const TestPki& pki,
                                                const std::string& client,
                                                const std::string& server);

}  // namespace merch::testing
