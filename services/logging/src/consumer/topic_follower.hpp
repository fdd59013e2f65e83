#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "merch/common/error.hpp"

namespace merch::logs {

struct FollowOptions {
  std::string brokers;  // bootstrap servers, "host:port[,host:port]"
  std::string topic;
  bool from_beginning = false;  // else from each partition's end at the start
  bool exit_at_end = false;     // stop once every partition has been read to its end
};

// One record of the topic.
struct Record {
  std::string_view payload;        // valid during the callback only
  std::int64_t timestamp_ms = -1;  // the record's Kafka timestamp; -1 when it has none
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

// Reads every partition of one topic, assigned explicitly rather than through a consumer group:
// any number of followers see every event without taking partitions from one another, start
// without waiting for a rebalance, and commit nothing. Partitions added after the start are not
// followed. librdkafka reconnects by itself; the follower tells `status` once when Kafka is
// out of reach. Single-threaded: Run's callbacks are called on the caller's thread.
class TopicFollower {
 public:
  // Returns true to stop.
  using StopRequested = std::function<bool()>;
  // Returns false to stop, or an error to stop with it.
  using OnRecord = std::function<Result<bool>(const Record&)>;

  // kInvalidArgument when librdkafka rejects the configuration. No connection is made yet.
  static Result<std::unique_ptr<TopicFollower>> Create(FollowOptions options, std::ostream& status);
  ~TopicFollower();  // closes the consumer
  TopicFollower(const TopicFollower&) = delete;
  TopicFollower& operator=(const TopicFollower&) = delete;

  // Waits until the topic's partitions are known, then hands each record to `on_record` until
  // `stop_requested()` holds (checked at least every 100 ms), `on_record` says stop, or, with
  // exit_at_end, every partition has been read to its end. An error only for what retrying
  // cannot mend (a fatal consumer error, or one from `on_record`).
  Result<void> Run(const StopRequested& stop_requested, const OnRecord& on_record);

 private:
  class Events;
  struct Start {
    std::int32_t partition;
    std::int64_t offset;
  };

  TopicFollower(FollowOptions options, std::ostream& status, std::unique_ptr<Events> events,
                std::unique_ptr<RdKafka::KafkaConsumer> consumer,
                std::unique_ptr<RdKafka::Topic> topic);
  // Each partition and where to start reading it; nothing when stopped while waiting.
  std::optional<std::vector<Start>> WaitForPartitions(const StopRequested& stop_requested);
  std::optional<std::vector<Start>> TryPartitions(std::string& why_not);

  const FollowOptions options_;
  std::ostream& status_;
  std::unique_ptr<Events> events_;  // outlives the consumer, which calls it
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<RdKafka::Topic> topic_;
};

}  // namespace merch::logs
