#include "repository/statements.hpp"

#include <pqxx/field>
#include <string>

namespace merch::db::statements {
namespace {

// Column lists shared by statements and readers. Money leaves SQL as integer cents and times
// as integer microseconds since the epoch, both computed exactly in numeric arithmetic.
#define MERCH_USER_COLUMNS                \
  "id, sid, username, email, is_active, " \
  "(extract(epoch FROM created_at) * 1000000)::bigint AS created_at_us"
#define MERCH_PRODUCT_COLUMNS                                                              \
  "id, name, description, category, (price * 100)::bigint AS price_cents, slogan, stock, " \
  "(extract(epoch FROM created_at) * 1000000)::bigint AS created_at_us"
#define MERCH_ORDER_COLUMNS                                                             \
  "id, user_id, product_id, quantity, (unit_price * 100)::bigint AS unit_price_cents, " \
  "status, (extract(epoch FROM created_at) * 1000000)::bigint AS created_at_us, "       \
  "(extract(epoch FROM cancelled_at) * 1000000)::bigint AS cancelled_at_us"

// True when the users row at hand is active and accepts a token of version $V (0: none)
// issued at $I (Unix seconds): VerifyCaller's rule (caller.hpp), as a condition a statement
// can carry, so that the check costs no round trip of its own.
#define MERCH_TOKEN_IS_CURRENT(V, I)                                                     \
  "is_active AND CASE WHEN " V "::bigint > 0 THEN token_version = " V "::bigint ELSE " I \
  "::bigint >= floor(extract(epoch FROM password_changed_at))::bigint END"

// The same for user $U, from any statement. Written for the statements below, whose
// parameters name the caller as ($U, $V, $I).
#define MERCH_CALLER_IS_VALID(U, V, I) \
  "EXISTS (SELECT 1 FROM users WHERE id = " U " AND " MERCH_TOKEN_IS_CURRENT(V, I) ")"

Timestamp ReadTimestamp(const pqxx::field& field) {
  return Timestamp(std::chrono::microseconds(field.as<std::int64_t>()));
}

}  // namespace

const Statement kInsertUser{
    "insert_user",
    "INSERT INTO users (sid, username, email, password_hash) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT DO NOTHING RETURNING " MERCH_USER_COLUMNS};

// Which of the given values another user already holds; NULL values match nothing.
const Statement kFindTakenUserFields{
    "find_taken_user_fields",
    "SELECT coalesce(bool_or(sid = $1), false), "
    "coalesce(bool_or(lower(username) = lower($2)), false), "
    "coalesce(bool_or(lower(email) = lower($3)), false) "
    "FROM users WHERE id <> $4 "
    "AND (sid = $1 OR lower(username) = lower($2) OR lower(email) = lower($3))"};

const Statement kSelectCaller{
    "select_caller", "SELECT " MERCH_USER_COLUMNS
                     ", token_version, "
                     "floor(extract(epoch FROM password_changed_at))::bigint AS password_changed_s "
                     "FROM users WHERE id = $1"};

const Statement kSelectCredentialsByUsername{"select_credentials_by_username",
                                             "SELECT " MERCH_USER_COLUMNS
                                             ", password_hash, token_version FROM users "
                                             "WHERE lower(username) = lower($1)"};

const Statement kSelectCredentialsBySid{"select_credentials_by_sid",
                                        "SELECT " MERCH_USER_COLUMNS
                                        ", password_hash, token_version FROM users WHERE sid = $1"};

// A new password hash bumps the token version, which revokes every token issued before. The
// change needs the caller's token ($5, $6) to be current on the row it changes: a change that
// checked its token, then waited for the row while another change with the same token
// committed, finds the row changed, matches nothing (PostgreSQL re-checks the condition on the
// newest row) and does not revoke the token the user has signed in with since.
const Statement kUpdateUser{
    "update_user",
    "UPDATE users SET "
    "username = coalesce($2, username), "
    "email = coalesce($3, email), "
    "password_hash = coalesce($4, password_hash), "
    "token_version = token_version + CASE WHEN $4::text IS NULL THEN 0 ELSE 1 END, "
    "password_changed_at = CASE WHEN $4::text IS NULL THEN password_changed_at ELSE now() END, "
    "updated_at = now() "
    "WHERE id = $1 AND " MERCH_TOKEN_IS_CURRENT("$5", "$6") " RETURNING " MERCH_USER_COLUMNS};

// Needs the caller's token ($2, $3) to be current on the row, as kUpdateUser does.
const Statement kDeactivateUser{
    "deactivate_user",
    "UPDATE users SET is_active = false, updated_at = now() "
    "WHERE id = $1 AND " MERCH_TOKEN_IS_CURRENT("$2", "$3") " RETURNING " MERCH_USER_COLUMNS};

const Statement kListProducts{
    "list_products", "SELECT " MERCH_PRODUCT_COLUMNS
                     " FROM products "
                     "WHERE $1::text IS NULL OR category = $1 ORDER BY id LIMIT $2 OFFSET $3"};

const Statement kSelectProduct{"select_product",
                               "SELECT " MERCH_PRODUCT_COLUMNS " FROM products WHERE id = $1"};

const Statement kProductExists{"product_exists", "SELECT 1 FROM products WHERE id = $1"};

// Claims (user, key). A concurrent claim of the same key blocks here until the first
// transaction ends: on commit this returns no row (replay), on rollback it claims afresh.
const Statement kClaimIdempotencyKey{
    "claim_idempotency_key",
    "INSERT INTO order_idempotency_keys (user_id, idempotency_key, product_id, quantity) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true"};

const Statement kSelectIdempotentOrder{
    "select_idempotent_order",
    "SELECT k.product_id AS key_product_id, k.quantity AS key_quantity, "
    "o.id, o.user_id, o.product_id, o.quantity, (o.unit_price * 100)::bigint AS unit_price_cents, "
    "o.status, (extract(epoch FROM o.created_at) * 1000000)::bigint AS created_at_us, "
    "(extract(epoch FROM o.cancelled_at) * 1000000)::bigint AS cancelled_at_us "
    "FROM order_idempotency_keys k JOIN orders o ON o.id = k.order_id "
    "WHERE k.user_id = $1 AND k.idempotency_key = $2"};

const Statement kAttachIdempotencyKey{
    "attach_idempotency_key",
    "UPDATE order_idempotency_keys SET order_id = $3 WHERE user_id = $1 AND idempotency_key = $2"};

// Decrements stock only if enough is left, inserts the order at the current price and writes
// its order.placed event into the outbox ($6 trace id, $7 level, $8 event, $9 message), in one
// statement: no check-then-act, the product row lock serialises concurrent orders, and the
// whole order is one round trip inside its transaction. The event's attributes are built here,
// where the new order's id is known: the fields of outbox.hpp's OrderPlaced, in its order. It
// also checks the caller's token ($1, $4, $5), and places nothing for a caller that is not
// valid (the repository then asks VerifyCaller why).
const Statement kTakeStockAndInsertOrder{
    "take_stock_and_insert_order",
    "WITH taken AS (UPDATE products SET stock = stock - $3 WHERE id = $2 AND stock >= $3 "
    "AND " MERCH_CALLER_IS_VALID("$1", "$4", "$5") " RETURNING id, price), "
    "placed AS (INSERT INTO orders (user_id, product_id, quantity, unit_price) "
    "SELECT $1, id, $3, price FROM taken RETURNING *), "
    "announced AS (INSERT INTO outbox_events (trace_id, level, event, message, attributes_json) "
    "SELECT $6, $7, $8, $9, json_build_object('order_id', id, 'user_id', user_id, "
    "'product_id', product_id, 'quantity', quantity)::text FROM placed) "
    "SELECT " MERCH_ORDER_COLUMNS " FROM placed"};

const Statement kSelectOrder{
    "select_order", "SELECT " MERCH_ORDER_COLUMNS " FROM orders WHERE id = $1 AND user_id = $2"};

// The reads of a caller whose token they check ($2/$1, $3/$4, $4/$5): nothing for a caller
// that is not valid (the repository then asks VerifyCaller why).
const Statement kSelectOrderAsCaller{"select_order_as_caller",
                                     "SELECT " MERCH_ORDER_COLUMNS
                                     " FROM orders WHERE id = $1 AND user_id = $2 "
                                     "AND " MERCH_CALLER_IS_VALID("$2", "$3", "$4")};

const Statement kListOrders{
    "list_orders", "SELECT " MERCH_ORDER_COLUMNS
                   " FROM orders WHERE user_id = $1 "
                   "AND " MERCH_CALLER_IS_VALID(
                       "$1", "$4", "$5") " ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"};

// Cancels a placed order, restores its stock and writes its order.cancelled event into the
// outbox ($5 trace id, $6 level, $7 event, $8 message, $9 attributes), in one statement: one
// round trip inside the transaction. A concurrent cancel waits for the row lock, then sees
// status 'cancelled' and matches nothing: stock comes back once. It also checks the caller's
// token ($2, $3, $4), and cancels nothing for a caller that is not valid.
const Statement kCancelOrder{
    "cancel_order",
    "WITH cancelled AS (UPDATE orders SET status = 'cancelled', cancelled_at = now() "
    "WHERE id = $1 AND user_id = $2 AND status = 'placed' "
    "AND " MERCH_CALLER_IS_VALID("$2", "$3", "$4") " RETURNING *), "
    "restocked AS (UPDATE products p SET stock = p.stock + c.quantity FROM cancelled c "
    "WHERE p.id = c.product_id), "
    "announced AS (INSERT INTO outbox_events (trace_id, level, event, message, attributes_json) "
    "SELECT $5, $6, $7, $8, $9 FROM cancelled) "
    "SELECT " MERCH_ORDER_COLUMNS " FROM cancelled"};

// Adds an event to the outbox. No NOTIFY: PostgreSQL serialises the commits of every
// transaction that notifies (one global lock held across the commit's WAL flush), which cost
// place+cancel pairs a third of their throughput; merch-db wakes its own relay after the
// commit instead (Database's after_commit).
const Statement kInsertOutboxEvent{
    "insert_outbox_event",
    "INSERT INTO outbox_events (trace_id, level, event, message, attributes_json) "
    "VALUES ($1, $2, $3, $4, $5)"};

// The oldest pending events that no other relay holds, locked until the relay's transaction
// ends: two relays on one database take disjoint batches.
const Statement kLockOutboxBatch{
    "lock_outbox_batch",
    "SELECT id, event_id::text AS event_id, trace_id, level, event, message, attributes_json, "
    "(extract(epoch FROM created_at) * 1000)::bigint AS timestamp_ms "
    "FROM outbox_events ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"};

const Statement kDeleteOutboxEvents{"delete_outbox_events",
                                    "DELETE FROM outbox_events WHERE id = ANY($1::bigint[])"};

// Pending events and the age of the oldest in seconds (0 when none), for /metrics.
const Statement kOutboxBacklog{
    "outbox_backlog",
    "SELECT count(*) AS depth, "
    "coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8 AS lag_seconds "
    "FROM outbox_events"};

#undef MERCH_USER_COLUMNS
#undef MERCH_PRODUCT_COLUMNS
#undef MERCH_ORDER_COLUMNS
#undef MERCH_CALLER_IS_VALID
#undef MERCH_TOKEN_IS_CURRENT

void PrepareStatements(pqxx::connection& connection) {
  for (const Statement* statement :
       {&kInsertUser, &kFindTakenUserFields, &kSelectCaller, &kSelectCredentialsByUsername,
        &kSelectCredentialsBySid, &kUpdateUser, &kDeactivateUser, &kListProducts, &kSelectProduct,
        &kProductExists, &kClaimIdempotencyKey, &kSelectIdempotentOrder, &kAttachIdempotencyKey,
        &kTakeStockAndInsertOrder, &kSelectOrder, &kSelectOrderAsCaller, &kListOrders,
        &kCancelOrder}) {
    connection.prepare(std::string(statement->name), std::string(statement->sql));
  }
  for (const Statement* statement :
       {&kInsertOutboxEvent, &kLockOutboxBatch, &kDeleteOutboxEvents, &kOutboxBacklog}) {
    connection.prepare(std::string(statement->name), std::string(statement->sql));
  }
}

UserRecord ReadUser(const pqxx::row& row) {
  return UserRecord{
      .id = row["id"].as<std::int64_t>(),
      .sid = row["sid"].as<std::string>(),
      .username = row["username"].as<std::string>(),
      .email = row["email"].as<std::string>(),
      .is_active = row["is_active"].as<bool>(),
      .created_at = ReadTimestamp(row["created_at_us"]),
  };
}

ProductRecord ReadProduct(const pqxx::row& row) {
  return ProductRecord{
      .id = row["id"].as<std::int64_t>(),
      .name = row["name"].as<std::string>(),
      .description = row["description"].as<std::string>(),
      .category = row["category"].as<std::string>(),
      .price_cents = row["price_cents"].as<std::int64_t>(),
      .slogan = row["slogan"].as<std::string>(),
      .stock = row["stock"].as<std::int64_t>(),
      .created_at = ReadTimestamp(row["created_at_us"]),
  };
}

OrderRecord ReadOrder(const pqxx::row& row) {
  OrderRecord order{
      .id = row["id"].as<std::int64_t>(),
      .user_id = row["user_id"].as<std::int64_t>(),
      .product_id = row["product_id"].as<std::int64_t>(),
      .quantity = row["quantity"].as<std::int32_t>(),
      .unit_price_cents = row["unit_price_cents"].as<std::int64_t>(),
      .status = row["status"].as<std::string>() == "cancelled" ? OrderStatus::kCancelled
                                                               : OrderStatus::kPlaced,
      .created_at = ReadTimestamp(row["created_at_us"]),
      .cancelled_at = std::nullopt,
  };
  if (!row["cancelled_at_us"].is_null()) order.cancelled_at = ReadTimestamp(row["cancelled_at_us"]);
  return order;
}

}  // namespace merch::db::statements
