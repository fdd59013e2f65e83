#pragma once

#include <chrono>
#include <string_view>

#include "merch/auth/jwt.hpp"
#include "merch/v1/db.grpc.pb.h"
#include "repository/order_repository.hpp"
#include "repository/product_repository.hpp"
#include "repository/user_repository.hpp"

namespace merch::db {

// The gRPC metadata key of the user's bearer token ("Bearer <jwt>", as in HTTP).
inline constexpr std::string_view kAuthorizationKey = "authorization";

// The gRPC face of the db service: validates each request (INVALID_ARGUMENT, nothing
// written), converts messages to records, calls the repositories, and maps their Errors to
// gRPC statuses in one place. Every call's database work is bounded by the call's deadline,
// or by `default_timeout` when the client set none. Thread-safe.
class DbService final : public merch::v1::DbService::Service {
 public:
  // `tokens` verifies the bearer tokens the api forwards (CallerOf).
  DbService(UserRepository& users, ProductRepository& products, OrderRepository& orders,
            const auth::JwtCodec& tokens, std::chrono::milliseconds default_timeout);

  grpc::Status RegisterUser(grpc::ServerContext* context,
                            const merch::v1::RegisterUserRequest* request,
                            merch::v1::User* response) override;
  grpc::Status GetCredentials(grpc::ServerContext* context,
                              const merch::v1::GetCredentialsRequest* request,
                              merch::v1::Credentials* response) override;
  grpc::Status CheckCaller(grpc::ServerContext* context,
                           const merch::v1::CheckCallerRequest* request,
                           merch::v1::User* response) override;
  grpc::Status UpdateUser(grpc::ServerContext* context, const merch::v1::UpdateUserRequest* request,
                          merch::v1::User* response) override;
  grpc::Status DeactivateUser(grpc::ServerContext* context,
                              const merch::v1::DeactivateUserRequest* request,
                              merch::v1::User* response) override;
  grpc::Status ListProducts(grpc::ServerContext* context,
                            const merch::v1::ListProductsRequest* request,
                            merch::v1::ListProductsResponse* response) override;
  grpc::Status GetProduct(grpc::ServerContext* context, const merch::v1::GetProductRequest* request,
                          merch::v1::Product* response) override;
  grpc::Status PlaceOrder(grpc::ServerContext* context, const merch::v1::PlaceOrderRequest* request,
                          merch::v1::PlaceOrderResponse* response) override;
  grpc::Status GetOrder(grpc::ServerContext* context, const merch::v1::GetOrderRequest* request,
                        merch::v1::Order* response) override;
  grpc::Status ListOrders(grpc::ServerContext* context, const merch::v1::ListOrdersRequest* request,
                          merch::v1::ListOrdersResponse* response) override;
  grpc::Status CancelOrder(grpc::ServerContext* context,
                           const merch::v1::CancelOrderRequest* request,
                           merch::v1::Order* response) override;

 private:
  Deadline DeadlineOf(const grpc::ServerContext& context) const;
  // The signed-in user a call acts for, taken from the bearer token the api forwards in the
  // `authorization` metadata and verified here with the store's JWT_SECRET by the rules of
  // api/openapi.yaml (bearerAuth), never from an id the caller writes (proto/merch/v1/db.proto).
  // kUnauthenticated without a valid token; the repositories then check that the user is
  // active and the token not revoked.
  Result<Caller> CallerOf(const grpc::ServerContext& context) const;

  UserRepository& users_;
  ProductRepository& products_;
  OrderRepository& orders_;
  const auth::JwtCodec& tokens_;
  const std::chrono::milliseconds default_timeout_;
};

}  // namespace merch::db
