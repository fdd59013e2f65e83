#include "merch/common/grpc_server.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>

#include "merch/common/grpc_channel.hpp"

namespace merch {

void RunningGrpcServer::SetServing(bool serving) const {
  server->GetHealthCheckService()->SetServingStatus(serving);
  if (health_server) health_server->GetHealthCheckService()->SetServingStatus(serving);
}

void RunningGrpcServer::Shutdown(std::chrono::system_clock::time_point deadline) const {
  if (health_server) health_server->Shutdown(deadline);
  server->Shutdown(deadline);
}

Result<RunningGrpcServer> StartGrpcServer(const GrpcServerOptions& options,
                                          std::initializer_list<grpc::Service*> services) {
  if (!options.credentials) {
    return Error{ErrorCode::kInvalidArgument,
                 "no credentials for the gRPC server on " + options.address};
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ResourceQuota quota("merch-grpc-server");
  quota.SetMaxThreads(options.max_threads);

  RunningGrpcServer running;
  grpc::ServerBuilder builder;
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS,
                              std::min(2, options.max_threads));
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              options.max_threads);
  builder.AddListeningPort(options.address, options.credentials, &running.port);
  // The clients' keepalive pings (grpc_channel.hpp), also between calls, are welcome: by
  // default a server answers pings more often than every 5 minutes with GOAWAY.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kKeepaliveTimeMs / 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (options.interceptors) builder.experimental().SetInterceptorCreators(options.interceptors());
  running.server = builder.BuildAndStart();
  if (!running.server || running.port == 0) {
    return Error{ErrorCode::kUnavailable, "cannot listen on " + options.address};
  }
  if (!options.health_address.empty()) {
    // No service registered: the builder adds only the default health service.
    grpc::ServerBuilder health_builder;
    health_builder.AddListeningPort(options.health_address, grpc::InsecureServerCredentials(),
                                    &running.health_port);
    running.health_server = health_builder.BuildAndStart();
    if (!running.health_server || running.health_port == 0) {
      running.server->Shutdown();
      return Error{ErrorCode::kUnavailable, "cannot listen on " + options.health_address};
    }
  }
  running.SetServing(true);
  return running;
}

}  // namespace merch
