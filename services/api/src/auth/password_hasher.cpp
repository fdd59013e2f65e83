#include "auth/password_hasher.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <utility>

#include "async/await_completion.hpp"

namespace merch::api {
namespace {

bool InitSodium() {
  static std::once_flag once;
  static int status = -1;
  std::call_once(once, [] { status = sodium_init(); });
  return status >= 0;  // 0: initialised now, 1: already initialised
}

// Overwrites every byte of the string's buffer, including bytes a move out of it left behind
// (a moved-from short string keeps its old characters past the terminator).
void Wipe(std::string& text) {
  text.resize(text.capacity());
  sodium_memzero(text.data(), text.size());
  text.clear();
}

// A password owned by one call: the caller's copy is wiped on construction, this one when the
// last owner (the coroutine or the job, whichever lets go last) destroys it.
class Secret {
 public:
  explicit Secret(std::string& source) : value_(std::move(source)) { Wipe(source); }
  ~Secret() { Wipe(value_); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  const std::string& Value() const { return value_; }

 private:
  std::string value_;
};

Result<std::string> HashNow(const std::string& password) {
  std::array<char, crypto_pwhash_STRBYTES> phc{};
  if (crypto_pwhash_str_alg(phc.data(), password.data(), password.size(), PasswordHasher::kOpsLimit,
                            PasswordHasher::kMemLimitBytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{ErrorCode::kInternal, "password hashing failed"};
  }
  return std::string(phc.data());
}

// crypto_pwhash_str_verify reads a NUL-terminated string of at most crypto_pwhash_STRBYTES
// bytes; anything it cannot parse is simply not a match.
bool VerifyNow(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace

bool PasswordHasher::HasOwnParameters(std::string_view hash) {
  return hash.starts_with(kPhcPrefix) && hash.size() < crypto_pwhash_STRBYTES;
}

namespace {}  // namespace

PasswordHasher::PasswordHasher(std::size_t threads, std::size_t queue_capacity)
    : max_admitted_(threads + queue_capacity) {
  if (threads == 0) throw std::invalid_argument("PasswordHasher needs at least one thread");
  if (!InitSodium()) throw std::runtime_error("libsodium failed to initialise");

  // A hash of random bytes nobody knows, with the same parameters as real hashes so that
  // verifying against it costs the same.
  std::string unknown(32, '\0');
  randombytes_buf(unknown.data(), unknown.size());
  Result<std::string> dummy = HashNow(unknown);
  Wipe(unknown);
  if (!dummy) throw std::runtime_error("argon2id hashing failed at start-up");
  dummy_hash_ = std::move(*dummy);

  workers_.reserve(threads);
  try {
    for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  } catch (const std::system_error&) {
    Stop();
    throw;
  }
}

PasswordHasher::~PasswordHasher() { Stop(); }

void PasswordHasher::Stop() {
  std::deque<Job> orphans;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    orphans.swap(waiting_);
  }
  wake_.notify_all();
  for (Job& job : orphans) job(true);
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

bool PasswordHasher::TryAdmit(Job& job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || admitted_ >= max_admitted_) return false;
    waiting_.push_back(std::move(job));
    ++admitted_;
  }
  wake_.notify_one();
  return true;
}

void PasswordHasher::ReleaseSlot() {
  std::lock_guard lock(mutex_);
  --admitted_;
}

void PasswordHasher::WorkerLoop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;  // Stop() has taken the waiting jobs and fails them
      job = std::move(waiting_.front());
      waiting_.pop_front();
    }
    job(false);
  }
}

template <class T>
boost::asio::awaitable<Result<T>> PasswordHasher::RunOnPool(std::function<Result<T>()> work) {
  // `complete` is called once: by a worker, by the destructor for a job it cancels, or right
  // here when the pool is full.
  auto start = [this, work = std::move(work)](std::function<void(Result<T>)> complete) mutable {
    Job job = [this, work = std::move(work), complete](bool cancelled) {
      if (cancelled) {
        complete(Error{ErrorCode::kUnavailable, "password hasher is shutting down"});
        return;
      }
      Result<T> result = [&work]() -> Result<T> {
        try {
          return work();
        } catch (const std::exception&) {  // std::bad_alloc: libsodium itself does not throw
          return Error{ErrorCode::kInternal, "password hashing failed"};
        }
      }();
      // Freed before the completion is posted, so the resumed caller may submit again.
      ReleaseSlot();
      complete(std::move(result));
    };
    if (!TryAdmit(job)) {
      complete(Error{ErrorCode::kUnavailable, "password hashing is at capacity"});
    }
  };
  Result<T> result = co_await AwaitCompletion<Result<T>>(std::move(start));
  co_return result;
}

// The work is built into a named local before the co_await: GCC 12 destroys some temporaries
// of a co_await expression twice (a lambda's captured shared_ptr here).
boost::asio::awaitable<Result<std::string>> PasswordHasher::Hash(std::string password) {
  auto secret = std::make_shared<const Secret>(password);
  std::function<Result<std::string>()> work = [secret] { return HashNow(secret->Value()); };
  Result<std::string> result = co_await RunOnPool(std::move(work));
  co_return result;
}

boost::asio::awaitable<Result<bool>> PasswordHasher::Verify(std::string hash,
                                                            std::string password) {
  auto secret = std::make_shared<const Secret>(password);
  std::function<Result<bool>()> work = [this, secret, hash = std::move(hash)]() -> Result<bool> {
    if (!HasOwnParameters(hash)) {
      // Fail closed at the cost of one ordinary verification, whatever the stored parameters
      // ask for (README, "Security model").
      spdlog::warn(
          "a stored password hash has parameters other than the service's own; "
          "the login is refused");
      static_cast<void>(VerifyNow(dummy_hash_, secret->Value()));
      return false;
    }
    return VerifyNow(hash, secret->Value());
  };
  Result<bool> result = co_await RunOnPool(std::move(work));
  co_return result;
}

boost::asio::awaitable<Result<bool>> PasswordHasher::VerifyDummy(std::string password) {
  auto secret = std::make_shared<const Secret>(password);
  std::function<Result<bool>()> work = [this, secret]() -> Result<bool> {
    static_cast<void>(VerifyNow(dummy_hash_, secret->Value()));
    return false;
  };
  Result<bool> result = co_await RunOnPool(std::move(work));
  co_return result;
}

}  // namespace merch::api
