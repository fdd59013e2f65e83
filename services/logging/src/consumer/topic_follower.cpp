#include "consumer/topic_follower.hpp"

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <utility>

namespace merch::logs {
namespace {

constexpr int kPollMs = 100;
constexpr int kMetadataTimeoutMs = 1000;
constexpr auto kRetryPause = std::chrono::milliseconds(500);

}  // namespace

// librdkafka's events. Errors arrive on the thread that calls consume(); logs on librdkafka's
// own threads, hence the atomic.
class TopicFollower::Events final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    // Logs are dropped: an unreachable broker would print a line per connection attempt, and
    // the follower says it once instead. Fatal errors also come back from consume().
    if (event.type() == RdKafka::Event::EVENT_ERROR &&
        event.err() == RdKafka::ERR__ALL_BROKERS_DOWN) {
      all_brokers_down_ = true;
    }
  }

  // Whether every broker went down since the last call.
  bool TakeAllBrokersDown() { return all_brokers_down_.exchange(false); }

 private:
  std::atomic<bool> all_brokers_down_{false};
};

Result<std::unique_ptr<TopicFollower>> TopicFollower::Create(FollowOptions options,
                                                             std::ostream& status) {
  auto events = std::make_unique<Events>();
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"bootstrap.servers", options.brokers},
      {"client.id", "merch-logs"},
      // The C++ KafkaConsumer requires a group id; it is never joined (partitions are assigned)
      // and nothing is committed under it.
      {"group.id", "merch-logs"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // Tells when a partition has been read to its end: for --exit-at-end, and as a sign
      // that Kafka is reachable again.
      {"enable.partition.eof", "true"},
      // How long the broker may hold a fetch that finds nothing new (500 ms by default). A
      // follower mostly waits at the end of the topic, and this bounds how soon it starts and
      // how soon --exit-at-end sees the end.
      {"fetch.wait.max.ms", "100"},
      {"reconnect.backoff.max.ms", "1000"},
      {"log.connection.close", "false"},
  };
  std::string error;
  for (const auto& [name, value] : settings) {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      std::string reason = "kafka setting " + name;
      reason += ": " + error;
      return Error{ErrorCode::kInvalidArgument, std::move(reason)};
    }
  }
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(events.get()), error) !=
      RdKafka::Conf::CONF_OK) {
    return Error{ErrorCode::kInvalidArgument, "kafka event_cb: " + error};
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) return Error{ErrorCode::kInvalidArgument, "kafka consumer: " + error};
  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(consumer.get(), options.topic, nullptr, error));
  if (!topic) return Error{ErrorCode::kInvalidArgument, "kafka topic: " + error};
  return std::unique_ptr<TopicFollower>(new TopicFollower(
      std::move(options), status, std::move(events), std::move(consumer), std::move(topic)));
}

TopicFollower::TopicFollower(FollowOptions options, std::ostream& status,
                             std::unique_ptr<Events> events,
                             std::unique_ptr<RdKafka::KafkaConsumer> consumer,
                             std::unique_ptr<RdKafka::Topic> topic)
    : options_(std::move(options)),
      status_(status),
      events_(std::move(events)),
      consumer_(std::move(consumer)),
      topic_(std::move(topic)) {}

TopicFollower::~TopicFollower() {
  topic_.reset();
  consumer_->close();
}

std::optional<std::vector<TopicFollower::Start>> TopicFollower::TryPartitions(
    std::string& why_not) {
  RdKafka::Metadata* raw_metadata = nullptr;
  const auto code = consumer_->metadata(false, topic_.get(), &raw_metadata, kMetadataTimeoutMs);
  const std::unique_ptr<RdKafka::Metadata> metadata(raw_metadata);
  if (code != RdKafka::ERR_NO_ERROR) {
    why_not = "Kafka at " + options_.brokers + " (" + RdKafka::err2str(code) + ")";
    return std::nullopt;
  }
  const RdKafka::TopicMetadata* topic = nullptr;
  for (const auto* candidate : *metadata->topics()) {
    if (candidate->topic() == options_.topic) topic = candidate;
  }
  if (topic == nullptr || topic->err() != RdKafka::ERR_NO_ERROR || topic->partitions()->empty()) {
    const auto topic_error = topic == nullptr ? RdKafka::ERR_UNKNOWN_TOPIC_OR_PART : topic->err();
    why_not = "topic " + options_.topic + " at " + options_.brokers + " (" +
              RdKafka::err2str(topic_error) + ")";
    return std::nullopt;
  }

  std::vector<Start> starts;
  for (const auto* partition : *topic->partitions()) {
    std::int64_t offset = RdKafka::Topic::OFFSET_BEGINNING;
    if (!options_.from_beginning) {
      // The end is read now rather than left to OFFSET_END, which librdkafka resolves only when
      // it starts fetching: "new events" are then exactly those after the "following" line.
      std::int64_t low = 0;
      const auto watermarks = consumer_->query_watermark_offsets(options_.topic, partition->id(),
                                                                 &low, &offset, kMetadataTimeoutMs);
      if (watermarks != RdKafka::ERR_NO_ERROR) {
        why_not = "the end of " + options_.topic + " at " + options_.brokers + " (" +
                  RdKafka::err2str(watermarks) + ")";
        return std::nullopt;
      }
    }
    starts.push_back({.partition = partition->id(), .offset = offset});
  }
  return starts;
}

std::optional<std::vector<TopicFollower::Start>> TopicFollower::WaitForPartitions(
    const StopRequested& stop_requested) {
  std::string said;
  while (!stop_requested()) {
    std::string why_not;
    if (auto starts = TryPartitions(why_not)) return starts;
    if (why_not != said) {
      status_ << "merch-logs: waiting for " << why_not << "; retrying" << std::endl;
      said = why_not;
    }
    // A missing topic is reported at once; without this pause the loop would spin.
    const auto resume = std::chrono::steady_clock::now() + kRetryPause;
    while (std::chrono::steady_clock::now() < resume && !stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    }
  }
  return std::nullopt;
}

Result<void> TopicFollower::Run(const StopRequested& stop_requested, const OnRecord& on_record) {
  const auto starts = WaitForPartitions(stop_requested);
  if (!starts) return {};
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto& start : *starts) {
    partitions.push_back(
        RdKafka::TopicPartition::create(options_.topic, start.partition, start.offset));
  }
  const auto assigned = consumer_->assign(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  if (assigned != RdKafka::ERR_NO_ERROR) {
    return Error{ErrorCode::kUnavailable, "kafka assign: " + RdKafka::err2str(assigned)};
  }
  status_ << "merch-logs: following " << options_.topic << " at " << options_.brokers << " ("
          << starts->size() << " partitions, "
          << (options_.from_beginning ? "from the beginning" : "new events only") << ")"
          << std::endl;

  std::set<std::int32_t> at_end;  // partitions read to their end, for exit_at_end
  // Whether records (or ends) have come since the start or the last outage. An outage is
  // reported only then: the start-up's failed attempts were reported while waiting.
  bool reading = false;
  bool said_down = false;
  std::string last_error;
  while (!stop_requested()) {
    const std::unique_ptr<RdKafka::Message> message(consumer_->consume(kPollMs));
    if (events_->TakeAllBrokersDown() && reading) {
      status_ << "merch-logs: lost Kafka at " << options_.brokers << "; retrying" << std::endl;
      reading = false;
      said_down = true;
    }
    const auto code = message->err();
    if (code == RdKafka::ERR_NO_ERROR || code == RdKafka::ERR__PARTITION_EOF) {
      if (said_down) status_ << "merch-logs: Kafka is back" << std::endl;
      said_down = false;
      reading = true;
      last_error.clear();
    }
    switch (code) {
      case RdKafka::ERR_NO_ERROR: {
        at_end.erase(message->partition());
        const auto timestamp = message->timestamp();
        const Record record{
            .payload = {static_cast<const char*>(message->payload()), message->len()},
            .timestamp_ms = timestamp.type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE
                                ? -1
                                : timestamp.timestamp,
            .partition = message->partition(),
            .offset = message->offset(),
        };
        auto go_on = on_record(record);
        if (!go_on) return go_on.error();
        if (!*go_on) return {};
        break;
      }
      case RdKafka::ERR__PARTITION_EOF:
        at_end.insert(message->partition());
        if (options_.exit_at_end && at_end.size() == starts->size()) return {};
        break;
      case RdKafka::ERR__TIMED_OUT:
        break;
      case RdKafka::ERR__FATAL: {
        std::string reason;
        consumer_->fatal_error(reason);
        return Error{ErrorCode::kUnavailable, "kafka: " + reason};
      }
      default:
        // Anything else is retried by librdkafka; say it once, not at every attempt.
        if (message->errstr() != last_error) {
          last_error = message->errstr();
          status_ << "merch-logs: kafka: " << last_error << std::endl;
        }
        break;
    }
  }
  return {};
}

}  // namespace merch::logs
