#pragma once

#include <chrono>
#include <thread>

namespace merch::testing {

// Waits until `condition()` holds, checking every 10 ms, for at most `timeout`; returns
// whether it held. For conditions that have no notification to wait on (a process's state,
// a counter in another component).
template <class Condition>
bool WaitFor(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace merch::testing
