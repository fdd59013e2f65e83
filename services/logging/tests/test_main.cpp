// Starts one private Kafka broker for the whole test process.
#include <gtest/gtest.h>

#include <memory>

#include "support/harness.hpp"

namespace merch::testing {
namespace {

std::unique_ptr<KafkaBroker> broker;

class BrokerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { broker = std::make_unique<KafkaBroker>(); }
  void TearDown() override { broker.reset(); }
};

}  // namespace

KafkaBroker& Broker() { return *broker; }

}  // namespace merch::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new merch::testing::BrokerEnvironment);
  return RUN_ALL_TESTS();
}
