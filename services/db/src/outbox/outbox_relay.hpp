#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <thread>

#include "merch/v1/logging.grpc.pb.h"

namespace merch::db {

struct OutboxRelayOptions {
  std::string database_url;
  std::chrono::milliseconds statement_timeout{5000};
  std::string service_name = "merch-db";  // LogMessage.service_name of every relayed event
  std::size_t batch_size = 500;           // events per StreamLogs stream
  // After a wake-up, how long the relay lets more commits join the batch: at hundreds of
  // orders a second, one stream per commit would cost the logging service and Kafka far more.
  std::chrono::milliseconds linger{20};
  // Without a Wake, how often it looks anyway: for rows that another db replica committed, or
  // left behind when it crashed.
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds stream_timeout{10000};
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

// Ships the outbox (db/migrations/V003__outbox.sql) to the logging service (README, "Log
// events"). One thread with its own PostgreSQL connection loops over: lock the oldest pending
// rows (`FOR UPDATE SKIP LOCKED`, so relays of several db replicas take disjoint batches), send
// them in id order as one StreamLogs stream, and delete them in the same transaction only
// after the logging service answered OK (or INVALID_ARGUMENT, which a resend cannot cure);
// any other answer rolls back, and the rows are sent again after a backoff. Delivery is at
// least once: a crash between the answer and the commit resends the batch, with the same
// event_ids. It sleeps until Wake (called after each commit of this process's writes) or the
// poll interval; it never touches the request path. Thread-safe.
class OutboxRelay {
 public:
  OutboxRelay(OutboxRelayOptions options, std::shared_ptr<grpc::Channel> logging_channel);
  ~OutboxRelay();  // Stop()
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  void Start();
  // Cancels a stream in flight (its rows stay for the next start) and joins the thread.
  // Idempotent.
  void Stop();
  // Tells the relay that a transaction that may have written outbox rows has committed: it
  // looks after `linger`. Cheap (one eventfd write), never blocks.
  void Wake();

  struct Stats {
    std::uint64_t relayed = 0;   // events the logging service acknowledged
    std::uint64_t rejected = 0;  // events it refused as invalid (deleted, not resent)
    std::uint64_t failures = 0;  // batches that failed (logging or PostgreSQL) and were retried
  };
  Stats GetStats() const;

 private:
  void Run();
  // Opens the connection; throws when PostgreSQL is unreachable.
  std::unique_ptr<pqxx::connection> Connect() const;
  // Relays one batch; returns how many rows it took (0: nothing pending). Throws on database
  // failures; false in `*shipped` when the logging service did not take the batch.
  std::size_t RelayBatch(pqxx::connection& connection, bool* shipped);
  grpc::Status Send(const std::vector<merch::v1::LogMessage>& batch, std::uint64_t* rejected);
  // Waits until `timeout` passes or Stop is called, or (`until_woken`) until Wake is called;
  // false when stopping. A Wake that came before the wait ends it at once.
  bool Wait(std::chrono::milliseconds timeout, bool until_woken);

  const OutboxRelayOptions options_;
  std::unique_ptr<merch::v1::LoggingService::Stub> stub_;
  int stop_fd_;    // an eventfd that Stop writes to
  int commit_fd_;  // an eventfd that Wake writes to
  std::atomic<bool> stopping_{false};
  std::mutex in_flight_mutex_;
  grpc::ClientContext* in_flight_ = nullptr;  // guarded by in_flight_mutex_
  std::atomic<std::uint64_t> relayed_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> failures_{0};
  bool failing_ = false;  // the relay thread's own: warn once per outage, not per retry
  std::thread thread_;
};

}  // namespace merch::db
