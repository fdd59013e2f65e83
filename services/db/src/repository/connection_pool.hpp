#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <vector>

#include "merch/common/error.hpp"

namespace merch::db {

using Deadline = std::chrono::steady_clock::time_point;

// A bounded pool of PostgreSQL connections, opened lazily up to `size`.
//
// Thread-safe. Acquire waits for a free connection until the caller's deadline, then fails
// with kDeadlineExceeded; it never opens more than `size` connections. A connection that
// failed (the caller calls Lease::Discard) is closed rather than returned, and a new one is
// opened on demand, which is how the pool recovers after PostgreSQL restarts.
class ConnectionPool {
 public:
  // Opens a ready-to-use connection; throws (e.g. pqxx::broken_connection) when it cannot.
  using Factory = std::function<std::unique_ptr<pqxx::connection>()>;

  // A connection on loan; returns it to the pool when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    pqxx::connection& Connection() const { return *connection_; }
    // Marks the connection broken: it is closed instead of being reused.
    void Discard() { discard_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection);

    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool discard_ = false;
  };

  ConnectionPool(std::size_t size, Factory factory);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  // All leases must have been returned.
  ~ConnectionPool() = default;

  Result<Lease> Acquire(Deadline deadline);

  std::size_t Size() const { return size_; }

  // A snapshot for metrics: connections open (idle, leased or being opened), leased, and
  // callers waiting in Acquire for one.
  struct Stats {
    std::size_t open = 0;
    std::size_t in_use = 0;
    std::size_t waiting = 0;
  };
  Stats GetStats() const;

 private:
  void Release(std::unique_ptr<pqxx::connection> connection, bool discard);

  const std::size_t size_;
  const Factory factory_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mutex_
  std::size_t open_ = 0;     // idle + leased + being opened; guarded by mutex_
  std::size_t waiting_ = 0;  // callers blocked in Acquire; guarded by mutex_
};

}  // namespace merch::db
