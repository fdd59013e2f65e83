// Throughput of the log pipeline, and of librdkafka alone as the baseline measured in the
// same run (bench/run starts the broker and the logging service).
//
//   merch-log-bench pipeline --target HOST:PORT --tls-dir DIR [--events N] [--size BYTES]
//       events/s from one LogShipper through merch-logging into Kafka (acks=all): from the
//       first enqueue until the service has acknowledged the last event. DIR holds the api
//       identity's certificate (the stack's .run/pki/api): the shipper runs as the api's does.
//   merch-log-bench kafka --brokers HOST:PORT --topic T [--events N] [--size BYTES]
//       events/s of a bare librdkafka producer with merch-logging's producer settings
//       (ProducerSettings): from the first produce until flush returns.
#include <librdkafka/rdkafkacpp.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "merch/common/clock.hpp"
#include "merch/common/grpc_runtime.hpp"
#include "merch/common/grpc_tls.hpp"
#include "merch/logship/log_shipper.hpp"
#include "publisher/kafka_publisher.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string mode;
  std::map<std::string, std::string> values;

  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto found = values.find(name);
    return found == values.end() ? fallback : found->second;
  }
  long Number(const std::string& name, long fallback) const {
    return std::stol(Get(name, std::to_string(fallback)));
  }
};

Args Parse(int argc, char** argv) {
  Args args;
  if (argc > 1) args.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) args.values[argv[i]] = argv[i + 1];
  return args;
}

// A log message whose published JSON object is about `size` bytes.
merch::v1::LogMessage MakeEvent(long sequence, long size) {
  merch::v1::LogMessage message;
  message.set_level(merch::v1::INFO);
  message.set_service_name("bench");
  message.set_timestamp(merch::UnixMillis());
  message.set_trace_id(merch::logship::NewEventId());
  message.set_event("bench.event");
  message.set_event_id(merch::logship::NewEventId());
  // The published object without its message text is 200 bytes (uuid trace and event ids).
  const std::string text = "event " + std::to_string(sequence);
  const long padding = std::max(0L, size - 200 - static_cast<long>(text.size()));
  message.set_message(text + std::string(static_cast<std::size_t>(padding), '.'));
  return message;
}

void Report(const std::string& what, long events, long size, Clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::printf("%s: %ld events of ~%ld bytes in %.3f s = %.0f events/s\n", what.c_str(), events,
              size, seconds, static_cast<double>(events) / seconds);
}

int RunPipeline(const Args& args) {
  const long events = args.Number("--events", 200000);
  const long size = args.Number("--size", 200);
  auto identity = merch::LoadTlsIdentity(args.Get("--tls-dir"), "api");
  if (!identity) {
    std::cerr << "--tls-dir: " << identity.error().detail << "\n";
    return 2;
  }
  merch::logship::LogShipper shipper(
      {.target = args.Get("--target"),
       .credentials = merch::MutualTlsChannelCredentials(*identity),
       .service_name = "bench",
       .queue_capacity = static_cast<std::size_t>(events),
       .max_batch = static_cast<std::size_t>(args.Number("--batch", 1000)),
       .senders = static_cast<int>(args.Number("--senders", 2))});
  std::vector<merch::v1::LogMessage> prepared;
  prepared.reserve(static_cast<std::size_t>(events));
  for (long i = 0; i < events; ++i) prepared.push_back(MakeEvent(i, size));

  const auto started = Clock::now();
  for (auto& message : prepared) shipper.Enqueue(std::move(message));
  // Polls the shipper's counter: the benchmark's own end condition.
  while (shipper.Stats().delivered < static_cast<std::uint64_t>(events)) {
    if (Clock::now() - started > std::chrono::minutes(5)) {
      std::cerr << "timed out; delivered " << shipper.Stats().delivered << "\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  Report("pipeline (shipper -> merch-logging -> kafka)", events, size, Clock::now() - started);
  return 0;
}

int RunKafka(const Args& args) {
  const long events = args.Number("--events", 200000);
  const long size = args.Number("--size", 200);
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  // Exactly merch-logging's producer settings (ProducerSettings), so the ratio compares like
  // with like.
  merch::logging::KafkaOptions options;
  options.brokers = args.Get("--brokers");
  options.topic = args.Get("--topic", "log-channel");
  for (const auto& [name, value] : merch::logging::ProducerSettings(options)) {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      std::cerr << name << ": " << error << "\n";
      return 2;
    }
  }
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), error));
  if (!producer) {
    std::cerr << error << "\n";
    return 1;
  }
  std::vector<std::pair<std::string, std::string>> prepared;  // key, JSON value
  prepared.reserve(static_cast<std::size_t>(events));
  for (long i = 0; i < events; ++i) {
    const auto message = MakeEvent(i, size);
    boost::json::object object{{"level", "INFO"},
                               {"service_name", message.service_name()},
                               {"message", message.message()},
                               {"timestamp", message.timestamp()},
                               {"trace_id", message.trace_id()},
                               {"event", message.event()},
                               {"event_id", message.event_id()}};
    prepared.emplace_back(message.trace_id(), boost::json::serialize(object));
  }

  const std::string& topic = options.topic;
  const auto started = Clock::now();
  for (auto& [key, value] : prepared) {
    while (producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                             value.data(), value.size(), key.data(), key.size(), 0,
                             nullptr) == RdKafka::ERR__QUEUE_FULL) {
      producer->poll(1);
    }
    producer->poll(0);
  }
  if (producer->flush(60000) != RdKafka::ERR_NO_ERROR) {
    std::cerr << "flush timed out\n";
    return 1;
  }
  Report("baseline (librdkafka producer -> kafka)", events, size, Clock::now() - started);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  merch::ConfigureGrpcRuntime();
  const Args args = Parse(argc, argv);
  if (args.mode == "pipeline") return RunPipeline(args);
  if (args.mode == "kafka") return RunKafka(args);
  std::cerr
      << "usage: merch-log-bench pipeline|kafka [--target HOST:PORT --tls-dir DIR] [--brokers B] "
         "[--topic T] [--events N] [--size BYTES] [--batch N] [--senders N]\n";
  return 2;
}
