#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "publisher/publisher.hpp"

namespace merch::logging {

struct KafkaOptions {
  std::string brokers;  // bootstrap servers, "host:port[,host:port]"
  std::string topic;
  // How long librdkafka keeps trying to deliver one message before reporting a failure.
  std::chrono::milliseconds message_timeout{10000};
  // How often the broker is probed for Healthy().
  std::chrono::milliseconds probe_interval{1000};
  // Called from the probe thread whenever Healthy() changes (and after the first probe).
  std::function<void(bool healthy)> on_health_change;
};

// The librdkafka settings of the publisher's producer: idempotent, acks=all, lz4, batching.
// Also the settings of the benchmark's baseline producer, so both are measured alike.
std::vector<std::pair<std::string, std::string>> ProducerSettings(const KafkaOptions& options);

// A Publisher over librdkafka: an idempotent producer (acks=all, ordered retries without
// duplicates), lz4 compression, and batching for throughput (linger 5 ms, up to 10,000
// messages a batch). Keys are trace ids, so one trace's events keep their order.
//
// Two background threads: one serves delivery reports, one probes the broker's metadata
// every probe_interval to answer Healthy(). Thread-safe.
class KafkaPublisher final : public Publisher {
 public:
  // kInvalidArgument when librdkafka rejects the configuration.
  static Result<std::unique_ptr<KafkaPublisher>> Create(const KafkaOptions& options);
  ~KafkaPublisher() override;  // flushes what is queued, for up to 5 s

  std::unique_ptr<Delivery> StartDelivery() override;
  bool Healthy() const override { return healthy_.load(); }

 private:
  class DeliveryReports;
  KafkaPublisher(KafkaOptions options, std::unique_ptr<DeliveryReports> reports,
                 std::unique_ptr<RdKafka::Producer> producer,
                 std::unique_ptr<RdKafka::Topic> topic);
  void ServeDeliveryReports();
  void ProbeBroker();

  const KafkaOptions options_;
  std::unique_ptr<DeliveryReports> reports_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::unique_ptr<RdKafka::Topic> topic_;
  std::atomic<bool> healthy_{false};
  std::atomic<bool> stopping_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  std::thread delivery_thread_;
  std::thread probe_thread_;
};

}  // namespace merch::logging
