#include "clients/db_client.hpp"

#include <grpcpp/generic/generic_stub.h>

namespace merch::api {

DbClient::DbClient(const std::string& target, std::chrono::milliseconds timeout,
                   FailureObserver on_failure)
    : timeout_(timeout), on_failure_(std::move(on_failure)) {
  grpc::ChannelArguments arguments;
  // After the db service restarts, reconnect within a second rather than gRPC's default
  // backoff of up to two minutes.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Every address the target resolves to takes calls in turn: on Kubernetes DB_SERVICE_ADDR
  // names a headless Service (dns:///merch-db-headless:50051, deploy/k8s), whose DNS answer
  // lists every db pod. With one address (the local stack) this is the same as pick_first.
  arguments.SetLoadBalancingPolicyName("round_robin");
  channel_ = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
  stub_ = merch::v1::DbService::NewStub(channel_);
}

boost::asio::awaitable<bool> DbClient::Ready() {
  // grpc.health.v1.Health/Check with an empty request, through the generic stub (the project
  // generates no health stubs); SERVING is the two bytes 08 01.
  struct CallState {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
  };
  auto state = std::make_shared<CallState>();
  state->context.set_deadline(std::chrono::system_clock::now() + timeout_);
  grpc::Slice empty;  // an empty HealthCheckRequest (a default ByteBuffer is no message at all)
  state->request = grpc::ByteBuffer(&empty, 1);
  auto generic = std::make_shared<grpc::GenericStub>(channel_);
  auto start = [state, generic](auto done) {  // a named local: see DbClient::Call
    generic->UnaryCall(&state->context, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                       &state->request, &state->response,
                       [state, generic, done](grpc::Status status) { done(std::move(status)); });
  };
  const grpc::Status status = co_await AwaitCallback(std::move(start));
  if (!status.ok()) co_return false;
  std::vector<grpc::Slice> slices;
  if (!state->response.Dump(&slices).ok()) co_return false;
  std::string bytes;
  for (const auto& slice : slices)
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  co_return bytes == std::string("\x08\x01", 2);
}

}  // namespace merch::api
