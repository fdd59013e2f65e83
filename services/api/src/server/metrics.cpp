#include "server/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace merch::api {
namespace {

// Seconds; from a cache hit on loopback to a slow login.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  return buckets;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("merch_http_requests_total")
                    .Help("HTTP requests answered, by route, method and status")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("merch_http_request_duration_seconds")
                   .Help("Time to answer an HTTP request, by route")
                   .Register(*registry_)),
      grpc_errors_(prometheus::BuildCounter()
                       .Name("merch_grpc_client_errors_total")
                       .Help("Failed calls to the db service, by gRPC status code")
                       .Register(*registry_)),
      log_queue_depth_(prometheus::BuildGauge()
                           .Name("merch_log_queue_depth")
                           .Help("Log events waiting to be shipped")
                           .Register(*registry_)
                           .Add({})),
      log_dropped_(prometheus::BuildCounter()
                       .Name("merch_log_events_dropped_total")
                       .Help("Log events dropped because the shipping queue was full")
                       .Register(*registry_)
                       .Add({})),
      log_rejected_(prometheus::BuildCounter()
                        .Name("merch_log_events_rejected_total")
                        .Help("Log events the logging service refused as invalid")
                        .Register(*registry_)
                        .Add({})) {
  // The codes of an unreachable or slow db service exist from the start, at 0, so that the
  // first such failure is an increase that rate() and the alerts see, not a new series.
  for (const char* code : {"UNAVAILABLE", "DEADLINE_EXCEEDED"}) grpc_errors_.Add({{"code", code}});
}

void Metrics::ObserveRequest(const std::string& route, const std::string& method, unsigned status,
                             std::chrono::steady_clock::duration latency) {
  requests_.Add({{"route", route}, {"method", method}, {"status", std::to_string(status)}})
      .Increment();
  latency_.Add({{"route", route}}, LatencyBuckets())
      .Observe(std::chrono::duration<double>(latency).count());
}

void Metrics::CountGrpcError(const std::string& code) {
  grpc_errors_.Add({{"code", code}}).Increment();
}

void Metrics::SetLogShipping(std::size_t queue_depth, std::uint64_t dropped_total,
                             std::uint64_t rejected_total) {
  log_queue_depth_.Set(static_cast<double>(queue_depth));
  // The shipper keeps the totals; the counters catch up with them.
  std::lock_guard lock(log_totals_mutex_);
  for (auto [counter, total] :
       {std::pair{&log_dropped_, dropped_total}, std::pair{&log_rejected_, rejected_total}}) {
    const double seen = counter->Value();
    if (static_cast<double>(total) > seen) counter->Increment(static_cast<double>(total) - seen);
  }
}

std::string Metrics::Render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace merch::api
