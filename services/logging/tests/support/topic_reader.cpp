#include "support/topic_reader.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <boost/json.hpp>
#include <memory>
#include <set>
#include <stdexcept>

namespace merch::testing {

TopicReader::TopicReader(std::string brokers, std::string topic)
    : brokers_(std::move(brokers)), topic_(std::move(topic)) {}

std::vector<boost::json::object> TopicReader::ReadUntil(
    const std::string& trace_prefix,
    const std::function<bool(const std::vector<boost::json::object>&)>& done,
    std::chrono::seconds timeout) const {
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", brokers_, error);
  conf->set("group.id", "merch-test-reader", error);  // required, unused: partitions are assigned
  conf->set("enable.auto.commit", "false", error);
  conf->set("enable.partition.eof", "true", error);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) throw std::runtime_error("kafka consumer: " + error);

  std::unique_ptr<RdKafka::Topic> topic(
      RdKafka::Topic::create(consumer.get(), topic_, nullptr, error));
  RdKafka::Metadata* raw_metadata = nullptr;
  if (consumer->metadata(false, topic.get(), &raw_metadata, 10000) != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("kafka metadata unavailable");
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw_metadata);
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto* partition : *metadata->topics()->at(0)->partitions()) {
    partitions.push_back(
        RdKafka::TopicPartition::create(topic_, partition->id(), RdKafka::Topic::OFFSET_BEGINNING));
  }
  consumer->assign(partitions);
  RdKafka::TopicPartition::destroy(partitions);

  // Reads until `done` holds and every partition has been read to its end, so that late
  // duplicates are seen too.
  const std::size_t partition_count = metadata->topics()->at(0)->partitions()->size();
  std::set<std::int32_t> at_end;
  std::vector<boost::json::object> events;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!(at_end.size() == partition_count && done(events)) &&
         std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(200));
    if (message->err() == RdKafka::ERR__PARTITION_EOF) at_end.insert(message->partition());
    if (message->err() != RdKafka::ERR_NO_ERROR) continue;
    at_end.erase(message->partition());
    const std::string_view text(static_cast<const char*>(message->payload()), message->len());
    auto value = boost::json::parse(text);
    auto& object = value.as_object();
    const auto* trace = object.if_contains("trace_id");
    if (trace != nullptr && trace->is_string() &&
        std::string_view(trace->as_string()).starts_with(trace_prefix)) {
      events.push_back(std::move(object));
    }
  }
  consumer->close();
  return events;
}

std::map<std::string, int> TopicReader::CountByEventId(
    const std::vector<boost::json::object>& events) {
  std::map<std::string, int> counts;
  for (const auto& event : events) ++counts[std::string(event.at("event_id").as_string())];
  return counts;
}

std::function<bool(const std::vector<boost::json::object>&)> TopicReader::DistinctIds(
    std::size_t count) {
  return [count](const std::vector<boost::json::object>& events) {
    return CountByEventId(events).size() >= count;
  };
}

}  // namespace merch::testing
