#include "clients/grpc_db_api.hpp"

#include <utility>

namespace merch::api {

namespace v1 = merch::v1;

DbApi::Async<v1::User> GrpcDbApi::RegisterUser(CallMetadata call, const RegisterBody& user,
                                               std::string password_hash) {
  v1::RegisterUserRequest request;
  request.set_sid(user.sid);
  request.set_username(user.username);
  request.set_email(user.email);
  request.set_password_hash(std::move(password_hash));
  return client_.Call(&DbAsync::RegisterUser, call, std::move(request));
}

DbApi::Async<v1::Credentials> GrpcDbApi::GetCredentials(CallMetadata call,
                                                        std::optional<std::string> username,
                                                        std::optional<std::string> sid) {
  v1::GetCredentialsRequest request;
  if (username) request.set_username(std::move(*username));
  if (sid) request.set_sid(std::move(*sid));
  return client_.Call(&DbAsync::GetCredentials, call, std::move(request));
}

DbApi::Async<v1::User> GrpcDbApi::CheckCaller(
    CallMetadata call, const auth::TokenClaims& /*caller: the token in `call`*/) {
  v1::CheckCallerRequest request;
  return client_.Call(&DbAsync::CheckCaller, call, std::move(request));
}

DbApi::Async<v1::User> GrpcDbApi::UpdateUser(
    CallMetadata call, const auth::TokenClaims& /*caller: the token in `call`*/,
    std::optional<std::string> username, std::optional<std::string> email,
    std::optional<std::string> password_hash) {
  v1::UpdateUserRequest request;
  if (username) request.set_username(std::move(*username));
  if (email) request.set_email(std::move(*email));
  if (password_hash) request.set_password_hash(std::move(*password_hash));
  return client_.Call(&DbAsync::UpdateUser, call, std::move(request));
}

DbApi::Async<v1::User> GrpcDbApi::DeactivateUser(
    CallMetadata call, const auth::TokenClaims& /*caller: the token in `call`*/) {
  v1::DeactivateUserRequest request;
  return client_.Call(&DbAsync::DeactivateUser, call, std::move(request));
}

DbApi::Async<v1::ListProductsResponse> GrpcDbApi::ListProducts(
    CallMetadata call, const Page& page, std::optional<std::string> category) {
  v1::ListProductsRequest request;
  request.set_limit(page.limit);
  request.set_offset(page.offset);
  if (category) request.set_category(std::move(*category));
  return client_.Call(&DbAsync::ListProducts, call, std::move(request));
}

DbApi::Async<v1::Product> GrpcDbApi::GetProduct(CallMetadata call, std::int64_t id) {
  v1::GetProductRequest request;
  request.set_id(id);
  return client_.Call(&DbAsync::GetProduct, call, std::move(request));
}

DbApi::Async<v1::PlaceOrderResponse> GrpcDbApi::PlaceOrder(
    CallMetadata call, const auth::TokenClaims& /*caller: the token in `call`*/,
    const PlaceOrderBody& order, std::optional<std::string> idempotency_key) {
  v1::PlaceOrderRequest request;
  request.set_product_id(order.product_id);
  request.set_quantity(order.quantity);
  if (idempotency_key) request.set_idempotency_key(std::move(*idempotency_key));
  return client_.Call(&DbAsync::PlaceOrder, call, std::move(request));
}

DbApi::Async<v1::ListOrdersResponse> GrpcDbApi::ListOrders(
    CallMetadata call, const auth::TokenClaims& /*caller: the token in `call`*/, const Page& page) {
  v1::ListOrdersRequest request;
  request.set_limit(page.limit);
  request.set_offset(page.offset);
  return client_.Call(&DbAsync::ListOrders, call, std::move(request));
}

DbApi::Async<v1::Order> GrpcDbApi::GetOrder(
    CallMetadata call, const auth::TokenClaims& /*caller: the token in `call`*/, std::int64_t id) {
  v1::GetOrderRequest request;
  request.set_order_id(id);
  return client_.Call(&DbAsync::GetOrder, call, std::move(request));
}

DbApi::Async<v1::Order> GrpcDbApi::CancelOrder(
    CallMetadata call, const auth::TokenClaims& /*caller: the token in `call`*/, std::int64_t id) {
  v1::CancelOrderRequest request;
  request.set_order_id(id);
  return client_.Call(&DbAsync::CancelOrder, call, std::move(request));
}

boost::asio::awaitable<bool> GrpcDbApi::Ready() { return client_.Ready(); }

}  // namespace merch::api
