#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace merch {

// Client keepalive of every service channel (below), and what the servers accept.
inline constexpr int kKeepaliveTimeMs = 5000;
inline constexpr int kKeepaliveTimeoutMs = 3000;

// A channel to one of the store's gRPC services that reconnects within a second after the
// service restarts (gRPC's default backoff grows to two minutes, far longer than a request
// or a log queue should wait).
//
// A "dns:///" target (Kubernetes: a headless Service, deploy/k8s, whose DNS answer lists every
// pod) gets round_robin, which spreads calls over every address. Any other target (the local
// stack's and compose's host:port) names one server and gets pick_first: with gRPC 1.51,
// round_robin over TLS to one address that was restarted on the same port kept failing every
// handshake after the restart (both ends waiting to read), and never recovered; pick_first
// reconnects at once (services/logging/tests/shipper_test.cpp, the kill-and-restart test).
//
// `server_identity` is the identity the server's certificate must name ("db", "logging": see
// grpc_tls.hpp), whatever address `target` is; empty with insecure credentials (tests only).
inline std::shared_ptr<grpc::Channel> MakeServiceChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const std::string& server_identity) {
  grpc::ChannelArguments arguments;
  if (!server_identity.empty()) arguments.SetSslTargetNameOverride(server_identity);
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  // gRPC takes this as the least time a connection attempt may take (its connect timeout), not
  // as a gap between attempts: at 100 ms, TLS handshakes under AddressSanitizer timed out
  // "before receiving SETTINGS frame". Attempts still start 100 ms to 1 s apart.
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 5000);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // A connection that stops answering without being reset (a peer gone silent behind a
  // stalled network) is found by a ping within kKeepaliveTimeMs + kKeepaliveTimeoutMs and
  // replaced; without it every call timed out until the process restarted (tests/faults, the
  // black-hole phases). StartGrpcServer allows pings this often.
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  arguments.SetLoadBalancingPolicyName(target.starts_with("dns:") ? "round_robin" : "pick_first");
  return grpc::CreateCustomChannel(target, credentials, arguments);
}

}  // namespace merch
