#include "support/harness.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "merch/common/clock.hpp"
#include "merch/common/grpc_tls.hpp"
#include "merch/logship/log_shipper.hpp"
#include "merch/testing/pki.hpp"
#include "merch/testing/wait.hpp"

namespace merch::testing {

LoggingHarness::LoggingHarness() {
  auto publisher = logging::KafkaPublisher::Create(
      {.brokers = Broker().Brokers(),
       .topic = Broker().Topic(),
       .probe_interval = std::chrono::milliseconds(200),
       .on_health_change = [this](bool healthy) { health_.Report(healthy); }});
  if (!publisher) throw std::runtime_error(publisher.error().detail);
  publisher_ = std::move(*publisher);
  service_ = std::make_unique<logging::LoggingService>(*publisher_);
  // The service's own credentials: identity "logging", serving the api and the db service.
  const auto& pki = testing::TestPki::Store();
  auto server = StartGrpcServer(
      {.address = "127.0.0.1:0",
       .credentials = MutualTlsServerCredentials(pki.Identity("logging"), {"api", "db"})},
      {service_.get()});
  if (!server) throw std::runtime_error(server.error().detail);
  server_ = std::move(*server);
  health_.Attach(&server_);
  channel_ = testing::MutualTlsChannel(Target(), pki, "api", "logging");
  stub_ = merch::v1::LoggingService::NewStub(channel_);
  if (!WaitFor([&] { return publisher_->Healthy(); }, std::chrono::seconds(30))) {
    throw std::runtime_error("the publisher never reached Kafka");
  }
}

LoggingHarness::~LoggingHarness() {
  health_.Attach(nullptr);
  server_.Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  publisher_.reset();
}

merch::v1::LogMessage MakeMessage(const std::string& trace_id, int sequence) {
  merch::v1::LogMessage message;
  message.set_level(merch::v1::INFO);
  message.set_service_name("test");
  message.set_message("event " + std::to_string(sequence));
  message.set_timestamp(UnixMillis());
  message.set_trace_id(trace_id);
  message.set_event("test.event");
  message.set_event_id(logship::NewEventId());
  return message;
}

std::string UniqueTracePrefix() {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(test->name()) + "-" + logship::NewEventId().substr(0, 8) + "-";
}

}  // namespace merch::testing
