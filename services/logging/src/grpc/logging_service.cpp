#include "grpc/logging_service.hpp"

#include <grpcpp/support/proto_buffer_reader.h>

#include <cstdint>
#include <memory>
#include <string>

#include "merch/common/grpc_status.hpp"
#include "merch/common/log_protocol.hpp"

namespace merch::logging {
namespace {

// One stream: owns itself from construction until gRPC calls OnDone.
class StreamReader final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  StreamReader(grpc::CallbackServerContext* context, grpc::ByteBuffer* response,
               Publisher& publisher)
      : context_(context), response_(response) {
    if (!publisher.Healthy()) {
      Answer({grpc::StatusCode::UNAVAILABLE, "the log broker is unavailable"});
      return;
    }
    delivery_ = publisher.StartDelivery();
    StartRead(&buffer_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client finished the stream (or it broke: then Finish is moot)
      delivery_->WhenAcknowledged(
          [this](const Result<void>& acknowledged) { Conclude(acknowledged); });
      return;
    }
    ++received_;
    Take(buffer_);
    buffer_.Clear();
    StartRead(&buffer_);
  }

  void OnDone() override { delete this; }

 private:
  void Take(const grpc::ByteBuffer& bytes) {
    merch::v1::LogMessage message;
    grpc::ProtoBufferReader reader(const_cast<grpc::ByteBuffer*>(&bytes));
    if (!message.ParseFromZeroCopyStream(&reader)) {
      Reject("not a readable LogMessage (malformed, or a string that is not UTF-8)");
      return;
    }
    auto rendered = RenderEvent(message);
    if (!rendered) {
      Reject(rendered.error().detail);
      return;
    }
    // After one failed hand-over the broker is taken as unavailable for the whole stream.
    if (published_) published_ = delivery_->Publish(*rendered);
  }

  void Reject(const std::string& reason) {
    if (rejected_++ == 0) {
      first_rejection_ = "message " + std::to_string(received_) + ": " + reason;
    }
  }

  // Runs once, on the publisher's delivery-report thread (or at once).
  void Conclude(const Result<void>& acknowledged) {
    if (published_ && !acknowledged) published_ = acknowledged.error();
    if (!published_) {
      Answer(ToGrpcStatus(published_.error()));
    } else if (rejected_ > 0) {
      Answer({grpc::StatusCode::INVALID_ARGUMENT,
              std::to_string(rejected_) + " of " + std::to_string(received_) +
                  " messages rejected (first: " + first_rejection_ + "); the other " +
                  std::to_string(delivery_->Published()) + " were published"});
    } else {
      merch::v1::LogResponse answer;
      answer.set_success(true);
      answer.set_accepted(delivery_->Published());
      bool own_buffer = false;
      if (const auto status = grpc::SerializationTraits<merch::v1::LogResponse>::Serialize(
              answer, response_, &own_buffer);
          !status.ok()) {
        Answer(status);
        return;
      }
      Answer(grpc::Status::OK);
    }
  }

  void Answer(const grpc::Status& status) {
    context_->AddTrailingMetadata(std::string(log_protocol::kRejectedTrailer),
                                  std::to_string(rejected_));
    Finish(status);
  }

  grpc::CallbackServerContext* const context_;
  grpc::ByteBuffer* const response_;
  std::unique_ptr<Delivery> delivery_;
  grpc::ByteBuffer buffer_;
  std::int64_t received_ = 0;
  std::int64_t rejected_ = 0;
  std::string first_rejection_;
  Result<void> published_;
};

}  // namespace

LoggingService::LoggingService(Publisher& publisher) : publisher_(publisher) {}

grpc::ServerReadReactor<grpc::ByteBuffer>* LoggingService::StreamLogs(
    grpc::CallbackServerContext* context, grpc::ByteBuffer* response) {
  return new StreamReader(context, response, publisher_);
}

}  // namespace merch::logging
