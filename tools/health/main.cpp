// merch-health: asks a gRPC server's grpc.health.v1.Health/Check and exits 0 only when it
// answers SERVING. The probe of the db and logging services in deploy/docker/Dockerfile and
// deploy/k8s (the logging service answers NOT_SERVING while Kafka is unreachable).
//
//   merch-health [--service NAME] [--timeout-ms N] HOST:PORT
//
// Exit status: 0 SERVING, 1 anything else (printed on stderr), 2 bad arguments. The project
// generates no stubs for grpc.health.v1, so the one message is encoded by hand: field 1
// (service, a string) of HealthCheckRequest, and field 1 (status, an enum) of the response.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view kUsage =
    "usage: merch-health [--service NAME] [--timeout-ms N] HOST:PORT\n";
constexpr unsigned char kServing = 1;

std::string EncodeRequest(const std::string& service) {
  std::string request;
  if (service.empty()) return request;
  request.push_back('\x0a');  // field 1, length-delimited
  std::size_t length = service.size();
  do {
    unsigned char byte = length & 0x7f;
    length >>= 7;
    if (length != 0) byte |= 0x80;
    request.push_back(static_cast<char>(byte));
  } while (length != 0);
  return request + service;
}

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

int main(int argc, char** argv) {
  std::string service;
  std::string target;
  long timeout_ms = 3000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--service" && i + 1 < argc) {
      service = argv[++i];
    } else if (arg == "--timeout-ms" && i + 1 < argc) {
      timeout_ms = std::strtol(argv[++i], nullptr, 10);
      if (timeout_ms <= 0) {
        std::fputs(kUsage.data(), stderr);
        return 2;
      }
    } else if (!arg.starts_with("-") && target.empty()) {
      target = arg;
    } else {
      std::fputs(kUsage.data(), stderr);
      return 2;
    }
  }
  if (target.empty()) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }

  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  grpc::CompletionQueue queue;
  const std::string request_bytes = EncodeRequest(service);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &queue);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, nullptr);
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }

  if (!status.ok()) {
    std::fprintf(stderr, "merch-health: %s: %s (code %d)\n", target.c_str(),
                 status.error_message().c_str(), static_cast<int>(status.error_code()));
    return 1;
  }
  const std::string body = ToString(response);
  // SERVING is the bytes 08 01; an empty body is status 0, UNKNOWN.
  if (body.size() == 2 && body[0] == '\x08' && static_cast<unsigned char>(body[1]) == kServing) {
    return 0;
  }
  const int value = body.size() >= 2 ? static_cast<unsigned char>(body[1]) : 0;
  std::fprintf(stderr, "merch-health: %s is not serving (status %d)\n", target.c_str(), value);
  return 1;
}
