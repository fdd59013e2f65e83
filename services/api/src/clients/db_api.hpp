#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "clients/call_metadata.hpp"
#include "dto/requests.hpp"
#include "merch/auth/jwt.hpp"
#include "merch/common/error.hpp"
#include "merch/v1/db.pb.h"

namespace merch::api {

// The db service as the routes use it: one typed operation per RPC of proto/merch/v1/db.proto,
// taking plain values and answering a Result (its errors mapped from gRPC statuses as
// DbClient describes). The routes depend on this seam only, so their success and error paths
// run in-process against a fake (services/api/tests) as well as against the real service
// (GrpcDbApi). Implementations are thread-safe.
class DbApi {
 public:
  template <class T>
  using Async = boost::asio::awaitable<Result<T>>;

  virtual ~DbApi() = default;

  // Every operation takes the request's CallMetadata first.

  // Users. `caller` is the verified token's claims, which the in-memory fake acts on; over gRPC
  // the db service takes the caller from the token itself (CallMetadata::bearer_token) and
  // checks the user's state.
  virtual Async<merch::v1::User> RegisterUser(CallMetadata call, const RegisterBody& user,
                                              std::string password_hash) = 0;
  // Exactly one of `username` and `sid`; kNotFound for no such user.
  virtual Async<merch::v1::Credentials> GetCredentials(CallMetadata call,
                                                       std::optional<std::string> username,
                                                       std::optional<std::string> sid) = 0;
  virtual Async<merch::v1::User> CheckCaller(CallMetadata call,
                                             const auth::TokenClaims& caller) = 0;
  // The fields to change (at least one); a new password comes as its hash.
  virtual Async<merch::v1::User> UpdateUser(CallMetadata call, const auth::TokenClaims& caller,
                                            std::optional<std::string> username,
                                            std::optional<std::string> email,
                                            std::optional<std::string> password_hash) = 0;
  virtual Async<merch::v1::User> DeactivateUser(CallMetadata call,
                                                const auth::TokenClaims& caller) = 0;

  // Products.
  virtual Async<merch::v1::ListProductsResponse> ListProducts(
      CallMetadata call, const Page& page, std::optional<std::string> category) = 0;
  virtual Async<merch::v1::Product> GetProduct(CallMetadata call, std::int64_t id) = 0;

  // Orders.
  virtual Async<merch::v1::PlaceOrderResponse> PlaceOrder(
      CallMetadata call, const auth::TokenClaims& caller, const PlaceOrderBody& order,
      std::optional<std::string> idempotency_key) = 0;
  virtual Async<merch::v1::ListOrdersResponse> ListOrders(CallMetadata call,
                                                          const auth::TokenClaims& caller,
                                                          const Page& page) = 0;
  virtual Async<merch::v1::Order> GetOrder(CallMetadata call, const auth::TokenClaims& caller,
                                           std::int64_t id) = 0;
  virtual Async<merch::v1::Order> CancelOrder(CallMetadata call, const auth::TokenClaims& caller,
                                              std::int64_t id) = 0;

  // Whether the db service answers its health check (for /readyz).
  virtual boost::asio::awaitable<bool> Ready() = 0;
};

}  // namespace merch::api
