#include "merch/common/grpc_server.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>

namespace merch {

Result<RunningGrpcServer> StartGrpcServer(const GrpcServerOptions& options,
                                          std::initializer_list<grpc::Service*> services) {
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
  builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &running.port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (options.interceptors) builder.experimental().SetInterceptorCreators(options.interceptors());
  running.server = builder.BuildAndStart();
  if (!running.server || running.port == 0) {
    return Error{ErrorCode::kUnavailable, "cannot listen on " + options.address};
  }
  running.server->GetHealthCheckService()->SetServingStatus(true);
  return running;
}

}  // namespace merch
