#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "merch/common/config.hpp"
#include "merch/common/error.hpp"

namespace merch {

// The mutual TLS of every gRPC hop between the store's services (README, "Security model").
//
// Each service has one identity ("api", "db", "logging"): a certificate whose only DNS subject
// alternative name is that name, issued by the store's private CA (scripts/pki.sh locally, the
// compose stack's init service, cert-manager on Kubernetes). A service reads its files from one
// folder laid out as a Kubernetes TLS Secret: ca.crt, tls.crt, tls.key.
//
// - A server asks every client for a certificate and refuses, at the handshake, a client
//   without one, a plaintext one, or one whose certificate the CA did not sign; a call from a
//   CA-signed identity it does not serve ends with PERMISSION_DENIED before any handler runs.
// - A client checks that the server's certificate names the identity it meant to reach, whatever
//   address it dialled (an address is not an identity).
// - Both reread the files every minute, so a renewed certificate takes effect without a restart.
struct TlsIdentity {
  std::string dir;   // holds ca.crt, tls.crt, tls.key
  std::string name;  // the identity the certificate names
  std::chrono::system_clock::time_point not_after;
};

// Checks the folder before a service relies on it, so that a bad setting stops the start with
// a message rather than failing every call later: the three files are readable PEM, the key
// belongs to the certificate, the CA signed the certificate, it is valid now, and it names
// exactly `expected_name`. kInvalidArgument otherwise, naming the file and the problem.
Result<TlsIdentity> LoadTlsIdentity(const std::string& dir, std::string_view expected_name);

// GRPC_TLS_DIR (required), checked by LoadTlsIdentity for `expected_name`.
Result<TlsIdentity> TlsIdentityFromEnv(const Env& env, std::string_view expected_name);

// Server credentials that serve only the identities in `allowed_clients`.
std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(
    const TlsIdentity& identity, std::vector<std::string> allowed_clients);

// Client credentials presenting `identity`; use them with MakeServiceChannel, which names the
// identity the server must prove.
std::shared_ptr<grpc::ChannelCredentials> MutualTlsChannelCredentials(const TlsIdentity& identity);

}  // namespace merch
