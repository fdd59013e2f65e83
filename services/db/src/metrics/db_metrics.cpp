#include "metrics/db_metrics.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <limits>
#include <mutex>
#include <pqxx/nontransaction>

#include "repository/statements.hpp"

namespace merch::db {
namespace {

// The outbox's depth and lag, read from the database at most once a second: the two gauges
// of one scrape share a query. Thread-safe.
class OutboxBacklog {
 public:
  explicit OutboxBacklog(ConnectionPool& pool) : pool_(pool) {}

  struct Sample {
    double depth = std::numeric_limits<double>::quiet_NaN();
    double lag_seconds = std::numeric_limits<double>::quiet_NaN();
  };

  Sample Get() {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - read_at_ < std::chrono::seconds(1)) return sample_;
    read_at_ = now;
    sample_ = {};  // NaN while the database cannot say
    auto lease = pool_.Acquire(now + std::chrono::seconds(1));
    if (!lease) return sample_;
    try {
      pqxx::nontransaction transaction(lease->Connection());
      const auto row = statements::Exec(transaction, statements::kOutboxBacklog)[0];
      sample_ = {.depth = row["depth"].as<double>(),
                 .lag_seconds = row["lag_seconds"].as<double>()};
    } catch (const std::exception& e) {
      lease->Discard();
      spdlog::warn("metrics: cannot read the outbox backlog: {}", e.what());
    }
    return sample_;
  }

 private:
  ConnectionPool& pool_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point read_at_;  // guarded by mutex_
  Sample sample_;                                  // guarded by mutex_
};

}  // namespace

using metrics::SampledGauges;

DbMetrics::DbMetrics(ConnectionPool& pool, const logship::LogShipper& shipper,
                     const OutboxRelay& relay)
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
  auto backlog = std::make_shared<OutboxBacklog>(pool);
  sampled_->Add("merch_outbox_depth", "Domain events in the outbox, not yet relayed",
                SampledGauges::Kind::kGauge, [backlog] { return backlog->Get().depth; });
  sampled_->Add("merch_outbox_lag_seconds",
                "Age of the oldest domain event not yet relayed (0 when none)",
                SampledGauges::Kind::kGauge, [backlog] { return backlog->Get().lag_seconds; });
  sampled_->Add("merch_outbox_relayed_total",
                "Domain events this process's relay got acknowledged by the logging service",
                SampledGauges::Kind::kCounter,
                [&relay] { return static_cast<double>(relay.GetStats().relayed); });
  sampled_->Add("merch_outbox_relay_failures_total",
                "Outbox batches that failed (logging service or PostgreSQL) and were retried",
                SampledGauges::Kind::kCounter,
                [&relay] { return static_cast<double>(relay.GetStats().failures); });
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
