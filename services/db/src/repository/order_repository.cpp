#include "repository/order_repository.hpp"

#include <boost/json/serialize.hpp>
#include <string>

#include "repository/caller.hpp"
#include "repository/outbox.hpp"
#include "repository/statements.hpp"

namespace merch::db {
namespace {

// The same words for a missing order and for another user's: nothing tells them apart.
Error OrderNotFound() { return {ErrorCode::kNotFound, "no such order"}; }

// The original order of an idempotency key that an earlier transaction committed.
Result<PlacedOrder> Replay(pqxx::transaction_base& transaction, const Caller& caller,
                           const NewOrder& order) {
  const auto row = statements::Exec(transaction, statements::kSelectIdempotentOrder, caller.user_id,
                                    *order.idempotency_key)[0];
  if (row["key_product_id"].as<std::int64_t>() != order.product_id ||
      row["key_quantity"].as<std::int32_t>() != order.quantity) {
    return Error{ErrorCode::kIdempotencyMismatch,
                 "the Idempotency-Key was already used for a different order"};
  }
  PlacedOrder replayed{.order = statements::ReadOrder(row), .replayed = true};
  replayed.order.status = OrderStatus::kPlaced;
  replayed.order.cancelled_at.reset();
  return replayed;
}

}  // namespace

// The order statements check the caller's token themselves (statements.cpp), which saves a
// round trip per call; only when one of them matched nothing does VerifyCaller run, to tell an
// invalid caller apart from the other reasons (or from a caller without orders).
Result<PlacedOrder> OrderRepository::Place(Deadline deadline, const Caller& caller,
                                           const NewOrder& order, std::string_view trace_id) {
  auto place = [&](pqxx::transaction_base& transaction) -> Result<PlacedOrder> {
    if (order.idempotency_key) {
      // The key is claimed for a verified caller only, and replays go to that caller only.
      auto user = VerifyCaller(transaction, caller);
      if (!user) return user.error();
      if (statements::Exec(transaction, statements::kClaimIdempotencyKey, caller.user_id,
                           *order.idempotency_key, order.product_id, order.quantity)
              .empty()) {
        return Replay(transaction, caller, order);
      }
    }
    const auto inserted =
        statements::Exec(transaction, statements::kTakeStockAndInsertOrder, caller.user_id,
                         order.product_id, order.quantity, caller.token_version, caller.issued_at,
                         std::string(trace_id), std::string(kOrderPlaced.level),
                         std::string(kOrderPlaced.event), std::string(kOrderPlaced.message));
    if (inserted.empty()) {
      auto user = VerifyCaller(transaction, caller);
      if (!user) return user.error();
      if (statements::Exec(transaction, statements::kProductExists, order.product_id).empty()) {
        return Error{ErrorCode::kNotFound,
                     "product " + std::to_string(order.product_id) + " does not exist"};
      }
      return Error{ErrorCode::kConflict,
                   "not enough stock for product " + std::to_string(order.product_id)};
    }
    PlacedOrder placed{.order = statements::ReadOrder(inserted[0]), .replayed = false};
    if (order.idempotency_key) {
      statements::Exec(transaction, statements::kAttachIdempotencyKey, caller.user_id,
                       *order.idempotency_key, placed.order.id);
    }
    return placed;
  };
  // With a key, claiming it, placing and attaching the order are one transaction; without, the
  // order is one statement.
  if (order.idempotency_key) return database_.Write(deadline, place);
  return database_.WriteStatement(deadline, place);
}

Result<OrderRecord> OrderRepository::Get(Deadline deadline, const Caller& caller,
                                         std::int64_t order_id) {
  return database_.Read(deadline, [&](pqxx::transaction_base& transaction) -> Result<OrderRecord> {
    const auto rows = statements::Exec(transaction, statements::kSelectOrderAsCaller, order_id,
                                       caller.user_id, caller.token_version, caller.issued_at);
    if (!rows.empty()) return statements::ReadOrder(rows[0]);
    auto user = VerifyCaller(transaction, caller);
    if (!user) return user.error();
    return OrderNotFound();
  });
}

Result<std::vector<OrderRecord>> OrderRepository::List(Deadline deadline, const Caller& caller,
                                                       Page page) {
  return database_.Read(
      deadline, [&](pqxx::transaction_base& transaction) -> Result<std::vector<OrderRecord>> {
        const auto rows =
            statements::Exec(transaction, statements::kListOrders, caller.user_id, page.limit,
                             page.offset, caller.token_version, caller.issued_at);
        if (rows.empty()) {
          auto user = VerifyCaller(transaction, caller);
          if (!user) return user.error();
        }
        std::vector<OrderRecord> orders;
        orders.reserve(rows.size());
        for (const auto& row : rows) orders.push_back(statements::ReadOrder(row));
        return orders;
      });
}

Result<OrderRecord> OrderRepository::Cancel(Deadline deadline, const Caller& caller,
                                            std::int64_t order_id, std::string_view trace_id) {
  const DomainEvent event = OrderCancelled(order_id, caller.user_id);
  const std::string attributes = boost::json::serialize(event.attributes);
  return database_.WriteStatement(
      deadline, [&](pqxx::transaction_base& transaction) -> Result<OrderRecord> {
        const auto cancelled = statements::Exec(
            transaction, statements::kCancelOrder, order_id, caller.user_id, caller.token_version,
            caller.issued_at, std::string(trace_id), std::string(event.level),
            std::string(event.event), std::string(event.message), attributes);
        if (!cancelled.empty()) return statements::ReadOrder(cancelled[0]);
        auto user = VerifyCaller(transaction, caller);
        if (!user) return user.error();
        if (statements::Exec(transaction, statements::kSelectOrder, order_id, caller.user_id)
                .empty()) {
          return OrderNotFound();
        }
        return Error{ErrorCode::kConflict,
                     "order " + std::to_string(order_id) + " is already cancelled"};
      });
}

}  // namespace merch::db
