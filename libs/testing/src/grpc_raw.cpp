#include "merch/testing/grpc_raw.hpp"

#include <grpcpp/generic/generic_stub.h>

#include <vector>

namespace merch::testing {
namespace {

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string text;
  for (const auto& slice : slices) {
    text.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return text;
}

}  // namespace

std::string CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                    const std::string& request, grpc::Status* status) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call = stub.PrepareCall(&context, method, &queue);
  void* tag = nullptr;
  bool ok = false;
  const auto step = [&] { return queue.Next(&tag, &ok) && ok; };
  grpc::ByteBuffer response;
  call->StartCall(nullptr);
  if (step()) {
    grpc::Slice slice(request);
    call->Write(grpc::ByteBuffer(&slice, 1), nullptr);
    if (step()) {
      call->WritesDone(nullptr);
      step();
      call->Read(&response, nullptr);
      step();
    }
  }
  call->Finish(status, nullptr);
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return ToString(response);
}

std::string HealthCheck(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::Status status;
  auto response = CallRaw(channel, "/grpc.health.v1.Health/Check", "", &status);
  return status.ok() ? response : "";
}

}  // namespace merch::testing
