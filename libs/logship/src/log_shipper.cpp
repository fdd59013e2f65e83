#include "merch/logship/log_shipper.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <random>
#include <stdexcept>

#include "merch/common/clock.hpp"
#include "merch/common/grpc_channel.hpp"
#include "merch/common/log_protocol.hpp"
#include "merch/common/validation.hpp"

namespace merch::logship {
namespace {

// Protobuf refuses a string field that is not valid UTF-8, and the logging service then cannot
// read the message: escape such bytes (validation::EscapeInvalidUtf8) in every string field.
// attributes_json is JSON text whose strings are written unescaped by Boost.JSON, so an invalid
// byte there stands inside a JSON string and becomes the JSON escape of a backslash plus "xHH".
void MakeValidUtf8(merch::v1::LogMessage& message) {
  const auto fix = [](std::string* field, std::string_view escape) {
    if (validation::Utf8Length(*field) < 0) *field = validation::EscapeInvalidUtf8(*field, escape);
  };
  fix(message.mutable_service_name(), "\\x");
  fix(message.mutable_message(), "\\x");
  fix(message.mutable_trace_id(), "\\x");
  fix(message.mutable_event(), "\\x");
  fix(message.mutable_event_id(), "\\x");
  fix(message.mutable_attributes_json(), "\\\\x");
}

// Consecutive failed sends of one batch after which a sender replaces the channel.
constexpr int kFailuresBeforeNewChannel = 4;

const std::shared_ptr<grpc::ChannelCredentials>& RequireCredentials(
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  if (!credentials) throw std::invalid_argument("ShipperOptions::credentials is required");
  return credentials;
}

}  // namespace

std::string NewEventId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uint64_t high = generator();
  std::uint64_t low = generator();
  high = (high & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;    // RFC 4122 variant
  std::array<char, 37> text{};
  std::snprintf(text.data(), text.size(), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                static_cast<unsigned>(high & 0xFFFF), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text.data();
}

LogShipper::LogShipper(ShipperOptions options) : options_(std::move(options)), stub_(NewStub()) {
  for (int i = 0; i < options_.senders; ++i) senders_.emplace_back([this] { RunSender(); });
}

LogShipper::~LogShipper() { Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(2)); }

bool LogShipper::Ship(LogEvent event) {
  merch::v1::LogMessage message;
  message.set_level(event.level);
  message.set_service_name(options_.service_name);
  message.set_message(std::move(event.message));
  message.set_timestamp(UnixMillis());
  message.set_trace_id(std::move(event.trace_id));
  message.set_event(std::move(event.event));
  message.set_event_id(NewEventId());
  if (!event.attributes.empty()) {
    message.set_attributes_json(boost::json::serialize(event.attributes));
  }
  return Enqueue(std::move(message));
}

bool LogShipper::Enqueue(merch::v1::LogMessage message) {
  MakeValidUtf8(message);
  const std::size_t bytes = message.ByteSizeLong();  // TakeBatch gives back the same figure
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!accepting_ || queue_.size() >= options_.queue_capacity ||
        queued_bytes_ + bytes > options_.queue_bytes) {
      ++dropped_;
      return false;
    }
    queued_bytes_ += bytes;
    queue_.push_back(std::move(message));
    wake = queue_.size() == 1 || queue_.size() == options_.max_batch;
  }
  ++enqueued_;
  if (wake) queued_.notify_one();
  return true;
}

void LogShipper::Shutdown(std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!accepting_) return;
    accepting_ = false;
    give_up_at_ = deadline;
  }
  queued_.notify_all();
  for (auto& sender : senders_) sender.join();
  std::lock_guard lock(mutex_);
  dropped_ += queue_.size();
  queue_.clear();
  queued_bytes_ = 0;
}

ShipperStats LogShipper::Stats() const {
  ShipperStats stats{
      .enqueued = enqueued_,
      .delivered = delivered_,
      .rejected = rejected_,
      .dropped = dropped_,
      .resent_batches = resent_batches_,
      .queue_depth = 0,
  };
  std::lock_guard lock(mutex_);
  stats.queue_depth = queue_.size();
  return stats;
}

bool LogShipper::TakeBatch(std::vector<merch::v1::LogMessage>& batch) {
  std::unique_lock lock(mutex_);
  do {
    queued_.wait(lock, [&] { return !queue_.empty() || !accepting_; });
    queued_.wait_for(lock, options_.linger,
                     [&] { return queue_.size() >= options_.max_batch || !accepting_; });
  } while (queue_.empty() && accepting_);  // the other sender took what was waiting
  if (queue_.empty() || std::chrono::steady_clock::now() >= give_up_at_) return false;
  const std::size_t count = std::min(queue_.size(), options_.max_batch);
  for (std::size_t i = 0; i < count; ++i) {
    queued_bytes_ -= queue_.front().ByteSizeLong();
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return true;
}

std::shared_ptr<LogShipper::Stub> LogShipper::NewStub() const {
  return merch::v1::LoggingService::NewStub(MakeServiceChannel(
      options_.target, RequireCredentials(options_.credentials), options_.server_identity));
}

std::shared_ptr<LogShipper::Stub> LogShipper::CurrentStub() const {
  std::lock_guard lock(mutex_);
  return stub_;
}

void LogShipper::ReplaceStub(const std::shared_ptr<Stub>& failed) {
  auto fresh = NewStub();
  std::lock_guard lock(mutex_);
  if (stub_ == failed) stub_ = std::move(fresh);
}

grpc::Status LogShipper::Send(Stub& stub, const std::vector<merch::v1::LogMessage>& batch,
                              std::uint64_t* rejected) {
  grpc::ClientContext context;
  auto timeout =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.stream_timeout);
  {
    // A stream in flight at shutdown ends by shutdown's deadline.
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (give_up_at_ != std::chrono::steady_clock::time_point::max()) {
      timeout =
          std::min(timeout, std::max(give_up_at_ - now, std::chrono::steady_clock::duration{}));
    }
  }
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  merch::v1::LogResponse response;
  auto writer = stub.StreamLogs(&context, &response);
  // Buffered writes: gRPC may hold each message back to send it with the next ones, and the
  // last write sends what is held together with the end of the stream. Without the hint each
  // message went out in its own frame and TLS record, and the logging service woke for each.
  const auto buffered = grpc::WriteOptions().set_buffer_hint();
  bool open = true;
  for (std::size_t i = 0; open && i + 1 < batch.size(); ++i) {
    open = writer->Write(batch[i], buffered);  // false: the stream failed; Finish says why
  }
  if (open && !batch.empty()) {
    writer->WriteLast(batch.back(), grpc::WriteOptions());
  } else {
    writer->WritesDone();
  }
  grpc::Status status = writer->Finish();
  *rejected = 0;
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto found = trailers.find(grpc::string_ref(log_protocol::kRejectedTrailer.data(),
                                                  log_protocol::kRejectedTrailer.size()));
      found != trailers.end()) {
    *rejected =
        std::strtoull(std::string(found->second.data(), found->second.size()).c_str(), nullptr, 10);
  }
  return status;
}

void LogShipper::RunSender() {
  std::vector<merch::v1::LogMessage> batch;
  batch.reserve(options_.max_batch);
  while (TakeBatch(batch)) {
    auto backoff = options_.initial_backoff;
    int failures = 0;
    while (true) {
      std::uint64_t rejected = 0;
      const auto stub = CurrentStub();
      const grpc::Status status = Send(*stub, batch, &rejected);
      // INVALID_ARGUMENT: the valid events were published; resending would not help.
      if (status.ok() || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        rejected = std::min<std::uint64_t>(rejected, batch.size());
        delivered_ += batch.size() - rejected;
        rejected_ += rejected;
        if (failing_.exchange(false)) spdlog::info("log shipping recovered");
        break;
      }
      if (!failing_.exchange(true)) {
        spdlog::warn("log shipping failing ({}), retrying", status.error_message());
      }
      // After a few failures in a row, the next try gets a new channel. With gRPC 1.51 over TLS
      // a channel to a logging service restarted on the same address could stay stuck, every
      // handshake timing out (under AddressSanitizer, in
      // services/logging/tests/shipper_test.cpp's kill-and-restart test); a new channel
      // connected at once.
      if (++failures % kFailuresBeforeNewChannel == 0) ReplaceStub(stub);
      std::unique_lock lock(mutex_);
      const auto retry_at = std::min(std::chrono::steady_clock::now() + backoff, give_up_at_);
      // Sleeps out the backoff, waking early only when shutdown's deadline arrives.
      queued_.wait_until(lock, retry_at,
                         [&] { return std::chrono::steady_clock::now() >= give_up_at_; });
      if (std::chrono::steady_clock::now() >= give_up_at_) {
        dropped_ += batch.size();
        break;
      }
      lock.unlock();
      ++resent_batches_;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    batch.clear();
  }
}

}  // namespace merch::logship
