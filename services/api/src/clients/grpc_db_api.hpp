#pragma once

#include "clients/db_api.hpp"
#include "clients/db_client.hpp"

namespace merch::api {

// DbApi over the db service's gRPC interface: builds each request message and makes the call
// through DbClient (which sets the deadline). Thread-safe.
class GrpcDbApi final : public DbApi {
 public:
  explicit GrpcDbApi(DbClient& client) : client_(client) {}

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
  DbClient& client_;
};

}  // namespace merch::api
