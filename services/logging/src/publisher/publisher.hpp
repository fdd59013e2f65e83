#pragma once

#include <chrono>
#include <memory>

#include "events/log_event.hpp"
#include "merch/common/error.hpp"

namespace merch::logging {

// One group of events whose acknowledgement is awaited together (a stream's events).
// Not thread-safe: one caller publishes and waits.
class Delivery {
 public:
  virtual ~Delivery() = default;
  // Hands the event to the broker client without waiting; kUnavailable if it cannot take it.
  virtual Result<void> Publish(const RenderedEvent& event) = 0;
  // Waits until the broker acknowledged every published event (acks=all); kUnavailable when
  // any failed or the deadline passed (some may still be published: delivery is at least
  // once, so the sender resends).
  virtual Result<void> Wait(std::chrono::steady_clock::time_point deadline) = 0;
  virtual std::int64_t published() const = 0;
};

// Publishes rendered events to the log topic. Thread-safe.
class Publisher {
 public:
  virtual ~Publisher() = default;
  virtual std::unique_ptr<Delivery> StartDelivery() = 0;
  // Whether the broker answered the most recent probe.
  virtual bool Healthy() const = 0;
};

}  // namespace merch::logging
