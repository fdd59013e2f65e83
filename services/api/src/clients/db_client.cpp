#include "clients/db_client.hpp"

#include <grpcpp/generic/generic_stub.h>

namespace merch::api {

DbClient::DbClient(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout,
                   FailureObserver on_failure)
    : channel_(std::move(channel)),
      stub_(merch::v1::DbService::NewStub(channel_)),
      timeout_(timeout),
      on_failure_(std::move(on_failure)) {}

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
  const grpc::Status status = co_await AwaitCompletion<grpc::Status>(std::move(start));
  if (!status.ok()) co_return false;
  std::vector<grpc::Slice> slices;
  if (!state->response.Dump(&slices).ok()) co_return false;
  std::string bytes;
  for (const auto& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  co_return bytes == std::string("\x08\x01", 2);
}

}  // namespace merch::api
