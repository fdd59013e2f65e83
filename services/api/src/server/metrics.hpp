#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace merch::api {

// The Prometheus metrics of an api replica (served at /metrics). Thread-safe.
class Metrics {
 public:
  Metrics();

  void ObserveRequest(const std::string& route, const std::string& method, unsigned status,
                      std::chrono::steady_clock::duration latency);
  void CountGrpcError(const std::string& code);
  // The log shipper's state, sampled when /metrics is scraped.
  void SetLogShipping(std::size_t queue_depth, std::uint64_t dropped_total,
                      std::uint64_t rejected_total);

  // The Prometheus text exposition of every metric.
  std::string Render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& grpc_errors_;
  prometheus::Gauge& log_queue_depth_;
  prometheus::Counter& log_dropped_;
  prometheus::Counter& log_rejected_;
  std::mutex log_totals_mutex_;  // makes the read-and-increment of the two counters atomic
};

}  // namespace merch::api
