#include "publisher/kafka_publisher.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace merch::logging {
namespace {

// Counts the outstanding deliveries of one Delivery and tells its owner when none are left.
// Shared between the Delivery and every in-flight message (through a heap-allocated
// shared_ptr passed as the message's opaque), so that no report can outlive it.
class DeliveryBatch {
 public:
  void Add() {
    std::lock_guard lock(mutex_);
    ++pending_;
  }
  void Report(bool delivered) {
    Delivery::Acknowledged done;
    {
      std::lock_guard lock(mutex_);
      if (!delivered) failed_ = true;
      if (--pending_ == 0 && done_) done = std::move(done_);
    }
    if (done) Tell(done);
  }
  // `done` runs once no message is pending: now, or with the last report.
  void WhenDone(Delivery::Acknowledged done) {
    {
      std::lock_guard lock(mutex_);
      if (pending_ > 0) {
        done_ = std::move(done);
        return;
      }
    }
    Tell(done);
  }

 private:
  void Tell(const Delivery::Acknowledged& done) const {
    // failed_ no longer changes once nothing is pending.
    if (failed_) {
      done(Error{ErrorCode::kUnavailable, "the log broker did not acknowledge every event"});
    } else {
      done({});
    }
  }

  std::mutex mutex_;
  std::size_t pending_ = 0;      // guarded by mutex_
  bool failed_ = false;          // guarded by mutex_ while messages are pending
  Delivery::Acknowledged done_;  // guarded by mutex_
};

using BatchHandle = std::shared_ptr<DeliveryBatch>;

Result<void> Set(RdKafka::Conf& conf, const std::string& name, const std::string& value) {
  std::string error;
  if (conf.set(name, value, error) != RdKafka::Conf::CONF_OK) {
    return Error{ErrorCode::kInvalidArgument, "kafka setting " + name + ": " + error};
  }
  return {};
}

}  // namespace

class KafkaPublisher::DeliveryReports final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<BatchHandle> batch(static_cast<BatchHandle*>(message.msg_opaque()));
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      spdlog::warn("kafka delivery failed: {}", message.errstr());
    }
    (*batch)->Report(message.err() == RdKafka::ERR_NO_ERROR);
  }
};

std::vector<std::pair<std::string, std::string>> ProducerSettings(const KafkaOptions& options) {
  return {
      {"bootstrap.servers", options.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", "lz4"},
      {"linger.ms", "20"},
      {"batch.num.messages", "10000"},
      {"batch.size", "1000000"},
      {"queue.buffering.max.messages", "1000000"},
      {"message.timeout.ms", std::to_string(options.message_timeout.count())},
      {"socket.connection.setup.timeout.ms", "3000"},
      {"reconnect.backoff.max.ms", "1000"},
      {"log.connection.close", "false"},
  };
}

Result<std::unique_ptr<KafkaPublisher>> KafkaPublisher::Create(const KafkaOptions& options) {
  auto reports = std::make_unique<DeliveryReports>();
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [name, value] : ProducerSettings(options)) {
    if (auto set = Set(*conf, name, value); !set) return set.error();
  }
  std::string error;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(reports.get()), error) !=
      RdKafka::Conf::CONF_OK) {
    return Error{ErrorCode::kInvalidArgument, "kafka dr_cb: " + error};
  }
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), error));
  if (!producer) return Error{ErrorCode::kInvalidArgument, "kafka producer: " + error};
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(producer.get(), options.topic, nullptr, error));
  if (!topic) return Error{ErrorCode::kInvalidArgument, "kafka topic: " + error};
  return std::unique_ptr<KafkaPublisher>(
      new KafkaPublisher(options, std::move(reports), std::move(producer), std::move(topic)));
}

KafkaPublisher::KafkaPublisher(KafkaOptions options, std::unique_ptr<DeliveryReports> reports,
                               std::unique_ptr<RdKafka::Producer> producer,
                               std::unique_ptr<RdKafka::Topic> topic)
    : options_(std::move(options)),
      reports_(std::move(reports)),
      producer_(std::move(producer)),
      topic_(std::move(topic)) {
  delivery_thread_ = std::thread([this] { ServeDeliveryReports(); });
  probe_thread_ = std::thread([this] { ProbeBroker(); });
}

KafkaPublisher::~KafkaPublisher() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  probe_thread_.join();
  delivery_thread_.join();
  if (producer_->flush(5000) != RdKafka::ERR_NO_ERROR) {
    spdlog::warn("{} log events were still queued at shutdown", producer_->outq_len());
  }
  // Reports for messages that never got an answer free their handles here.
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  producer_->poll(0);
}

void KafkaPublisher::ServeDeliveryReports() {
  while (!stopping_) producer_->poll(100);
}

void KafkaPublisher::ProbeBroker() {
  std::unique_lock lock(stop_mutex_);
  bool first_probe = true;
  while (!stopping_) {
    lock.unlock();
    RdKafka::Metadata* metadata = nullptr;
    const auto probe_timeout = static_cast<int>(options_.probe_interval.count() * 2);
    const auto result = producer_->metadata(false, topic_.get(), &metadata, probe_timeout);
    delete metadata;
    const bool healthy = result == RdKafka::ERR_NO_ERROR;
    if (healthy != healthy_.exchange(healthy) || first_probe) {
      spdlog::info("kafka is {}", healthy ? "reachable" : "unreachable");
      if (options_.on_health_change) options_.on_health_change(healthy);
    }
    first_probe = false;
    lock.lock();
    stop_signal_.wait_for(lock, options_.probe_interval, [&] { return stopping_.load(); });
  }
}

class KafkaDelivery final : public Delivery {
 public:
  KafkaDelivery(RdKafka::Producer& producer, RdKafka::Topic& topic)
      : producer_(producer), topic_(topic), batch_(std::make_shared<DeliveryBatch>()) {}

  Result<void> Publish(const RenderedEvent& event) override {
    auto handle = std::make_unique<BatchHandle>(batch_);
    batch_->Add();  // before produce: the report may come at once, on another thread
    for (int attempt = 0;; ++attempt) {
      const auto code =
          producer_.produce(&topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                            const_cast<char*>(event.json.data()), event.json.size(),
                            event.key.data(), event.key.size(), handle.get());
      if (code == RdKafka::ERR_NO_ERROR) break;
      // A full local queue drains as the broker acknowledges (for up to ~1 s here); anything
      // else is final.
      if (code != RdKafka::ERR__QUEUE_FULL || attempt == 1000) {
        spdlog::warn("kafka produce failed: {}", RdKafka::err2str(code));
        batch_->Report(false);
        return Error{ErrorCode::kUnavailable, "the log broker is unavailable"};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // backoff while it drains
    }
    static_cast<void>(handle.release());  // now owned by the message; freed by its delivery report
    ++published_;
    return {};
  }

  void WhenAcknowledged(Acknowledged done) override { batch_->WhenDone(std::move(done)); }

  std::int64_t Published() const override { return published_; }

 private:
  RdKafka::Producer& producer_;
  RdKafka::Topic& topic_;
  std::shared_ptr<DeliveryBatch> batch_;
  std::int64_t published_ = 0;
};

std::unique_ptr<Delivery> KafkaPublisher::StartDelivery() {
  return std::make_unique<KafkaDelivery>(*producer_, *topic_);
}

}  // namespace merch::logging
