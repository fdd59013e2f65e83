#include "support/fake_db_api.hpp"

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <chrono>

namespace merch::api::test_support {
namespace {

namespace v1 = merch::v1;

google::protobuf::Timestamp Now() {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(micros / 1000000);
  timestamp.set_nanos(static_cast<std::int32_t>(micros % 1000000) * 1000);
  return timestamp;
}

v1::Product MakeProduct(std::int64_t id, std::string name, std::string category,
                        std::int64_t price_cents) {
  v1::Product product;
  product.set_id(id);
  product.set_name(std::move(name));
  product.set_description("description of product " + std::to_string(id));
  product.set_category(std::move(category));
  product.set_price_cents(price_cents);
  product.set_slogan("slogan " + std::to_string(id));
  product.set_stock(500);
  *product.mutable_created_at() = Now();
  return product;
}

template <class T>
Result<T> Unavailable() {
  return Error{ErrorCode::kUnavailable, "the db service is unavailable"};
}

}  // namespace

FakeDbApi::FakeDbApi() {
  products_.push_back(MakeProduct(1, "SUSTech Hoodie", "Apparel", 4999));
  products_.push_back(MakeProduct(2, "SUSTech Water Bottle", "Drinkware", 1999));
  products_.push_back(MakeProduct(3, "SUSTech Notebook", "Stationery", 999));
}

void FakeDbApi::SetAvailable(bool available) {
  std::lock_guard lock(mutex_);
  available_ = available;
}

void FakeDbApi::SetStock(std::int64_t product_id, std::int64_t stock) {
  std::lock_guard lock(mutex_);
  products_.at(static_cast<std::size_t>(product_id - 1)).set_stock(stock);
}

std::int64_t FakeDbApi::Stock(std::int64_t product_id) const {
  std::lock_guard lock(mutex_);
  return products_.at(static_cast<std::size_t>(product_id - 1)).stock();
}

std::vector<std::string> FakeDbApi::BearerTokens() const {
  std::lock_guard lock(mutex_);
  return bearer_tokens_;
}

std::vector<std::string> FakeDbApi::TraceIds() const {
  std::lock_guard lock(mutex_);
  return trace_ids_;
}

std::size_t FakeDbApi::OrderCount() const {
  std::lock_guard lock(mutex_);
  return orders_.size();
}

std::string FakeDbApi::PasswordHash(std::int64_t user_id) const {
  std::lock_guard lock(mutex_);
  return users_.at(static_cast<std::size_t>(user_id - 1)).password_hash;
}

void FakeDbApi::SetPasswordChangedAt(std::int64_t user_id, std::int64_t seconds) {
  std::lock_guard lock(mutex_);
  users_.at(static_cast<std::size_t>(user_id - 1)).password_changed_s = seconds;
}

Result<void> FakeDbApi::Available() const {
  if (!available_) return Unavailable<void>();
  return {};
}

Result<FakeDbApi::StoredUser*> FakeDbApi::Caller(const auth::TokenClaims& caller) {
  if (caller.user_id < 1 || static_cast<std::size_t>(caller.user_id) > users_.size()) {
    return Error{ErrorCode::kUnauthenticated, "the token's user does not exist"};
  }
  auto& stored = users_[static_cast<std::size_t>(caller.user_id - 1)];
  if (!stored.user.is_active()) {
    return Error{ErrorCode::kUnauthenticated, "the account is deactivated"};
  }
  const bool revoked = caller.token_version > 0 ? caller.token_version != stored.token_version
                                                : caller.issued_at < stored.password_changed_s;
  if (revoked) return Error{ErrorCode::kUnauthenticated, "the token was revoked"};
  return &stored;
}

Result<void> FakeDbApi::CheckTaken(std::int64_t except_id, const std::string* sid,
                                   const std::string* username, const std::string* email) const {
  for (const auto& stored : users_) {
    const auto& user = stored.user;
    if (user.id() == except_id) continue;
    if ((sid != nullptr && user.sid() == *sid) ||
        (username != nullptr && boost::algorithm::iequals(user.username(), *username)) ||
        (email != nullptr && boost::algorithm::iequals(user.email(), *email))) {
      return Error{ErrorCode::kAlreadyExists, "the sid, username or email is taken"};
    }
  }
  return {};
}

Result<v1::Order*> FakeDbApi::OwnOrder(std::int64_t user_id, std::int64_t id) {
  if (id < 1 || static_cast<std::size_t>(id) > orders_.size() ||
      orders_[static_cast<std::size_t>(id - 1)].user_id() != user_id) {
    return Error{ErrorCode::kNotFound, "no such order"};
  }
  return &orders_[static_cast<std::size_t>(id - 1)];
}

DbApi::Async<v1::User> FakeDbApi::RegisterUser(CallMetadata call, const RegisterBody& user,
                                               std::string password_hash) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  if (auto taken = CheckTaken(0, &user.sid, &user.username, &user.email); !taken) {
    co_return taken.error();
  }
  StoredUser stored;
  stored.user.set_id(static_cast<std::int64_t>(users_.size()) + 1);
  stored.user.set_sid(user.sid);
  stored.user.set_username(user.username);
  stored.user.set_email(user.email);
  stored.user.set_is_active(true);
  *stored.user.mutable_created_at() = Now();
  stored.password_hash = std::move(password_hash);
  users_.push_back(stored);
  co_return stored.user;
}

DbApi::Async<v1::Credentials> FakeDbApi::GetCredentials(CallMetadata call,
                                                        std::optional<std::string> username,
                                                        std::optional<std::string> sid) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  for (const auto& stored : users_) {
    if ((username && boost::algorithm::iequals(stored.user.username(), *username)) ||
        (sid && stored.user.sid() == *sid)) {
      v1::Credentials credentials;
      *credentials.mutable_user() = stored.user;
      credentials.set_password_hash(stored.password_hash);
      credentials.set_token_version(stored.token_version);
      co_return credentials;
    }
  }
  co_return Error{ErrorCode::kNotFound, "no such user"};
}

DbApi::Async<v1::User> FakeDbApi::CheckCaller(CallMetadata call, const auth::TokenClaims& caller) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  auto stored = Caller(caller);
  if (!stored) co_return stored.error();
  co_return (*stored)->user;
}

DbApi::Async<v1::User> FakeDbApi::UpdateUser(CallMetadata call, const auth::TokenClaims& caller,
                                             std::optional<std::string> username,
                                             std::optional<std::string> email,
                                             std::optional<std::string> password_hash) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  auto stored = Caller(caller);
  if (!stored) co_return stored.error();
  if (auto taken = CheckTaken(caller.user_id, nullptr, username ? &*username : nullptr,
                              email ? &*email : nullptr);
      !taken) {
    co_return taken.error();
  }
  auto& user = **stored;
  if (username) user.user.set_username(*username);
  if (email) user.user.set_email(*email);
  if (password_hash) {
    user.password_hash = std::move(*password_hash);
    ++user.token_version;
  }
  co_return user.user;
}

DbApi::Async<v1::User> FakeDbApi::DeactivateUser(CallMetadata call,
                                                 const auth::TokenClaims& caller) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  auto stored = Caller(caller);
  if (!stored) co_return stored.error();
  (*stored)->user.set_is_active(false);
  co_return (*stored)->user;
}

DbApi::Async<v1::ListProductsResponse> FakeDbApi::ListProducts(
    CallMetadata call, const Page& page, std::optional<std::string> category) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  v1::ListProductsResponse response;
  std::int64_t skipped = 0;
  for (const auto& product : products_) {
    if (category && product.category() != *category) continue;
    if (skipped++ < page.offset) continue;
    if (response.products_size() == page.limit) break;
    *response.add_products() = product;
  }
  co_return response;
}

DbApi::Async<v1::Product> FakeDbApi::GetProduct(CallMetadata call, std::int64_t id) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  if (id < 1 || static_cast<std::size_t>(id) > products_.size()) {
    co_return Error{ErrorCode::kNotFound, "no such product"};
  }
  co_return products_[static_cast<std::size_t>(id - 1)];
}

DbApi::Async<v1::PlaceOrderResponse> FakeDbApi::PlaceOrder(
    CallMetadata call, const auth::TokenClaims& caller, const PlaceOrderBody& order,
    std::optional<std::string> idempotency_key) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  auto stored = Caller(caller);
  if (!stored) co_return stored.error();
  v1::PlaceOrderResponse response;
  if (idempotency_key) {
    const auto found = keys_.find({caller.user_id, *idempotency_key});
    if (found != keys_.end()) {
      if (found->second.product_id != order.product_id ||
          found->second.quantity != order.quantity) {
        co_return Error{ErrorCode::kIdempotencyMismatch,
                        "the Idempotency-Key was used for another order"};
      }
      *response.mutable_order() = found->second.original;
      response.set_replayed(true);
      co_return response;
    }
  }
  if (order.product_id < 1 || static_cast<std::size_t>(order.product_id) > products_.size()) {
    co_return Error{ErrorCode::kNotFound, "no such product"};
  }
  auto& product = products_[static_cast<std::size_t>(order.product_id - 1)];
  if (product.stock() < order.quantity) {
    co_return Error{ErrorCode::kConflict, "insufficient stock"};
  }
  product.set_stock(product.stock() - order.quantity);
  v1::Order placed;
  placed.set_id(static_cast<std::int64_t>(orders_.size()) + 1);
  placed.set_user_id(caller.user_id);
  placed.set_product_id(order.product_id);
  placed.set_quantity(order.quantity);
  placed.set_unit_price_cents(product.price_cents());
  placed.set_total_price_cents(product.price_cents() * order.quantity);
  placed.set_status(v1::ORDER_STATUS_PLACED);
  *placed.mutable_created_at() = Now();
  orders_.push_back(placed);
  if (idempotency_key) {
    keys_[{caller.user_id, *idempotency_key}] = {order.product_id, order.quantity, placed};
  }
  *response.mutable_order() = placed;
  co_return response;
}

DbApi::Async<v1::ListOrdersResponse> FakeDbApi::ListOrders(CallMetadata call,
                                                           const auth::TokenClaims& caller,
                                                           const Page& page) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  auto stored = Caller(caller);
  if (!stored) co_return stored.error();
  v1::ListOrdersResponse response;
  std::int64_t skipped = 0;
  // Newest first. (std::views::reverse is not usable here: clang 14 cannot compile libstdc++ 12's
  // ranges, and the sanitizer builds use clang 14.)
  for (std::size_t i = orders_.size(); i-- > 0;) {
    const auto& order = orders_[i];
    if (order.user_id() != caller.user_id) continue;
    if (skipped++ < page.offset) continue;
    if (response.orders_size() == page.limit) break;
    *response.add_orders() = order;
  }
  co_return response;
}

DbApi::Async<v1::Order> FakeDbApi::GetOrder(CallMetadata call, const auth::TokenClaims& caller,
                                            std::int64_t id) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  auto stored = Caller(caller);
  if (!stored) co_return stored.error();
  auto order = OwnOrder(caller.user_id, id);
  if (!order) co_return order.error();
  co_return **order;
}

DbApi::Async<v1::Order> FakeDbApi::CancelOrder(CallMetadata call, const auth::TokenClaims& caller,
                                               std::int64_t id) {
  std::lock_guard lock(mutex_);
  trace_ids_.emplace_back(call.trace_id);
  bearer_tokens_.emplace_back(call.bearer_token);
  if (auto up = Available(); !up) co_return up.error();
  auto stored = Caller(caller);
  if (!stored) co_return stored.error();
  auto order = OwnOrder(caller.user_id, id);
  if (!order) co_return order.error();
  auto& cancelled = **order;
  if (cancelled.status() == v1::ORDER_STATUS_CANCELLED) {
    co_return Error{ErrorCode::kConflict, "the order is already cancelled"};
  }
  cancelled.set_status(v1::ORDER_STATUS_CANCELLED);
  *cancelled.mutable_cancelled_at() = Now();
  auto& product = products_[static_cast<std::size_t>(cancelled.product_id() - 1)];
  product.set_stock(product.stock() + cancelled.quantity());
  co_return cancelled;
}

boost::asio::awaitable<bool> FakeDbApi::Ready() {
  std::lock_guard lock(mutex_);
  co_return available_;
}

}  // namespace merch::api::test_support
