#include "auth/password_hasher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace merch::api {
namespace {

namespace asio = boost::asio;

// Runs one awaitable to completion on a fresh io_context and returns its value.
template <class T>
T RunToCompletion(asio::awaitable<T> task) {
  asio::io_context io;
  std::optional<T> result;
  // By value as co_spawn hands them over; a const reference trips a GCC 12 -Wmaybe-uninitialized
  // false positive inside Boost.Variant2 at -O3.
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  asio::co_spawn(io, std::move(task), [&result](std::exception_ptr error, T value) {
    if (error) std::rethrow_exception(error);
    result = std::move(value);
  });
  io.run();
  return std::move(result).value();
}

// What one call came to: nothing for success, else the error code. Appended in completion order.
using Outcome = std::optional<ErrorCode>;

asio::awaitable<void> HashAndRecord(PasswordHasher& hasher, std::string password,
                                    std::vector<Outcome>& outcomes) {
  Result<std::string> hash = co_await hasher.Hash(std::move(password));
  outcomes.push_back(hash ? Outcome{} : Outcome{hash.error().code});
}

TEST(PasswordHasherTest, HashThenVerify) {
  PasswordHasher hasher(2, 8);
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> hash = RunToCompletion(hasher.Hash("correct horse battery"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(hash) << hash.error().detail;
  std::cout << "[ INFO     ] one argon2id hash (t=2, m=19 MiB, p=1) took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
  EXPECT_TRUE(hash->starts_with(PasswordHasher::kPhcPrefix)) << *hash;
  EXPECT_TRUE(PasswordHasher::HasOwnParameters(*hash));

  Result<bool> right = RunToCompletion(hasher.Verify(*hash, "correct horse battery"));
  ASSERT_TRUE(right);
  EXPECT_TRUE(*right);
  Result<bool> wrong = RunToCompletion(hasher.Verify(*hash, "correct horse battery!"));
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(*wrong);
  Result<bool> empty = RunToCompletion(hasher.Verify(*hash, ""));
  ASSERT_TRUE(empty);
  EXPECT_FALSE(*empty);
}

TEST(PasswordHasherTest, NonAsciiPasswordsRoundTrip) {
  PasswordHasher hasher(1, 4);
  const std::string password = "пароль-密码-🔑";
  Result<std::string> hash = RunToCompletion(hasher.Hash(password));
  ASSERT_TRUE(hash);
  Result<bool> match = RunToCompletion(hasher.Verify(*hash, password));
  ASSERT_TRUE(match);
  EXPECT_TRUE(*match);
}

TEST(PasswordHasherTest, SameMasswordGetsDifferentSalts) {
  PasswordHasher hasher(2, 8);
  Result<std::string> first = RunToCompletion(hasher.Hash("same password"));
  Result<std::string> second = RunToCompletion(hasher.Hash("same password"));
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(RunToCompletion(hasher.Verify(*first, "same password")).value());
  EXPECT_TRUE(RunToCompletion(hasher.Verify(*second, "same password")).value());
}

TEST(PasswordHasherTest, VerifyDummyIsFalse) {
  PasswordHasher hasher(1, 4);
  for (const char* password : {"", "password", "anything at all"}) {
    Result<bool> result = RunToCompletion(hasher.VerifyDummy(password));
    ASSERT_TRUE(result);
    EXPECT_FALSE(*result);
  }
}

TEST(PasswordHasherTest, UnparseableHashIsNoMatch) {
  PasswordHasher hasher(1, 4);
  for (const char* hash : {"", "not a hash", "$argon2id$v=19$m=19456,t=2,p=1$", "$argon2id$",
                           "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
                           "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"}) {
    Result<bool> result = RunToCompletion(hasher.Verify(hash, "password"));
    ASSERT_TRUE(result);
    EXPECT_FALSE(*result) << hash;
  }
  Result<bool> too_long = RunToCompletion(hasher.Verify(std::string(1000, 'a'), "password"));
  ASSERT_TRUE(too_long);
  EXPECT_FALSE(*too_long);
}

// A stored hash cannot choose its own cost: one made with the right password but other
// parameters (more passes, argon2i) is refused without being computed.
TEST(PasswordHasherTest, HashWithOtherParametersFailsClosed) {
  PasswordHasher hasher(1, 4);
  const std::string password = "correct horse battery";
  std::array<char, crypto_pwhash_STRBYTES> costly{};
  ASSERT_EQ(crypto_pwhash_str_alg(costly.data(), password.data(), password.size(), 3,
                                  PasswordHasher::kMemLimitBytes, crypto_pwhash_ALG_ARGON2ID13),
            0);
  std::array<char, crypto_pwhash_STRBYTES> other_algorithm{};
  ASSERT_EQ(crypto_pwhash_str_alg(other_algorithm.data(), password.data(), password.size(), 3,
                                  PasswordHasher::kMemLimitBytes, crypto_pwhash_ALG_ARGON2I13),
            0);
  // The hashes are genuine: libsodium itself accepts the password for each.
  ASSERT_EQ(crypto_pwhash_str_verify(costly.data(), password.data(), password.size()), 0);
  for (const std::string& hash :
       {std::string(costly.data()), std::string(other_algorithm.data()),
        // 4 GiB of memory: never allocated.
        std::string("$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
                    "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")}) {
    EXPECT_FALSE(PasswordHasher::HasOwnParameters(hash)) << hash;
    Result<bool> result = RunToCompletion(hasher.Verify(hash, password));
    ASSERT_TRUE(result);
    EXPECT_FALSE(*result) << hash;
  }
}

TEST(PasswordHasherTest, ZeroThreadsIsRefused) {
  EXPECT_THROW(PasswordHasher(0, 4), std::invalid_argument);
}

asio::awaitable<void> CheckResumesOnStrand(PasswordHasher& hasher,
                                           asio::strand<asio::io_context::executor_type> strand,
                                           std::atomic<int>& resumed_on_strand) {
  Result<std::string> hash = co_await hasher.Hash("on a strand");
  resumed_on_strand += strand.running_in_this_thread() ? 1 : 0;
  EXPECT_TRUE(hash);
  if (!hash) co_return;
  Result<bool> match = co_await hasher.Verify(*hash, "on a strand");
  resumed_on_strand += strand.running_in_this_thread() ? 1 : 0;
  EXPECT_TRUE(match && *match);
  Result<bool> dummy = co_await hasher.VerifyDummy("on a strand");
  resumed_on_strand += strand.running_in_this_thread() ? 1 : 0;
  EXPECT_TRUE(dummy && !*dummy);
}

TEST(PasswordHasherTest, CompletionsRunOnTheCallersStrand) {
  PasswordHasher hasher(2, 16);
  asio::io_context io;
  std::atomic<int> resumed_on_strand{0};
  constexpr int kCoroutines = 4;
  for (int i = 0; i < kCoroutines; ++i) {
    auto strand = asio::make_strand(io);
    asio::co_spawn(strand, CheckResumesOnStrand(hasher, strand, resumed_on_strand), asio::detached);
  }
  std::thread second_io_thread([&io] { io.run(); });
  io.run();
  second_io_thread.join();
  EXPECT_EQ(resumed_on_strand.load(), 3 * kCoroutines);
}

asio::awaitable<void> HashOnStrand(PasswordHasher& hasher,
                                   asio::strand<asio::io_context::executor_type> strand,
                                   std::atomic<int>& refused, std::atomic<int>& on_strand) {
  Result<std::string> hash = co_await hasher.Hash("refused or not");
  on_strand += strand.running_in_this_thread() ? 1 : 0;
  if (!hash && hash.error().code == ErrorCode::kUnavailable) ++refused;
}

TEST(PasswordHasherTest, RefusalsAlsoRunOnTheCallersStrand) {
  PasswordHasher hasher(1, 0);
  asio::io_context io;
  std::atomic<int> refused{0};
  std::atomic<int> on_strand{0};
  for (int i = 0; i < 3; ++i) {
    auto strand = asio::make_strand(io);
    asio::co_spawn(strand, HashOnStrand(hasher, strand, refused, on_strand), asio::detached);
  }
  io.run();
  EXPECT_EQ(refused.load(), 2);
  EXPECT_EQ(on_strand.load(), 3);
}

TEST(PasswordHasherTest, FullPoolRefusesAtOnce) {
  // One worker and one waiting slot: of five calls made together, two are admitted and three
  // refused. A hash takes milliseconds and the five calls are made within microseconds by the
  // first handlers this io_context runs, so the count is exact.
  PasswordHasher hasher(1, 1);
  asio::io_context io;
  std::vector<Outcome> outcomes;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(io, HashAndRecord(hasher, "password " + std::to_string(i), outcomes),
                   asio::detached);
  }
  io.run();
  ASSERT_EQ(outcomes.size(), 5U);
  // The refusals complete before either admitted hash does: they never waited.
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(outcomes[i], Outcome{ErrorCode::kUnavailable});
  for (std::size_t i = 3; i < 5; ++i) EXPECT_EQ(outcomes[i], Outcome{});

  // The slots are free again once the admitted calls have completed.
  EXPECT_TRUE(RunToCompletion(hasher.Hash("after the burst")));
}

TEST(PasswordHasherTest, DestroyingWithQueuedJobsFailsThemAndJoins) {
  asio::io_context io;
  auto hasher = std::make_unique<PasswordHasher>(1, 8);
  std::vector<Outcome> outcomes;
  constexpr std::size_t kCalls = 6;
  for (std::size_t i = 0; i < kCalls; ++i) {
    asio::co_spawn(io, HashAndRecord(*hasher, "queued " + std::to_string(i), outcomes),
                   asio::detached);
  }
  io.poll();       // starts every coroutine: each submits its job and suspends
  hasher.reset();  // lets the running hash finish, fails the waiting ones, joins
  io.run();        // delivers every completion
  ASSERT_EQ(outcomes.size(), kCalls);
  std::size_t hashed = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome) {
      EXPECT_EQ(*outcome, ErrorCode::kUnavailable);
    } else {
      ++hashed;
    }
  }
  EXPECT_LE(hashed, 1U) << "one worker: at most the job it had started";
}

}  // namespace
}  // namespace merch::api
