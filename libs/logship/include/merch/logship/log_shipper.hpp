#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "merch/v1/logging.grpc.pb.h"

namespace merch::logship {

struct ShipperOptions {
  std::string target;  // the logging service, "host:port"
  // Required: MutualTlsChannelCredentials (merch/common/grpc_tls.hpp) in the services, and the
  // identity the logging service's certificate must name; tests of an insecure server pass
  // grpc::InsecureChannelCredentials() and an empty identity.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::string server_identity = "logging";
  std::string service_name;  // stamped on every event
  std::size_t queue_capacity = 100000;
  // And at most this many bytes of queued events (their serialized size), so that large events
  // (an access event of a long request path) cannot make the queue a memory hazard during an
  // outage: 100,000 events of a typical request fit in a fifth of it.
  std::size_t queue_bytes = std::size_t{64} << 20;
  std::size_t max_batch = 1000;  // events per stream
  // How long a sender lets a batch fill once an event is waiting, unless max_batch events
  // arrive first. Each stream costs the logging service and Kafka a fixed amount on top of its
  // events; without the wait a stream carried ~20 events at 6,600 req/s.
  std::chrono::milliseconds linger{20};
  int senders = 2;  // streams in flight at once
  std::chrono::milliseconds stream_timeout{15000};
  std::chrono::milliseconds initial_backoff{50};
  std::chrono::milliseconds max_backoff{2000};
};

struct ShipperStats {
  std::uint64_t enqueued = 0;
  std::uint64_t delivered = 0;  // acknowledged by Kafka, as far as the service said
  std::uint64_t rejected = 0;   // refused by the service as invalid
  std::uint64_t dropped = 0;    // queue full, or still queued when shutdown ran out of time
  std::uint64_t resent_batches = 0;
  std::size_t queue_depth = 0;
};

// What a caller says; the shipper adds service name, time and event id.
struct LogEvent {
  merch::v1::LogLevel level = merch::v1::INFO;
  std::string event;  // e.g. "order.placed"
  std::string message;
  std::string trace_id;
  boost::json::object attributes;  // extra top-level fields of the published object
};

// Ships log events to the logging service, at least once, without ever blocking its caller.
//
// Ship/Enqueue only push onto a bounded queue (dropping, and counting, when it is full: by
// count or by bytes).
// Background senders take batches of up to max_batch events (waiting up to `linger` for a
// batch to fill) and send each as one StreamLogs stream; a batch whose stream did not succeed
// is resent with exponential backoff until it does, so events survive restarts of the logging
// service or of Kafka for as long as the queue absorbs them. Thread-safe.
class LogShipper {
 public:
  explicit LogShipper(ShipperOptions options);
  // Shutdown with two seconds to flush.
  ~LogShipper();
  LogShipper(const LogShipper&) = delete;
  LogShipper& operator=(const LogShipper&) = delete;

  bool Ship(LogEvent event);
  bool Enqueue(merch::v1::LogMessage message);

  // Stops accepting events, keeps sending what is queued until `deadline`, then stops the
  // senders; events still unsent are counted as dropped. Idempotent.
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  ShipperStats Stats() const;

 private:
  void RunSender();
  // Waits for events; false once shutting down with nothing left to send.
  bool TakeBatch(std::vector<merch::v1::LogMessage>& batch);
  using Stub = merch::v1::LoggingService::Stub;
  grpc::Status Send(Stub& stub, const std::vector<merch::v1::LogMessage>& batch,
                    std::uint64_t* rejected);
  std::shared_ptr<Stub> NewStub() const;
  // The stub senders use now; ReplaceStub swaps in one on a new channel unless another sender
  // already replaced `failed`.
  std::shared_ptr<Stub> CurrentStub() const;
  void ReplaceStub(const std::shared_ptr<Stub>& failed);

  const ShipperOptions options_;

  mutable std::mutex mutex_;
  std::shared_ptr<Stub> stub_;  // guarded by mutex_
  // Signalled when the queue stops being empty, when it holds a full batch, and on shutdown:
  // not on every event, so a lingering sender is not woken once per event.
  std::condition_variable queued_;
  std::deque<merch::v1::LogMessage> queue_;  // guarded by mutex_
  std::size_t queued_bytes_ = 0;             // guarded by mutex_: queue_'s serialized size
  bool accepting_ = true;                    // guarded by mutex_
  std::chrono::steady_clock::time_point give_up_at_ =
      std::chrono::steady_clock::time_point::max();  // guarded by mutex_

  std::atomic<std::uint64_t> enqueued_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> resent_batches_{0};
  std::atomic<bool> failing_{false};
  std::vector<std::thread> senders_;
};

// A random UUID (version 4) in its 36-character text form.
std::string NewEventId();

}  // namespace merch::logship
