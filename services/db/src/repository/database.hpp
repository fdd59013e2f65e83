#pragma once

#include <chrono>
#include <functional>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <string>
#include <type_traits>
#include <utility>

#include "merch/common/error.hpp"
#include "repository/connection_pool.hpp"

namespace merch::db {

// Runs units of work on pooled connections and turns database failures into Errors.
//
// `work` receives a transaction and returns a Result. A Write commits when the Result holds a
// value and rolls back otherwise, so a failed operation writes nothing. A Read runs its
// statements without BEGIN/COMMIT (each is atomic on its own). A WriteStatement is a write
// made of one statement, which PostgreSQL commits on its own (autocommit): one round trip
// instead of three; `work` runs that statement first, and after it only reads (to explain a
// statement that changed nothing). After each write that succeeds, `after_commit` runs
// (merch-db wakes its outbox relay with it: the outbox rows it may have written are visible
// now).
//
// Failures: a broken connection is discarded and the work retried once on a fresh one (the
// server has rolled the transaction back, so this is safe); if that fails too the result is
// kUnavailable. A commit whose outcome is unknown is kUnavailable without a retry, and so is a
// WriteStatement whose connection broke (its statement may have committed). A statement
// timeout is kDeadlineExceeded, and so is a Write whose deadline passed before its COMMIT: it
// rolls back, since its caller has stopped waiting. Any other database error is logged and becomes
// kInternal with no database text in it.
class Database {
 public:
  explicit Database(ConnectionPool& pool, std::function<void()> after_commit = {})
      : pool_(pool), after_commit_(std::move(after_commit)) {}

  template <class Work>
  auto Write(Deadline deadline, Work&& work) {
    return Run<pqxx::work>(deadline, std::forward<Work>(work));
  }

  template <class Work>
  auto Read(Deadline deadline, Work&& work) {
    return Run<pqxx::nontransaction>(deadline, std::forward<Work>(work));
  }

  template <class Work>
  auto WriteStatement(Deadline deadline, Work&& work) {
    return Run<pqxx::nontransaction, kAutocommitWrite>(deadline, std::forward<Work>(work));
  }

 private:
  enum class Failure {
    kStatement,       // the statement failed; the connection is fine
    kConnectionLost,  // the connection broke before any commit: safe to retry
    kOutcomeUnknown,  // the connection broke during commit
  };

  // Classifies the exception being handled, logs what deserves it, and sets `error`.
  static Failure Classify(Error& error);

  static constexpr bool kAutocommitWrite = true;

  template <class Transaction, bool kAutocommit = false, class Work>
  auto Run(Deadline deadline, Work&& work) -> std::invoke_result_t<Work&, Transaction&> {
    constexpr bool kWrites = kAutocommit || std::is_same_v<Transaction, pqxx::work>;
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.Acquire(deadline);
      if (!lease) return lease.error();
      Error error{ErrorCode::kInternal, "internal error"};
      try {
        Transaction transaction(lease->Connection());
        auto result = work(transaction);
        if (result) {
          // The caller has been told DEADLINE_EXCEEDED by now: roll back (the transaction's
          // destructor), so that answer means nothing was written.
          if (!kAutocommit && kWrites && std::chrono::steady_clock::now() >= deadline) {
            return LateForCommit();
          }
          transaction.commit();
          if (kWrites && after_commit_) after_commit_();
        }
        return result;
      } catch (...) {
        Failure failure = Classify(error);
        if (kAutocommit && failure == Failure::kConnectionLost) {
          failure = Failure::kOutcomeUnknown;
          error = OutcomeUnknown();
        }
        if (failure != Failure::kStatement) lease->Discard();
        if (failure == Failure::kConnectionLost && attempt == 0) continue;
      }
      return error;
    }
  }

  static Error LateForCommit() {
    return {ErrorCode::kDeadlineExceeded, "the request's deadline passed before its commit"};
  }

  static Error OutcomeUnknown() {
    return {ErrorCode::kUnavailable, "the database connection was lost; the outcome is unknown"};
  }

  ConnectionPool& pool_;
  const std::function<void()> after_commit_;
};

}  // namespace merch::db
