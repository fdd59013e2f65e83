// The connection pool, Database and the repositories under racing threads, against a real
// PostgreSQL and without gRPC, so that ThreadSanitizer sees every thread and every lock of the
// code under test (make test-tsan; Debian's gRPC and abseil are not instrumented, see the root
// CMakeLists.txt). The same races through gRPC are in concurrency_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <string>
#include <vector>

#include "merch/testing/race.hpp"
#include "repository/connection.hpp"
#include "repository/connection_pool.hpp"
#include "repository/database.hpp"
#include "repository/order_repository.hpp"
#include "repository/user_repository.hpp"
#include "support/postgres_cluster.hpp"

namespace merch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kTraceId = "0123456789abcdef0123456789abcdef";

db::Deadline In(milliseconds timeout) { return std::chrono::steady_clock::now() + timeout; }

class PoolTest : public ::testing::Test {
 protected:
  static db::ConnectionPool::Factory Factory() {
    return [url = Cluster().Url()] { return db::OpenConnection(url, milliseconds(10000)); };
  }

  std::int64_t CreateProduct(std::int64_t stock) {
    pqxx::nontransaction transaction(sql_);
    return transaction
        .exec_params1(
            "INSERT INTO products (name, description, category, price, slogan, stock) "
            "VALUES ('Pool test ' || gen_random_uuid(), 'For tests.', 'Test', 1.00, 'Tested.', $1) "
            "RETURNING id",
            stock)[0]
        .as<std::int64_t>();
  }

  std::int64_t Query(const std::string& query) {
    pqxx::nontransaction transaction(sql_);
    return transaction.exec1(query)[0].as<std::int64_t>();
  }

  static std::string UniqueSid() {
    static std::atomic<int> counter{0};
    return "p" + std::to_string(::getpid()) + "x" + std::to_string(counter.fetch_add(1));
  }

  pqxx::connection sql_{Cluster().Url()};
};

TEST_F(PoolTest, RacingThreadsNeverHoldMoreConnectionsThanTheSize) {
  db::ConnectionPool pool(4, Factory());
  std::atomic<int> leased{0};
  std::atomic<int> most{0};
  std::atomic<int> acquired{0};
  RunTogether(32, [&](int) {
    for (int round = 0; round < 20; ++round) {
      auto lease = pool.Acquire(In(seconds(30)));
      ASSERT_TRUE(lease.has_value()) << lease.error().detail;
      const int now = ++leased;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      pqxx::nontransaction transaction(lease->Connection());
      EXPECT_EQ(transaction.exec1("SELECT 1")[0].as<int>(), 1);
      --leased;
      ++acquired;
    }
  });
  EXPECT_EQ(acquired.load(), 32 * 20);
  EXPECT_LE(most.load(), 4);
  const auto stats = pool.GetStats();
  EXPECT_LE(stats.open, 4U);
  EXPECT_EQ(stats.in_use, 0U);
  EXPECT_EQ(stats.waiting, 0U);
}

TEST_F(PoolTest, DiscardedConnectionsAreReplacedWhileOthersWait) {
  db::ConnectionPool pool(3, Factory());
  std::atomic<int> succeeded{0};
  RunTogether(12, [&](int i) {
    for (int round = 0; round < 10; ++round) {
      auto lease = pool.Acquire(In(seconds(30)));
      ASSERT_TRUE(lease.has_value()) << lease.error().detail;
      pqxx::nontransaction transaction(lease->Connection());
      transaction.exec1("SELECT 1");
      if ((i + round) % 3 == 0) lease->Discard();  // as after a broken connection
      ++succeeded;
    }
  });
  EXPECT_EQ(succeeded.load(), 12 * 10);
  EXPECT_LE(pool.GetStats().open, 3U);
  EXPECT_EQ(pool.GetStats().in_use, 0U);
}

TEST_F(PoolTest, WaitersGiveUpAtTheirDeadlineAndTheRestGetTheConnectionInTurn) {
  db::ConnectionPool pool(1, Factory());
  std::atomic<int> timed_out{0};
  std::atomic<int> served{0};
  auto held = pool.Acquire(In(seconds(30)));
  ASSERT_TRUE(held.has_value());
  RunTogether(8, [&](int i) {
    // Half give up while the connection is held; the other half wait long enough.
    auto lease = pool.Acquire(In(i % 2 == 0 ? milliseconds(50) : seconds(30)));
    if (!lease) {
      EXPECT_EQ(lease.error().code, ErrorCode::kDeadlineExceeded);
      if (++timed_out == 4) {
        auto release = std::move(*held);  // the last to give up hands the connection on
      }
      return;
    }
    ++served;
  });
  EXPECT_EQ(timed_out.load(), 4);
  EXPECT_EQ(served.load(), 4);
  EXPECT_EQ(pool.GetStats().open, 1U);
}

TEST_F(PoolTest, AConnectionTheServerClosedWhileIdleIsReplacedBeforeUse) {
  db::ConnectionPool pool(1, Factory());
  const auto backend_of = [](db::ConnectionPool::Lease& lease) {
    pqxx::nontransaction transaction(lease.Connection());
    return transaction.exec1("SELECT pg_backend_pid()")[0].as<std::int64_t>();
  };
  std::int64_t first = 0;
  {
    auto lease = pool.Acquire(In(seconds(10)));
    ASSERT_TRUE(lease.has_value());
    first = backend_of(*lease);
  }
  // As when PostgreSQL restarts: the idle connection's backend ends (waiting up to 10 s).
  ASSERT_EQ(Query("SELECT pg_terminate_backend(" + std::to_string(first) + ", 10000)::int"), 1);
  auto lease = pool.Acquire(In(seconds(10)));
  ASSERT_TRUE(lease.has_value()) << lease.error().detail;
  EXPECT_NE(backend_of(*lease), first);
  EXPECT_EQ(pool.GetStats().open, 1U);
}

// A single-statement write may have committed when its connection broke, so it is not run
// again; a read or a transaction (which the server rolled back) is, once, on a fresh connection.
TEST_F(PoolTest, ASingleStatementWriteWhoseConnectionBrokeIsNotRetried) {
  db::ConnectionPool pool(2, Factory());
  db::Database database(pool);
  int calls = 0;
  const auto end_own_backend = [&](pqxx::transaction_base& transaction) -> Result<int> {
    ++calls;
    transaction.exec("SELECT pg_terminate_backend(pg_backend_pid())");
    return 1;
  };
  auto written = database.WriteStatement(In(seconds(10)), end_own_backend);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(written.error().detail.find("outcome is unknown"), std::string::npos)
      << written.error().detail;
  EXPECT_EQ(calls, 1);

  calls = 0;
  auto read = database.Read(In(seconds(10)), end_own_backend);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(calls, 2);

  calls = 0;
  auto transaction = database.Write(In(seconds(10)), end_own_backend);
  ASSERT_FALSE(transaction.has_value());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(pool.GetStats().in_use, 0U);
}

// A transaction whose caller's deadline passed before its COMMIT rolls back: the caller has
// been told DEADLINE_EXCEEDED, and that answer then means nothing was written.
TEST_F(PoolTest, ATransactionPastItsDeadlineAtCommitWritesNothing) {
  db::ConnectionPool pool(2, Factory());
  int commits = 0;
  db::Database database(pool, [&commits] { ++commits; });
  const std::string name = "Late " + UniqueSid();
  // Open the connection first, so that the short deadline below is spent on the work.
  ASSERT_TRUE(database.Read(In(seconds(10)), [](pqxx::transaction_base&) { return Result<int>(1); })
                  .has_value());
  auto written = database.Write(In(milliseconds(300)), [&](pqxx::transaction_base& transaction) {
    transaction.exec_params(
        "INSERT INTO products (name, description, category, price, slogan, stock) "
        "VALUES ($1, 'For tests.', 'Test', 1.00, 'Tested.', 1)",
        name);
    transaction.exec("SELECT pg_sleep(0.5)");  // the work outlasts the deadline
    return Result<int>(1);
  });
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(Query("SELECT count(*) FROM products WHERE name = " + sql_.quote(name)), 0);
  EXPECT_EQ(commits, 0);
  EXPECT_EQ(pool.GetStats().in_use, 0U);

  // Within its deadline, the same work commits.
  auto in_time = database.Write(In(seconds(10)), [&](pqxx::transaction_base& transaction) {
    transaction.exec_params(
        "INSERT INTO products (name, description, category, price, slogan, stock) "
        "VALUES ($1, 'For tests.', 'Test', 1.00, 'Tested.', 1)",
        name);
    return Result<int>(1);
  });
  ASSERT_TRUE(in_time.has_value());
  EXPECT_EQ(Query("SELECT count(*) FROM products WHERE name = " + sql_.quote(name)), 1);
  EXPECT_EQ(commits, 1);
}

TEST_F(PoolTest, RacingBuyersThroughTheRepositoriesNeverOversell) {
  db::ConnectionPool pool(8, Factory());
  std::atomic<int> commits{0};
  db::Database database(pool, [&commits] { ++commits; });
  db::UserRepository users(database);
  db::OrderRepository orders(database);
  const auto product = CreateProduct(10);
  std::vector<db::Caller> buyers;
  for (int i = 0; i < 16; ++i) {
    const auto sid = UniqueSid();
    auto user = users.Register(In(seconds(30)),
                               {.sid = sid,
                                .username = "user_" + sid,
                                .email = sid + "@example.com",
                                .password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"},
                               kTraceId);
    ASSERT_TRUE(user.has_value()) << user.error().detail;
    buyers.push_back({.user_id = user->id, .token_version = 1});
  }
  const int registered_commits = commits.load();
  std::atomic<int> placed{0};
  std::atomic<int> sold_out{0};
  RunTogether(64, [&](int i) {
    auto order = orders.Place(
        In(seconds(60)), buyers[i % buyers.size()],
        {.product_id = product, .quantity = 1, .idempotency_key = std::nullopt}, kTraceId);
    if (order) {
      ++placed;
    } else {
      EXPECT_EQ(order.error().code, ErrorCode::kConflict) << order.error().detail;
      ++sold_out;
    }
  });
  EXPECT_EQ(placed.load(), 10);
  EXPECT_EQ(sold_out.load(), 54);
  EXPECT_EQ(Query("SELECT stock FROM products WHERE id = " + std::to_string(product)), 0);
  // after_commit ran once for each committed write, none for the refused ones.
  EXPECT_EQ(commits.load() - registered_commits, 10);
}

}  // namespace
}  // namespace merch::testing
