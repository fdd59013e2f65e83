#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

namespace merch::metrics {

// Gauges and counters whose values are read from the program when Prometheus scrapes (a pool's
// connections in use, a queue's depth), rather than pushed on every change. Each sampler is
// called on the // scrape thread, so it must be thread-safe. Served through MetricsServer::Add.
class SampledGauges final : public prometheus::Collectable {
 public:
  enum class Kind { kGauge, kCounter };

  // `name` must be a valid metric name, unique in the exposition.
  void Add(std::string name, std::string help, Kind kind, std::function<double()> sampler);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Sampled {
    std::string name;
    std::string help;
    Kind kind;
    std::function<double()> sampler;
  };
  std::vector<Sampled> sampled_;  // fixed before the first scrape
};

}  // namespace merch::metrics
