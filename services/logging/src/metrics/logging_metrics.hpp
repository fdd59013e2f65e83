#pragma once

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <vector>

#include "merch/metrics/grpc_server_metrics.hpp"
#include "merch/metrics/sampled_gauges.hpp"
#include "publisher/publisher.hpp"

namespace merch::logging {

// The logging service's Prometheus metrics (served at /metrics on LOGGING_METRICS_PORT):
//   merch_grpc_server_*                          every RPC by method and code, and its latency
//   merch_logging_events_received_total          messages read from StreamLogs streams
//   merch_logging_events_rejected_total          of those, refused as invalid (the stream's
//                                                "merch-rejected" trailing metadata)
//   merch_logging_events_published_total         acknowledged by Kafka (acks=all)
//   merch_logging_kafka_delivery_seconds         from a stream's first event handed to the
//                                                producer until all of its events are acknowledged
//   merch_logging_kafka_delivery_errors_total    streams whose events Kafka did not acknowledge
//   merch_logging_kafka_up                       1 while the broker answers the publisher's probe
// The RPC and event counts come from a server interceptor; the Kafka ones from Metered(),
// a Publisher decorator, so that the service code stays as it is. Thread-safe.
class LoggingMetrics {
 public:
  LoggingMetrics();
  LoggingMetrics(const LoggingMetrics&) = delete;
  LoggingMetrics& operator=(const LoggingMetrics&) = delete;
  ~LoggingMetrics();

  // `publisher`, counted; it must outlive the result, which must outlive this object's use.
  std::unique_ptr<Publisher> Metered(Publisher& publisher);
  // For GrpcServerOptions::interceptors.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
  Interceptors();
  // What MetricsServer serves.
  std::vector<std::shared_ptr<prometheus::Collectable>> Collectables() const;

 private:
  class EventObserver;
  class MeteredPublisher;
  class MeteredDelivery;

  std::shared_ptr<prometheus::Registry> registry_;
  metrics::GrpcServerMetrics rpcs_;
  std::unique_ptr<EventObserver> events_;
  prometheus::Counter& published_;
  prometheus::Histogram& delivery_latency_;
  prometheus::Counter& delivery_errors_;
  std::shared_ptr<metrics::SampledGauges> sampled_;
  Publisher* sampled_publisher_ = nullptr;  // set once by Metered, before any scrape
};

}  // namespace merch::logging
