#include "repository/connection_pool.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace merch::db {
namespace {

// Whether PostgreSQL closed an idle connection (it restarted, or the backend was terminated):
// its socket is readable, where an idle connection has nothing to read.
bool ClosedByServer(const pqxx::connection& connection) {
  pollfd socket{.fd = connection.sock(), .events = POLLIN, .revents = 0};
  return socket.fd < 0 || ::poll(&socket, 1, 0) != 0;
}

}  // namespace

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      discard_(other.discard_) {}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(std::move(connection_), discard_);
}

ConnectionPool::ConnectionPool(std::size_t size, Factory factory)
    : size_(size), factory_(std::move(factory)) {}

Result<ConnectionPool::Lease> ConnectionPool::Acquire(Deadline deadline) {
  std::vector<std::unique_ptr<pqxx::connection>> closed;  // closed after the lock is released
  std::unique_lock lock(mutex_);
  const auto can_take = [&] { return !idle_.empty() || open_ < size_; };
  bool free = can_take();
  if (!free) {
    ++waiting_;
    free = available_.wait_until(lock, deadline, can_take);
    --waiting_;
  }
  if (!free) {
    return Error{ErrorCode::kDeadlineExceeded,
                 "the request timed out waiting for a free database connection"};
  }
  // A connection the server closed is replaced before use, not found broken by the caller's
  // statement: a single-statement write (Database::WriteStatement) could not be retried then.
  while (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (!ClosedByServer(*connection)) return Lease(this, std::move(connection));
    --open_;
    closed.push_back(std::move(connection));
  }
  ++open_;
  lock.unlock();
  // Connect outside the lock: it is slow, and failing must not stall other callers.
  try {
    return Lease(this, factory_());
  } catch (const std::exception& e) {
    spdlog::warn("cannot open a database connection: {}", e.what());
    lock.lock();
    --open_;
    available_.notify_one();
    return Error{ErrorCode::kUnavailable, "the database is unavailable"};
  }
}

ConnectionPool::Stats ConnectionPool::GetStats() const {
  std::lock_guard lock(mutex_);
  return {.open = open_, .in_use = open_ - idle_.size(), .waiting = waiting_};
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> connection, bool discard) {
  {
    std::lock_guard lock(mutex_);
    if (discard || !connection->is_open()) {
      --open_;
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  available_.notify_one();
  // A discarded connection is closed here, outside the lock.
}

}  // namespace merch::db
