#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

// Plain values the repositories read and write; the gRPC layer converts them to messages.
namespace merch::db {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Who is acting: the user id and token version of a verified JWT.
struct Caller {
  std::int64_t user_id = 0;
  std::int64_t token_version = 0;  // 0: the token has no version; judge it by issued_at
  std::int64_t issued_at = 0;      // Unix seconds
};

struct Page {
  std::int64_t limit = 0;
  std::int64_t offset = 0;
};

struct UserRecord {
  std::int64_t id = 0;
  std::string sid;
  std::string username;
  std::string email;
  bool is_active = false;
  Timestamp created_at;
};

struct NewUser {
  std::string sid;
  std::string username;
  std::string email;
  std::string password_hash;
};

struct UserChanges {
  std::optional<std::string> username;
  std::optional<std::string> email;
  std::optional<std::string> password_hash;
};

struct Credentials {
  UserRecord user;
  std::string password_hash;
  std::int64_t token_version = 0;
};

struct ProductRecord {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::string category;
  std::int64_t price_cents = 0;
  std::string slogan;
  std::int64_t stock = 0;
  Timestamp created_at;
};

enum class OrderStatus { kPlaced, kCancelled };

struct OrderRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t product_id = 0;
  std::int32_t quantity = 0;
  std::int64_t unit_price_cents = 0;
  OrderStatus status = OrderStatus::kPlaced;
  Timestamp created_at;
  std::optional<Timestamp> cancelled_at;

  std::int64_t TotalPriceCents() const { return unit_price_cents * quantity; }
};

struct NewOrder {
  std::int64_t product_id = 0;
  std::int32_t quantity = 0;
  std::optional<std::string> idempotency_key;
};

struct PlacedOrder {
  OrderRecord order;  // as it was when placed
  bool replayed = false;
};

}  // namespace merch::db
