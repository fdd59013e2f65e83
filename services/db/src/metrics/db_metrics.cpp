#include "metrics/db_metrics.hpp"

namespace merch::db {

using metrics::SampledGauges;

DbMetrics::DbMetrics(const ConnectionPool& pool, const logship::LogShipper& shipper)
    : registry_(std::make_shared<prometheus::Registry>()),
      rpcs_(*registry_),
      sampled_(std::make_shared<SampledGauges>()) {
  sampled_->Add("merch_db_pool_size", "Connections the pool may open (DB_POOL_SIZE)",
                SampledGauges::Kind::kGauge, [&pool] { return static_cast<double>(pool.Size()); });
  sampled_->Add(
      "merch_db_pool_connections_open", "PostgreSQL connections open: idle, in use or being opened",
      SampledGauges::Kind::kGauge, [&pool] { return static_cast<double>(pool.GetStats().open); });
  sampled_->Add("merch_db_pool_connections_in_use", "PostgreSQL connections leased to a call",
                SampledGauges::Kind::kGauge,
                [&pool] { return static_cast<double>(pool.GetStats().in_use); });
  sampled_->Add("merch_db_pool_waiting", "Calls waiting for a free PostgreSQL connection",
                SampledGauges::Kind::kGauge,
                [&pool] { return static_cast<double>(pool.GetStats().waiting); });
  sampled_->Add("merch_log_queue_depth", "Log events waiting to be shipped",
                SampledGauges::Kind::kGauge,
                [&shipper] { return static_cast<double>(shipper.Stats().queue_depth); });
  sampled_->Add("merch_log_events_dropped_total",
                "Log events dropped because the shipping queue was full",
                SampledGauges::Kind::kCounter,
                [&shipper] { return static_cast<double>(shipper.Stats().dropped); });
}

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
DbMetrics::Interceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(metrics::MakeObservingInterceptorFactory({&rpcs_}));
  return factories;
}

std::vector<std::shared_ptr<prometheus::Collectable>> DbMetrics::Collectables() const {
  return {registry_, sampled_};
}

}  // namespace merch::db
