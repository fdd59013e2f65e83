#include "merch/metrics/sampled_gauges.hpp"

#include <utility>

namespace merch::metrics {

void SampledGauges::Add(std::string name, std::string help, Kind kind,
                        std::function<double()> sampler) {
  sampled_.push_back({std::move(name), std::move(help), kind, std::move(sampler)});
}

std::vector<prometheus::MetricFamily> SampledGauges::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  families.reserve(sampled_.size());
  for (const auto& sampled : sampled_) {
    prometheus::ClientMetric metric;
    prometheus::MetricFamily family;
    family.name = sampled.name;
    family.help = sampled.help;
    if (sampled.kind == Kind::kGauge) {
      family.type = prometheus::MetricType::Gauge;
      metric.gauge.value = sampled.sampler();
    } else {
      family.type = prometheus::MetricType::Counter;
      metric.counter.value = sampled.sampler();
    }
    family.metric.push_back(std::move(metric));
    families.push_back(std::move(family));
  }
  return families;
}

}  // namespace merch::metrics
