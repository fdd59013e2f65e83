#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace merch::testing {

// Reads every partition of a topic from the beginning, as the tests' independent view of
// what reached Kafka.
class TopicReader {
 public:
  TopicReader(std::string brokers, std::string topic);

  // Reads events (JSON objects) whose trace_id starts with `trace_prefix` until `done` says
  // enough or `timeout` passes; returns them all, in the order read.
  std::vector<boost::json::object> ReadUntil(
      const std::string& trace_prefix,
      const std::function<bool(const std::vector<boost::json::object>&)>& done,
      std::chrono::seconds timeout = std::chrono::seconds(60)) const;

  // How many times each event_id occurs.
  static std::map<std::string, int> CountByEventId(const std::vector<boost::json::object>& events);
  // A `done` that waits for `count` distinct event ids.
  static std::function<bool(const std::vector<boost::json::object>&)> DistinctIds(
      std::size_t count);

 private:
  std::string brokers_;
  std::string topic_;
};

}  // namespace merch::testing
