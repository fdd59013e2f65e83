#pragma once

#include <prometheus/registry.h>

#include <memory>

#include "merch/logship/log_shipper.hpp"
#include "merch/metrics/grpc_server_metrics.hpp"
#include "merch/metrics/sampled_gauges.hpp"
#include "outbox/outbox_relay.hpp"
#include "repository/connection_pool.hpp"

namespace merch::db {

// The db service's Prometheus metrics (served at /metrics on DB_METRICS_PORT):
//   merch_grpc_server_*                  every RPC by method and status code, and its latency
//                                        (fed by the server interceptor, see interceptors())
//   merch_db_pool_size                   DB_POOL_SIZE
//   merch_db_pool_connections_open       connections open (idle, in use or being opened)
//   merch_db_pool_connections_in_use     connections leased to a call
//   merch_db_pool_waiting                calls waiting for a free connection
//   merch_log_queue_depth, merch_log_events_dropped_total
//                                        the service's own log shipper (as in the api)
//   merch_outbox_depth                   domain events in the outbox, not yet relayed
//   merch_outbox_lag_seconds             age of the oldest of them (0 when none)
//   merch_outbox_relayed_total           events this process's relay got acknowledged
//   merch_outbox_relay_failures_total    its batches that failed and were retried
// The pool, the shipper and the relay are sampled when scraped (the outbox with one query on a
// pooled connection, at most once a second); all must outlive this object's use.
class DbMetrics {
 public:
  DbMetrics(ConnectionPool& pool, const logship::LogShipper& shipper, const OutboxRelay& relay);

  // For GrpcServerOptions::interceptors.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
  Interceptors();
  // What MetricsServer serves.
  std::vector<std::shared_ptr<prometheus::Collectable>> Collectables() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  metrics::GrpcServerMetrics rpcs_;
  std::shared_ptr<metrics::SampledGauges> sampled_;
};

}  // namespace merch::db
