#pragma once

#include <boost/asio/awaitable.hpp>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "merch/common/error.hpp"

namespace merch::api {

// argon2id password hashing (libsodium) on a bounded pool of worker threads.
//
// Hashing never runs on the request-serving threads: each call becomes a job for one of
// `threads` workers. At most `threads + queue_capacity` jobs are admitted at once (running or
// waiting); a call beyond that is refused at once with kUnavailable, so the api answers 503
// with Retry-After instead of queueing without bound. The awaiting coroutine always resumes on
// its own executor (for a connection, its strand), never on a worker thread.
//
// Thread-safe. Destroy it before the io_contexts of the coroutines that await it: a pending
// call holds work on its coroutine's executor until its completion has been delivered there.
// Passwords and hashes are never logged, and each password copy made here is wiped after use.
class PasswordHasher {
 public:
  // argon2id v1.3 at the OWASP minimum: t=2, m=19 MiB, p=1.
  static constexpr unsigned long long kOpsLimit = 2;
  static constexpr std::size_t kMemLimitBytes = std::size_t{19} * 1024 * 1024;
  // How every hash made with those parameters begins. Only such hashes are verified: a stored
  // hash with any other algorithm or parameters fails closed, so no stored value can make a
  // login cost more (time or memory) than the service's own hash.
  static constexpr std::string_view kPhcPrefix = "$argon2id$v=19$m=19456,t=2,p=1$";

  // Whether `hash` is a PHC string of the service's own algorithm and parameters.
  static bool HasOwnParameters(std::string_view hash);

  // Throws std::invalid_argument when threads is 0, std::runtime_error when libsodium cannot
  // be initialised. Computes the dummy hash before returning (one hash's time).
  PasswordHasher(std::size_t threads, std::size_t queue_capacity);
  // Lets running jobs finish, fails waiting ones with kUnavailable, and joins the workers.
  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // The PHC string "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" of `password`, with a fresh
  // random salt. kUnavailable when the pool is full or shutting down; kInternal if libsodium
  // fails (out of memory).
  boost::asio::awaitable<Result<std::string>> Hash(std::string password);

  // True when `password` matches `hash`; false for a wrong password, an unparseable hash, or a
  // hash whose parameters are not the service's own (logged; see kPhcPrefix).
  // Errors as for Hash.
  boost::asio::awaitable<Result<bool>> Verify(std::string hash, std::string password);

  // Verifies `password` against a fixed dummy hash of the same parameters and returns false,
  // so that a login for an unknown user costs the same time as one with a wrong password.
  boost::asio::awaitable<Result<bool>> VerifyDummy(std::string password);

 private:
  // Runs on a worker with cancelled == false, or, when the pool shuts down before a worker
  // took it, on the destroying thread with cancelled == true.
  using Job = std::function<void(bool cancelled)>;

  template <class T>
  boost::asio::awaitable<Result<T>> RunOnPool(std::function<Result<T>()> work);
  // Queues `job` (moving it) and returns true, or leaves it and returns false when full or
  // stopping.
  bool TryAdmit(Job& job);
  void ReleaseSlot();
  void WorkerLoop();
  void Stop();

  const std::size_t max_admitted_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> waiting_;   // guarded by mutex_
  std::size_t admitted_ = 0;  // waiting + running; guarded by mutex_
  bool stopping_ = false;     // guarded by mutex_
  std::string dummy_hash_;    // set before the workers start, then read-only
  std::vector<std::thread> workers_;
};

}  // namespace merch::api
