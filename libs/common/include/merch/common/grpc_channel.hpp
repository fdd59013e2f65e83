#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace merch {

// A channel to one of the store's gRPC services that reconnects within a second after the
// service restarts (gRPC's default backoff grows to two minutes, far longer than a request
// or a log queue should wait), and spreads calls over every address the target resolves to:
// on Kubernetes the address names a headless Service (deploy/k8s) whose DNS answer lists every
// pod; with one address (the local stack) round_robin is the same as pick_first.
inline std::shared_ptr<grpc::Channel> MakeServiceChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  arguments.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(target, credentials, arguments);
}

}  // namespace merch
