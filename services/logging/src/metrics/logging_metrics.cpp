#include "metrics/logging_metrics.hpp"

#include <charconv>
#include <optional>
#include <string_view>

#include "merch/common/log_protocol.hpp"

namespace merch::logging {
namespace {

constexpr std::string_view kStreamLogs = "/merch.v1.LoggingService/StreamLogs";
// Seconds: one lingering batch on loopback (linger.ms 5) to a delivery timeout.
const prometheus::Histogram::BucketBoundaries& DeliveryBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return buckets;
}

}  // namespace

class LoggingMetrics::EventObserver final : public metrics::GrpcCallObserver {
 public:
  explicit EventObserver(prometheus::Registry& registry)
      : received_(prometheus::BuildCounter()
                      .Name("merch_logging_events_received_total")
                      .Help("Log events received on StreamLogs streams")
                      .Register(registry)
                      .Add({})),
        rejected_(prometheus::BuildCounter()
                      .Name("merch_logging_events_rejected_total")
                      .Help("Log events refused as invalid")
                      .Register(registry)
                      .Add({})) {}

  void OnMessageReceived(std::string_view method) override {
    if (method == kStreamLogs) received_.Increment();
  }

  void OnFinished(std::string_view method, const grpc::Status& /*status*/,
                  const std::multimap<std::string, std::string>& trailing,
                  std::chrono::steady_clock::duration /*elapsed*/) override {
    if (method != kStreamLogs) return;
    const auto found = trailing.find(std::string(log_protocol::kRejectedTrailer));
    if (found == trailing.end()) return;
    std::uint64_t rejected = 0;
    const auto& text = found->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), rejected);
    if (error == std::errc() && end == text.data() + text.size() && rejected > 0) {
      rejected_.Increment(static_cast<double>(rejected));
    }
  }

 private:
  prometheus::Counter& received_;
  prometheus::Counter& rejected_;
};

class LoggingMetrics::MeteredDelivery final : public Delivery {
 public:
  MeteredDelivery(std::unique_ptr<Delivery> inner, LoggingMetrics& metrics)
      : inner_(std::move(inner)), metrics_(metrics) {}

  Result<void> Publish(const RenderedEvent& event) override {
    if (!first_publish_) first_publish_ = std::chrono::steady_clock::now();
    auto published = inner_->Publish(event);
    if (!published) failed_ = true;
    return published;
  }

  void WhenAcknowledged(Acknowledged done) override {
    // Runs on the publisher's delivery thread (or at once); this Delivery outlives the call.
    inner_->WhenAcknowledged([this, done = std::move(done)](Result<void> delivered) {
      if (!delivered || failed_) {
        metrics_.delivery_errors_.Increment();
      } else if (first_publish_) {
        metrics_.published_.Increment(static_cast<double>(inner_->Published()));
        metrics_.delivery_latency_.Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - *first_publish_)
                .count());
      }
      done(std::move(delivered));
    });
  }

  std::int64_t Published() const override { return inner_->Published(); }

 private:
  std::unique_ptr<Delivery> inner_;
  LoggingMetrics& metrics_;
  std::optional<std::chrono::steady_clock::time_point> first_publish_;
  bool failed_ = false;
};

class LoggingMetrics::MeteredPublisher final : public Publisher {
 public:
  MeteredPublisher(Publisher& inner, LoggingMetrics& metrics) : inner_(inner), metrics_(metrics) {}

  std::unique_ptr<Delivery> StartDelivery() override {
    return std::make_unique<MeteredDelivery>(inner_.StartDelivery(), metrics_);
  }
  bool Healthy() const override { return inner_.Healthy(); }

 private:
  Publisher& inner_;
  LoggingMetrics& metrics_;
};

LoggingMetrics::LoggingMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      rpcs_(*registry_),
      events_(std::make_unique<EventObserver>(*registry_)),
      published_(prometheus::BuildCounter()
                     .Name("merch_logging_events_published_total")
                     .Help("Log events acknowledged by Kafka")
                     .Register(*registry_)
                     .Add({})),
      delivery_latency_(prometheus::BuildHistogram()
                            .Name("merch_logging_kafka_delivery_seconds")
                            .Help("From a stream's first event handed to the Kafka producer until "
                                  "all of the stream's events are acknowledged")
                            .Register(*registry_)
                            .Add({}, DeliveryBuckets())),
      delivery_errors_(prometheus::BuildCounter()
                           .Name("merch_logging_kafka_delivery_errors_total")
                           .Help("Streams whose events Kafka did not acknowledge in time")
                           .Register(*registry_)
                           .Add({})),
      sampled_(std::make_shared<metrics::SampledGauges>()) {
  sampled_->Add("merch_logging_kafka_up", "1 while the Kafka broker answers the publisher's probe",
                metrics::SampledGauges::Kind::kGauge, [this] {
                  return sampled_publisher_ != nullptr && sampled_publisher_->Healthy() ? 1.0 : 0.0;
                });
}

LoggingMetrics::~LoggingMetrics() = default;

std::unique_ptr<Publisher> LoggingMetrics::Metered(Publisher& publisher) {
  sampled_publisher_ = &publisher;
  return std::make_unique<MeteredPublisher>(publisher, *this);
}

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
LoggingMetrics::Interceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(metrics::MakeObservingInterceptorFactory({&rpcs_, events_.get()}));
  return factories;
}

std::vector<std::shared_ptr<prometheus::Collectable>> LoggingMetrics::Collectables() const {
  return {registry_, sampled_};
}

}  // namespace merch::logging
