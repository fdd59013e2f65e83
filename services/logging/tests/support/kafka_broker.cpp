#include "support/kafka_broker.hpp"

#include <unistd.h>

#include "merch/testing/process.hpp"

namespace merch::testing {

KafkaBroker::KafkaBroker(std::string topic)
    : topic_(std::move(topic)),
      dir_("/tmp/merch-test-kafka-" + std::to_string(::getpid())),
      port_(FreePort()),
      controller_port_(FreePort()) {
  Run("destroy");  // a leftover of an earlier, killed run with the same pid
  Start();
}

KafkaBroker::~KafkaBroker() {
  try {
    Run("destroy");
  } catch (const std::exception&) {
    // Nothing more can be done in a destructor; the folder is in /tmp.
  }
}

void KafkaBroker::Start() { Run("start"); }

void KafkaBroker::Stop() { Run("stop"); }

void KafkaBroker::Run(const std::string& command) const {
  RunOrThrow("KAFKA_DIR=" + dir_ + " KAFKA_PORT=" + std::to_string(port_) +
             " KAFKA_CONTROLLER_PORT=" + std::to_string(controller_port_) +
             " KAFKA_TOPIC=" + topic_ + " " MERCH_SOURCE_DIR "/scripts/kafka.sh " + command);
}

}  // namespace merch::testing
