#include "repository/outbox.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "repository/statements.hpp"

namespace merch::db {

void AppendToOutbox(pqxx::transaction_base& transaction, std::string_view trace_id,
                    const DomainEvent& event) {
  statements::Exec(transaction, statements::kInsertOutboxEvent, std::string(trace_id),
                   std::string(event.level), std::string(event.event), std::string(event.message),
                   boost::json::serialize(event.attributes));
}

DomainEvent UserRegistered(const UserRecord& user) {
  return {"INFO", "user.registered", "user registered", {{"user_id", user.id}}};
}

DomainEvent UserUpdated(std::int64_t user_id, const UserChanges& changes) {
  boost::json::array fields;
  if (changes.username) fields.emplace_back("username");
  if (changes.email) fields.emplace_back("email");
  if (changes.password_hash) fields.emplace_back("password");
  return {"INFO",
          "user.updated",
          "user updated",
          {{"user_id", user_id}, {"fields", std::move(fields)}}};
}

DomainEvent UserDeactivated(std::int64_t user_id) {
  return {"INFO", "user.deactivated", "user deactivated", {{"user_id", user_id}}};
}

DomainEvent OrderCancelled(std::int64_t order_id, std::int64_t user_id) {
  return {
      "INFO", "order.cancelled", "order cancelled", {{"order_id", order_id}, {"user_id", user_id}}};
}

}  // namespace merch::db
