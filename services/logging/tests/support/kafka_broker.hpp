#pragma once

#include <cstdint>
#include <string>

namespace merch::testing {

// A private single-node Kafka broker for a test process, run by scripts/kafka.sh in a fresh
// folder on free ports, with the log topic created. Start returns once the broker accepts
// produce requests.
class KafkaBroker {
 public:
  explicit KafkaBroker(std::string topic = "log-channel");
  ~KafkaBroker();  // stops the broker and deletes its folder
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;

  void Start();
  void Stop();  // clean shutdown; data is kept for the next Start
  std::string Brokers() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& Topic() const { return topic_; }

 private:
  void Run(const std::string& command) const;  // scripts/kafka.sh <command>

  std::string topic_;
  std::string dir_;
  std::uint16_t port_;
  std::uint16_t controller_port_;
};

}  // namespace merch::testing
