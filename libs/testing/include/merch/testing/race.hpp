#pragma once

#include <latch>
#include <thread>
#include <vector>

namespace merch::testing {

// Runs `body(i)` for i in [0, count) on `count` threads released at the same moment (a latch,
// not a sleep), and returns once all have finished. For tests of code that must stay correct
// under racing callers.
template <class Body>
void RunTogether(int count, Body body) {
  std::latch start(count);
  std::vector<std::thread> threads;
  threads.reserve(count);
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      body(i);
    });
  }
  for (auto& thread : threads) thread.join();
}

}  // namespace merch::testing
