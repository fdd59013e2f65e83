#pragma once

#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>

#include "repository/records.hpp"

// Every SQL statement of the service: named, parameterised, and prepared once per pooled
// connection (PrepareStatements). Repositories refer to them by these names only.
namespace merch::db::statements {

struct Statement {
  std::string_view name;
  std::string_view sql;
};

// Users.
extern const Statement kInsertUser;
extern const Statement kFindTakenUserFields;
extern const Statement kSelectCaller;
extern const Statement kSelectCredentialsByUsername;
extern const Statement kSelectCredentialsBySid;
extern const Statement kUpdateUser;
extern const Statement kDeactivateUser;
// Products.
extern const Statement kListProducts;
extern const Statement kSelectProduct;
extern const Statement kProductExists;
// Orders.
extern const Statement kClaimIdempotencyKey;
extern const Statement kSelectIdempotentOrder;
extern const Statement kAttachIdempotencyKey;
extern const Statement kTakeStockAndInsertOrder;
extern const Statement kSelectOrder;
extern const Statement kSelectOrderAsCaller;
extern const Statement kListOrders;
extern const Statement kCancelOrder;  // and writes its event to the outbox
// The outbox of domain events (db/migrations/V003__outbox.sql).
extern const Statement kInsertOutboxEvent;
extern const Statement kLockOutboxBatch;
extern const Statement kDeleteOutboxEvents;
extern const Statement kOutboxBacklog;

void PrepareStatements(pqxx::connection& connection);

// Runs a prepared statement with the given parameters (nullptr or a null `const char*` is
// SQL NULL).
template <class... Args>
pqxx::result Exec(pqxx::transaction_base& transaction, const Statement& statement, Args&&... args) {
  return transaction.exec_prepared(std::string(statement.name), std::forward<Args>(args)...);
}

// Row readers for the column lists the statements above return.
UserRecord ReadUser(const pqxx::row& row);
ProductRecord ReadProduct(const pqxx::row& row);
OrderRecord ReadOrder(const pqxx::row& row);

}  // namespace merch::db::statements
