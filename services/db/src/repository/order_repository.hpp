#pragma once

#include <string_view>
#include <vector>

#include "merch/common/error.hpp"
#include "repository/database.hpp"
#include "repository/records.hpp"

namespace merch::db {

// Orders, always scoped to the caller: another user's order is kNotFound. Thread-safe.
//
// Place decrements stock and inserts the order (and its idempotency key) in one transaction,
// so stock never goes negative and a failed order leaves nothing behind. Cancel restores
// stock exactly once however many cancels race. Place (unless it replays) and Cancel add their
// domain event (repository/outbox.hpp), with `trace_id`, to the outbox in the same transaction.
class OrderRepository {
 public:
  explicit OrderRepository(Database& database) : database_(database) {}

  // kNotFound for an unknown product, kConflict for insufficient stock, kIdempotencyMismatch
  // when the key was used for another product or quantity. A repeated key returns the
  // original order as placed, with `replayed` set.
  Result<PlacedOrder> Place(Deadline deadline, const Caller& caller, const NewOrder& order,
                            std::string_view trace_id);
  Result<OrderRecord> Get(Deadline deadline, const Caller& caller, std::int64_t order_id);
  // Newest first.
  Result<std::vector<OrderRecord>> List(Deadline deadline, const Caller& caller, Page page);
  // kConflict when already cancelled.
  Result<OrderRecord> Cancel(Deadline deadline, const Caller& caller, std::int64_t order_id,
                             std::string_view trace_id);

 private:
  Database& database_;
};

}  // namespace merch::db
