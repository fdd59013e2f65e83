#pragma once

#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "clients/db_api.hpp"

namespace merch::api::test_support {

// An in-memory DbApi with the db service's rules as proto/merch/v1/db.proto states them
// (unique values, the caller check, stock, idempotency keys, cancel once), for in-process
// tests of the routes. Seeded with the three products of db/migrations/V002 (stock 500).
// Thread-safe.
class FakeDbApi final : public DbApi {
 public:
  FakeDbApi();

  // While false, every call fails with kUnavailable and Ready() is false.
  void SetAvailable(bool available);
  void SetStock(std::int64_t product_id, std::int64_t stock);
  std::int64_t Stock(std::int64_t product_id) const;
  std::size_t OrderCount() const;
  // The trace id (CallMetadata) of every call so far, in order.
  std::vector<std::string> TraceIds() const;
  // The bearer token (CallMetadata) of every call so far, in order; "" for none.
  std::vector<std::string> BearerTokens() const;
  // The stored hash of a user (to check what the routes stored).
  std::string PasswordHash(std::int64_t user_id) const;
  // Marks the user's password as changed at `seconds` (Unix), as a password update would.
  void SetPasswordChangedAt(std::int64_t user_id, std::int64_t seconds);

  Async<merch::v1::User> RegisterUser(CallMetadata call, const RegisterBody& user,
                                      std::string password_hash) override;
  Async<merch::v1::Credentials> GetCredentials(CallMetadata call,
                                               std::optional<std::string> username,
                                               std::optional<std::string> sid) override;
  Async<merch::v1::User> CheckCaller(CallMetadata call, const auth::TokenClaims& caller) override;
  Async<merch::v1::User> UpdateUser(CallMetadata call, const auth::TokenClaims& caller,
                                    std::optional<std::string> username,
                                    std::optional<std::string> email,
                                    std::optional<std::string> password_hash) override;
  Async<merch::v1::User> DeactivateUser(CallMetadata call,
                                        const auth::TokenClaims& caller) override;
  Async<merch::v1::ListProductsResponse> ListProducts(CallMetadata call, const Page& page,
                                                      std::optional<std::string> category) override;
  Async<merch::v1::Product> GetProduct(CallMetadata call, std::int64_t id) override;
  Async<merch::v1::PlaceOrderResponse> PlaceOrder(
      CallMetadata call, const auth::TokenClaims& caller, const PlaceOrderBody& order,
      std::optional<std::string> idempotency_key) override;
  Async<merch::v1::ListOrdersResponse> ListOrders(CallMetadata call,
                                                  const auth::TokenClaims& caller,
                                                  const Page& page) override;
  Async<merch::v1::Order> GetOrder(CallMetadata call, const auth::TokenClaims& caller,
                                   std::int64_t id) override;
  Async<merch::v1::Order> CancelOrder(CallMetadata call, const auth::TokenClaims& caller,
                                      std::int64_t id) override;
  boost::asio::awaitable<bool> Ready() override;

 private:
  struct StoredUser {
    merch::v1::User user;
    std::string password_hash;
    std::int64_t token_version = 1;
    std::int64_t password_changed_s = 0;
  };
  struct StoredKey {
    std::int64_t product_id = 0;
    std::int32_t quantity = 0;
    merch::v1::Order original;
  };

  // Each runs under mutex_.
  Result<void> Available() const;
  Result<StoredUser*> Caller(const auth::TokenClaims& caller);
  Result<void> CheckTaken(std::int64_t except_id, const std::string* sid,
                          const std::string* username, const std::string* email) const;
  Result<merch::v1::Order*> OwnOrder(std::int64_t user_id, std::int64_t id);

  mutable std::mutex mutex_;
  bool available_ = true;
  std::vector<StoredUser> users_;                                    // id = index + 1
  std::vector<merch::v1::Product> products_;                         // id = index + 1
  std::vector<merch::v1::Order> orders_;                             // id = index + 1
  std::map<std::tuple<std::int64_t, std::string>, StoredKey> keys_;  // (user, key)
  std::vector<std::string> trace_ids_;
  std::vector<std::string> bearer_tokens_;
};

}  // namespace merch::api::test_support
