#include "grpc/logging_service.hpp"

#include <string>

#include "merch/common/grpc_status.hpp"

namespace merch::logging {
namespace {

// Trailing metadata: how many messages of the stream were refused as invalid.
constexpr const char* kRejectedMetadata = "merch-rejected";

}  // namespace

LoggingService::LoggingService(Publisher& publisher, std::chrono::milliseconds delivery_timeout)
    : publisher_(publisher), delivery_timeout_(delivery_timeout) {}

grpc::Status LoggingService::StreamLogs(grpc::ServerContext* context,
                                        grpc::ServerReader<merch::v1::LogMessage>* reader,
                                        merch::v1::LogResponse* response) {
  if (!publisher_.Healthy()) {
    return {grpc::StatusCode::UNAVAILABLE, "the log broker is unavailable"};
  }
  auto delivery = publisher_.StartDelivery();
  Result<void> published;
  std::int64_t received = 0;
  std::int64_t rejected = 0;
  std::string first_rejection;

  // Events are handed to the broker client as they arrive, and acknowledged in the background
  // while the rest of the stream is read.
  merch::v1::LogMessage message;
  while (reader->Read(&message)) {
    ++received;
    auto rendered = RenderEvent(message);
    if (!rendered) {
      if (rejected++ == 0) {
        first_rejection = "message " + std::to_string(received) + ": " + rendered.error().detail;
      }
      continue;
    }
    if (published) published = delivery->Publish(*rendered);
  }
  if (published) published = delivery->Wait(std::chrono::steady_clock::now() + delivery_timeout_);
  context->AddTrailingMetadata(kRejectedMetadata, std::to_string(rejected));
  if (!published) return ToGrpcStatus(published.error());
  if (rejected > 0) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            std::to_string(rejected) + " of " + std::to_string(received) +
                " messages rejected (first: " + first_rejection + "); the other " +
                std::to_string(delivery->published()) + " were published"};
  }
  response->set_success(true);
  response->set_accepted(delivery->published());
  return grpc::Status::OK;
}

}  // namespace merch::logging
