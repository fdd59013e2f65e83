#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace merch::metrics {

// What a server interceptor reports about one RPC. Implementations must be thread-safe: they
// are called from the server's handler threads.
class GrpcCallObserver {
 public:
  virtual ~GrpcCallObserver() = default;
  // A request message arrived (once per message of a client stream). `method` is the full
  // name, "/package.Service/Method".
  virtual void OnMessageReceived(std::string_view method) = 0;
  // The handler returned `status` with `trailing` metadata, `elapsed` after the call started.
  virtual void OnFinished(std::string_view method, const grpc::Status& status,
                          const std::multimap<std::string, std::string>& trailing,
                          std::chrono::steady_clock::duration elapsed) = 0;
};

// The RPC metrics every gRPC service of the store exports:
//   merch_grpc_server_handled_total{service,method,code}   RPCs completed, by status code name
//   merch_grpc_server_handling_seconds{service,method}     time from call start to status
//   merch_grpc_server_msg_received_total{service,method}   request messages (client streams)
// Thread-safe.
class GrpcServerMetrics final : public GrpcCallObserver {
 public:
  explicit GrpcServerMetrics(prometheus::Registry& registry);

  void OnMessageReceived(std::string_view method) override;
  void OnFinished(std::string_view method, const grpc::Status& status,
                  const std::multimap<std::string, std::string>& trailing,
                  std::chrono::steady_clock::duration elapsed) override;

 private:
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& received_;
};

// {service, method} labels from "/package.Service/Method" (anything else: the whole name as
// the method, service "unknown").
prometheus::Labels MethodLabels(std::string_view method);

// A server interceptor factory that reports every RPC to `observers` (which must outlive the
// server). For GrpcServerOptions::interceptors.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservingInterceptorFactory(std::vector<GrpcCallObserver*> observers);

}  // namespace merch::metrics
