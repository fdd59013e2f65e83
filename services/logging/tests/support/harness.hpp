#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>

#include "grpc/health_reporter.hpp"
#include "grpc/logging_service.hpp"
#include "merch/common/grpc_server.hpp"
#include "publisher/kafka_publisher.hpp"
#include "support/kafka_broker.hpp"

namespace merch::testing {

// The broker shared by every test of the process (started by the test main).
KafkaBroker& Broker();

// The logging service wired as merch-logging's main wires it, on a loopback port, publishing
// to Broker(). Health follows the publisher's probe.
class LoggingHarness {
 public:
  LoggingHarness();
  ~LoggingHarness();

  std::string Target() const { return "127.0.0.1:" + std::to_string(server_.port); }
  std::shared_ptr<grpc::Channel> Channel() const { return channel_; }
  merch::v1::LoggingService::Stub& Stub() { return *stub_; }
  logging::KafkaPublisher& Publisher() { return *publisher_; }

 private:
  logging::HealthReporter health_;
  std::unique_ptr<logging::KafkaPublisher> publisher_;
  std::unique_ptr<logging::LoggingService> service_;
  RunningGrpcServer server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<merch::v1::LoggingService::Stub> stub_;
};

// A valid message with a unique event id, for trace `trace_id`.
merch::v1::LogMessage MakeMessage(const std::string& trace_id, int sequence);

// A trace-id prefix unique to the calling test, so tests sharing the topic see only their own.
std::string UniqueTracePrefix();

}  // namespace merch::testing
