#include "merch/metrics/grpc_server_metrics.hpp"

#include <utility>

#include "merch/common/grpc_status.hpp"

namespace merch::metrics {
namespace {

// Seconds: from a cached read on loopback to a call that waited for a pool connection.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

using Hook = grpc::experimental::InterceptionHookPoints;

class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservingInterceptor(std::string method, const std::vector<GrpcCallObserver*>& observers)
      : method_(std::move(method)), observers_(observers) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      for (auto* observer : observers_) observer->OnMessageReceived(method_);
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const auto* trailing = methods->GetSendTrailingMetadata();
      const std::multimap<std::string, std::string> none;
      const auto elapsed = std::chrono::steady_clock::now() - start_;
      for (auto* observer : observers_) {
        observer->OnFinished(method_, status, trailing != nullptr ? *trailing : none, elapsed);
      }
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  const std::vector<GrpcCallObserver*>& observers_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class ObservingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObservingInterceptorFactory(std::vector<GrpcCallObserver*> observers)
      : observers_(std::move(observers)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservingInterceptor(info->method(), observers_);
  }

 private:
  const std::vector<GrpcCallObserver*> observers_;
};

}  // namespace

prometheus::Labels MethodLabels(std::string_view method) {
  if (method.starts_with('/')) method.remove_prefix(1);
  const auto slash = method.find('/');
  if (slash == std::string_view::npos) {
    return {{"service", "unknown"}, {"method", std::string(method)}};
  }
  return {{"service", std::string(method.substr(0, slash))},
          {"method", std::string(method.substr(slash + 1))}};
}

GrpcServerMetrics::GrpcServerMetrics(prometheus::Registry& registry)
    : handled_(prometheus::BuildCounter()
                   .Name("merch_grpc_server_handled_total")
                   .Help("gRPC calls completed, by service, method and status code")
                   .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("merch_grpc_server_handling_seconds")
                   .Help("Time from the start of a gRPC call to its status, by service and method")
                   .Register(registry)),
      received_(prometheus::BuildCounter()
                    .Name("merch_grpc_server_msg_received_total")
                    .Help("gRPC request messages received, by service and method")
                    .Register(registry)) {}

void GrpcServerMetrics::OnMessageReceived(std::string_view method) {
  received_.Add(MethodLabels(method)).Increment();
}

void GrpcServerMetrics::OnFinished(std::string_view method, const grpc::Status& status,
                                   const std::multimap<std::string, std::string>& /*trailing*/,
                                   std::chrono::steady_clock::duration elapsed) {
  auto labels = MethodLabels(method);
  latency_.Add(labels, LatencyBuckets()).Observe(std::chrono::duration<double>(elapsed).count());
  labels.emplace("code", std::string(GrpcCodeName(status.error_code())));
  handled_.Add(labels).Increment();
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservingInterceptorFactory(std::vector<GrpcCallObserver*> observers) {
  return std::make_unique<ObservingInterceptorFactory>(std::move(observers));
}

}  // namespace merch::metrics
