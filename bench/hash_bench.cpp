// Single-core argon2id throughput at the api's parameters, through the api's own PasswordHasher
// (services/api/src/auth/password_hasher.hpp): the baseline of `POST /users/login` in bench/run.
//
//   merch-hash-bench [--seconds S]
//
// One worker thread verifies a password against a hash made by the same hasher, one call after
// the other, for S seconds (default 10), as a login does. Prints one JSON object:
//   {"hashes": N, "seconds": S, "hashes_per_s": X, "cpu_seconds": C}
// where cpu_seconds is the process's CPU time over the measured loop (close to S when the core
// was not shared).
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "auth/password_hasher.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& value) {
    return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Outcome {
  long hashes = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  std::string error;
};

boost::asio::awaitable<void> Run(merch::api::PasswordHasher& hasher, double duration,
                                 Outcome& outcome) {
  const std::string password = "correct horse battery staple";
  auto hash = co_await hasher.Hash(password);
  if (!hash) {
    outcome.error = "hashing failed";
    co_return;
  }
  const double cpu_start = CpuSeconds();
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(duration);
  while (Clock::now() < end) {
    auto verified = co_await hasher.Verify(*hash, password);
    if (!verified || !*verified) {
      outcome.error = "verification failed";
      co_return;
    }
    ++outcome.hashes;
  }
  outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  outcome.cpu_seconds = CpuSeconds() - cpu_start;
}

int Run(int argc, char** argv) {
  double duration = 10;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      duration = std::strtod(argv[++i], nullptr);
    } else {
      std::cerr << "usage: merch-hash-bench [--seconds S]\n";
      return 2;
    }
  }
  if (!(duration > 0)) {
    std::cerr << "--seconds must be positive\n";
    return 2;
  }

  Outcome outcome;
  {
    boost::asio::io_context context;
    // One worker: the single-core figure. The io_context thread only waits for completions.
    merch::api::PasswordHasher hasher(1, 1);
    boost::asio::co_spawn(context, Run(hasher, duration, outcome), boost::asio::detached);
    context.run();
  }
  if (!outcome.error.empty()) {
    std::cerr << outcome.error << "\n";
    return 1;
  }
  std::printf(
      "{\"hashes\": %ld, \"seconds\": %.3f, \"hashes_per_s\": %.2f, \"cpu_seconds\": %.3f}\n",
      outcome.hashes, outcome.seconds, static_cast<double>(outcome.hashes) / outcome.seconds,
      outcome.cpu_seconds);
  return 0;
}

}  // namespace

// Whatever escapes Run (a bug, or a failure to start) is reported, not left to std::terminate.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "hash_bench: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "hash_bench: unknown exception\n");
  }
  return 1;
}
