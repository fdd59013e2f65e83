#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <pqxx/transaction_base>
#include <string>
#include <string_view>

#include "repository/records.hpp"

// Domain events, written to the outbox in the transaction of the change they describe and
// shipped from there by the relay (README, "Log events"). Their fields are those of the
// published JSON object (proto/merch/v1/logging.proto, LogMessage).
namespace merch::db {

// An event's level, name and message, without its attributes.
struct EventKind {
  std::string_view level;
  std::string_view event;
  std::string_view message;
};

// Written by statements::kTakeStockAndInsertOrder, the statement that places the order (only it
// knows the new order's id); its attributes are order_id, user_id, product_id and quantity.
inline constexpr EventKind kOrderPlaced{"INFO", "order.placed", "order placed"};

struct DomainEvent {
  std::string_view level;  // "INFO", ...
  std::string_view event;  // e.g. "order.placed"
  std::string_view message;
  boost::json::object attributes;  // the event's own top-level fields
};

// Inserts `event` with `trace_id` (a valid trace id, logship::IsValidTraceId) into the outbox
// of `transaction`, and has the relay woken when it commits.
void AppendToOutbox(pqxx::transaction_base& transaction, std::string_view trace_id,
                    const DomainEvent& event);

DomainEvent UserRegistered(const UserRecord& user);
// `fields`: "username", "email", "password", those that `changes` sets, in this order.
DomainEvent UserUpdated(std::int64_t user_id, const UserChanges& changes);
DomainEvent UserDeactivated(std::int64_t user_id);
// Written by statements::kCancelOrder, in the statement that cancels the order.
DomainEvent OrderCancelled(std::int64_t order_id, std::int64_t user_id);

}  // namespace merch::db
