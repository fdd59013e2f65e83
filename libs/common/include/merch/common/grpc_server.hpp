#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "merch/common/error.hpp"

namespace merch {

struct GrpcServerOptions {
  std::string address;  // e.g. "0.0.0.0:50051"; port 0 picks a free port
  // Required: MutualTlsServerCredentials (grpc_tls.hpp) in the services; tests may pass
  // grpc::InsecureServerCredentials() explicitly.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // When set (e.g. "127.0.0.1:50071"), a second, plaintext server on that address answers
  // grpc.health.v1.Health only, with the same status: the probe of compose and Kubernetes,
  // which run it inside the service's container (README, "Security model"). It serves nothing
  // else, so it is bound to loopback.
  std::string health_address = {};
  // Bound on the sync server's handler threads, so on RPCs in flight; a call beyond it is
  // refused at once with RESOURCE_EXHAUSTED (load shedding) rather than queued. A thread,
  // once started, stays for the next calls: gRPC's default keeps at most 2 waiting and ends
  // every other thread after its call, which under concurrent calls created and destroyed one
  // thread per 2-3 calls (10,814 in 5 s of `GET /products/1`; keeping them took the db
  // service from 90 to 70 µs of CPU per call).
  int max_threads = 256;
  // Server interceptors (e.g. metrics), made once when the server is built; none when empty.
  std::function<
      std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>()>
      interceptors = {};
};

struct RunningGrpcServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;                                 // the port actually bound
  std::unique_ptr<grpc::Server> health_server;  // when health_address was set
  int health_port = 0;

  // The status grpc.health.v1.Health reports, on both servers.
  void SetServing(bool serving) const;
  // Stops both, waiting at most until `deadline` for calls in flight.
  void Shutdown(std::chrono::system_clock::time_point deadline) const;
};

// GrpcServerOptions::health_address for a port setting: none for 0, else the port on loopback.
inline std::string HealthAddress(int port) {
  return port == 0 ? std::string() : "127.0.0.1:" + std::to_string(port);
}

// Starts a gRPC server with the given services plus grpc.health.v1.Health (reporting
// SERVING for "" and for every service) and server reflection. kUnavailable when an
// address cannot be bound, kInvalidArgument without credentials.
Result<RunningGrpcServer> StartGrpcServer(const GrpcServerOptions& options,
                                          std::initializer_list<grpc::Service*> services);

}  // namespace merch
