#include "merch/logship/log_shipper.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <random>

namespace merch::logship {
namespace {

// Trailing metadata of StreamLogs: how many messages the service refused as invalid.
constexpr const char* kRejectedMetadata = "merch-rejected";

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  grpc::ChannelArguments arguments;
  // Reconnect quickly after the logging service restarts (gRPC's default backoff grows to
  // two minutes, far longer than any queue should wait).
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Every address the target resolves to takes streams in turn (a headless Service on
  // Kubernetes, deploy/k8s); with one address this is the same as pick_first.
  arguments.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
}

}  // namespace

std::string NewEventId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uint64_t high = generator();
  std::uint64_t low = generator();
  high = (high & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;    // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                static_cast<unsigned>(high & 0xFFFF), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text;
}

std::int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

LogShipper::LogShipper(ShipperOptions options)
    : options_(std::move(options)),
      channel_(MakeChannel(options_.target)),
      stub_(merch::v1::LoggingService::NewStub(channel_)) {
  for (int i = 0; i < options_.senders; ++i) senders_.emplace_back([this] { RunSender(); });
}

LogShipper::~LogShipper() { Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(2)); }

bool LogShipper::Ship(LogEvent event) {
  merch::v1::LogMessage message;
  message.set_level(event.level);
  message.set_service_name(options_.service_name);
  message.set_message(std::move(event.message));
  message.set_timestamp(NowMillis());
  message.set_trace_id(std::move(event.trace_id));
  message.set_event(std::move(event.event));
  message.set_event_id(NewEventId());
  if (!event.attributes.empty()) {
    message.set_attributes_json(boost::json::serialize(event.attributes));
  }
  return Enqueue(std::move(message));
}

bool LogShipper::Enqueue(merch::v1::LogMessage message) {
  {
    std::lock_guard lock(mutex_);
    if (!accepting_ || queue_.size() >= options_.queue_capacity) {
      ++dropped_;
      return false;
    }
    queue_.push_back(std::move(message));
  }
  ++enqueued_;
  queued_.notify_one();
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
}

ShipperStats LogShipper::stats() const {
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
  queued_.wait(lock, [&] { return !queue_.empty() || !accepting_; });
  if (queue_.empty() || std::chrono::steady_clock::now() >= give_up_at_) return false;
  const std::size_t count = std::min(queue_.size(), options_.max_batch);
  for (std::size_t i = 0; i < count; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return true;
}

grpc::Status LogShipper::Send(const std::vector<merch::v1::LogMessage>& batch,
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
  auto writer = stub_->StreamLogs(&context, &response);
  for (const auto& message : batch) {
    if (!writer->Write(message)) break;  // the stream failed; Finish says why
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  *rejected = 0;
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto found = trailers.find(kRejectedMetadata); found != trailers.end()) {
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
    while (true) {
      std::uint64_t rejected = 0;
      const grpc::Status status = Send(batch, &rejected);
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
