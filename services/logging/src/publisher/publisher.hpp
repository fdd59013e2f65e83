#pragma once

#include <functional>
#include <memory>

#include "events/log_event.hpp"
#include "merch/common/error.hpp"

namespace merch::logging {

// One group of events whose acknowledgement is awaited together (a stream's events).
// Not thread-safe: one caller publishes, then asks once to be told of the acknowledgement.
class Delivery {
 public:
  using Acknowledged = std::function<void(Result<void>)>;

  virtual ~Delivery() = default;
  // Hands the event to the broker client without waiting; kUnavailable if it cannot take it.
  virtual Result<void> Publish(const RenderedEvent& event) = 0;
  // Calls `done` once every published event has been acknowledged by the broker (acks=all),
  // or with kUnavailable once any of them failed or timed out (some may still be published:
  // delivery is at least once, so the sender resends). `done` runs exactly once, at once when
  // nothing is outstanding, else on the publisher's delivery thread, within the broker
  // client's message timeout. Call it after the last Publish; the Delivery must outlive it.
  virtual void WhenAcknowledged(Acknowledged done) = 0;
  virtual std::int64_t Published() const = 0;
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
