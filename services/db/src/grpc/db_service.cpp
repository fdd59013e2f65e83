#include "grpc/db_service.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "grpc/convert.hpp"
#include "merch/common/clock.hpp"
#include "merch/common/grpc_status.hpp"
#include "merch/common/validation.hpp"
#include "merch/logship/trace_context.hpp"

namespace merch::db {
namespace {

namespace v1 = merch::v1;
namespace validation = merch::validation;

// Collects the first broken input rule of a request; the rules and their messages are the
// api's own (merch/common/validation.hpp).
class Validation {
 public:
  Validation& Check(const Result<void>& rule) {
    if (!rule && !message_) message_ = rule.error().detail;
    return *this;
  }
  Validation& Check(bool ok, std::string_view message) {
    if (!ok && !message_) message_ = std::string(message);
    return *this;
  }
  Validation& PageOf(std::int64_t limit, std::int64_t offset) {
    return Check(validation::CheckListLimit(limit)).Check(validation::CheckListOffset(offset));
  }

  bool Ok() const { return !message_; }
  grpc::Status Status() const { return {grpc::StatusCode::INVALID_ARGUMENT, *message_}; }

 private:
  std::optional<std::string> message_;
};

// The call's trace id: the api's `merch-trace-id` metadata (proto/merch/v1/db.proto) when it is
// a valid trace id, else a fresh one. The events of the call carry it (README, "Log events").
logship::TraceScope CallTrace(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const auto found = metadata.find(
      grpc::string_ref(logship::kTraceIdMetadataKey.data(), logship::kTraceIdMetadataKey.size()));
  if (found != metadata.end()) {
    const std::string_view given(found->second.data(), found->second.size());
    if (logship::IsValidTraceId(given)) return logship::TraceScope(std::string(given));
  }
  return logship::TraceScope(logship::NewTraceId());
}

// Maps a repository result to the call's status, filling the response on success.
template <class T, class Fill>
grpc::Status Reply(const Result<T>& result, Fill&& fill) {
  if (!result) return ToGrpcStatus(result.error());
  fill(*result);
  return grpc::Status::OK;
}

}  // namespace

DbService::DbService(UserRepository& users, ProductRepository& products, OrderRepository& orders,
                     const auth::JwtCodec& tokens, std::chrono::milliseconds default_timeout)
    : users_(users),
      products_(products),
      orders_(orders),
      tokens_(tokens),
      default_timeout_(default_timeout) {}

Result<Caller> DbService::CallerOf(const grpc::ServerContext& context) const {
  const auto& metadata = context.client_metadata();
  const auto found =
      metadata.find(grpc::string_ref(kAuthorizationKey.data(), kAuthorizationKey.size()));
  const std::string_view value = found == metadata.end()
                                     ? std::string_view()
                                     : std::string_view(found->second.data(), found->second.size());
  constexpr std::string_view kScheme = "Bearer ";
  // The detail stays in this service: the api answers every rejected token alike.
  if (!value.starts_with(kScheme)) {
    return Error{ErrorCode::kUnauthenticated, "the call carries no bearer token"};
  }
  auto claims = tokens_.Verify(value.substr(kScheme.size()), UnixSeconds());
  if (!claims) return Error{ErrorCode::kUnauthenticated, "the caller's token is not valid"};
  return Caller{.user_id = claims->user_id,
                .token_version = claims->token_version,
                .issued_at = claims->issued_at};
}

Deadline DbService::DeadlineOf(const grpc::ServerContext& context) const {
  const auto system_now = std::chrono::system_clock::now();
  const auto steady_now = std::chrono::steady_clock::now();
  const auto deadline = context.deadline();
  // No deadline arrives as time_point::max(); anything beyond a day is treated the same.
  if (deadline > system_now + std::chrono::hours(24)) return steady_now + default_timeout_;
  return steady_now + (deadline - system_now);
}

grpc::Status DbService::RegisterUser(grpc::ServerContext* context,
                                     const v1::RegisterUserRequest* request, v1::User* response) {
  const auto trace = CallTrace(*context);
  Validation check;
  check.Check(validation::CheckSid(request->sid()))
      .Check(validation::CheckUsername(request->username()))
      .Check(validation::CheckEmail(request->email()))
      .Check(validation::CheckPasswordHash(request->password_hash()));
  if (!check.Ok()) return check.Status();
  const NewUser user{.sid = request->sid(),
                     .username = request->username(),
                     .email = request->email(),
                     .password_hash = request->password_hash()};
  return Reply(users_.Register(DeadlineOf(*context), user, trace.Id()),
               [&](const UserRecord& record) { ToProto(record, response); });
}

grpc::Status DbService::GetCredentials(grpc::ServerContext* context,
                                       const v1::GetCredentialsRequest* request,
                                       v1::Credentials* response) {
  const auto trace = CallTrace(*context);
  const auto fill = [&](const Credentials& credentials) { ToProto(credentials, response); };
  Validation check;
  check.Check(request->login_case() != v1::GetCredentialsRequest::LOGIN_NOT_SET,
              "exactly one of username and sid must be set");
  if (request->has_username()) check.Check(validation::CheckUsername(request->username()));
  if (request->has_sid()) check.Check(validation::CheckSid(request->sid()));
  if (!check.Ok()) return check.Status();
  if (request->has_username()) {
    return Reply(users_.FindCredentialsByUsername(DeadlineOf(*context), request->username()), fill);
  }
  return Reply(users_.FindCredentialsBySid(DeadlineOf(*context), request->sid()), fill);
}

grpc::Status DbService::CheckCaller(grpc::ServerContext* context,
                                    const v1::CheckCallerRequest* /*request*/, v1::User* response) {
  const auto trace = CallTrace(*context);
  const auto caller = CallerOf(*context);
  if (!caller) return ToGrpcStatus(caller.error());
  return Reply(users_.CheckCaller(DeadlineOf(*context), *caller),
               [&](const UserRecord& record) { ToProto(record, response); });
}

grpc::Status DbService::UpdateUser(grpc::ServerContext* context,
                                   const v1::UpdateUserRequest* request, v1::User* response) {
  const auto trace = CallTrace(*context);
  const auto caller = CallerOf(*context);
  if (!caller) return ToGrpcStatus(caller.error());
  Validation check;
  check.Check(request->has_username() || request->has_email() || request->has_password_hash(),
              "at least one of username, email and password_hash must be set");
  if (request->has_username()) check.Check(validation::CheckUsername(request->username()));
  if (request->has_email()) check.Check(validation::CheckEmail(request->email()));
  if (request->has_password_hash()) {
    check.Check(validation::CheckPasswordHash(request->password_hash()));
  }
  if (!check.Ok()) return check.Status();
  UserChanges changes;
  if (request->has_username()) changes.username = request->username();
  if (request->has_email()) changes.email = request->email();
  if (request->has_password_hash()) changes.password_hash = request->password_hash();
  return Reply(users_.Update(DeadlineOf(*context), *caller, changes, trace.Id()),
               [&](const UserRecord& record) { ToProto(record, response); });
}

grpc::Status DbService::DeactivateUser(grpc::ServerContext* context,
                                       const v1::DeactivateUserRequest* /*request*/,
                                       v1::User* response) {
  const auto trace = CallTrace(*context);
  const auto caller = CallerOf(*context);
  if (!caller) return ToGrpcStatus(caller.error());
  return Reply(users_.Deactivate(DeadlineOf(*context), *caller, trace.Id()),
               [&](const UserRecord& record) { ToProto(record, response); });
}

grpc::Status DbService::ListProducts(grpc::ServerContext* context,
                                     const v1::ListProductsRequest* request,
                                     v1::ListProductsResponse* response) {
  const auto trace = CallTrace(*context);
  Validation check;
  check.PageOf(request->limit(), request->offset());
  if (request->has_category()) {
    check.Check(validation::CheckCategory(request->category()));
  }
  if (!check.Ok()) return check.Status();
  std::optional<std::string> category;
  if (request->has_category()) category = request->category();
  return Reply(products_.List(DeadlineOf(*context), category,
                              Page{.limit = request->limit(), .offset = request->offset()}),
               [&](const std::vector<ProductRecord>& products) {
                 for (const auto& product : products) ToProto(product, response->add_products());
               });
}

grpc::Status DbService::GetProduct(grpc::ServerContext* context,
                                   const v1::GetProductRequest* request, v1::Product* response) {
  const auto trace = CallTrace(*context);
  Validation check;
  if (!check.Check(validation::CheckId(request->id(), "id")).Ok()) return check.Status();
  return Reply(products_.Get(DeadlineOf(*context), request->id()),
               [&](const ProductRecord& product) { ToProto(product, response); });
}

grpc::Status DbService::PlaceOrder(grpc::ServerContext* context,
                                   const v1::PlaceOrderRequest* request,
                                   v1::PlaceOrderResponse* response) {
  const auto trace = CallTrace(*context);
  const auto caller = CallerOf(*context);
  if (!caller) return ToGrpcStatus(caller.error());
  Validation check;
  check.Check(validation::CheckId(request->product_id(), "product_id"))
      .Check(validation::CheckQuantity(request->quantity()));
  if (!request->idempotency_key().empty()) {
    check.Check(validation::CheckIdempotencyKey(request->idempotency_key(), "idempotency_key"));
  }
  if (!check.Ok()) return check.Status();
  NewOrder order{.product_id = request->product_id(),
                 .quantity = request->quantity(),
                 .idempotency_key = std::nullopt};
  if (!request->idempotency_key().empty()) order.idempotency_key = request->idempotency_key();
  return Reply(orders_.Place(DeadlineOf(*context), *caller, order, trace.Id()),
               [&](const PlacedOrder& placed) {
                 ToProto(placed.order, response->mutable_order());
                 response->set_replayed(placed.replayed);
               });
}

grpc::Status DbService::GetOrder(grpc::ServerContext* context, const v1::GetOrderRequest* request,
                                 v1::Order* response) {
  const auto trace = CallTrace(*context);
  const auto caller = CallerOf(*context);
  if (!caller) return ToGrpcStatus(caller.error());
  Validation check;
  if (!check.Check(validation::CheckId(request->order_id(), "order_id")).Ok()) {
    return check.Status();
  }
  return Reply(orders_.Get(DeadlineOf(*context), *caller, request->order_id()),
               [&](const OrderRecord& order) { ToProto(order, response); });
}

grpc::Status DbService::ListOrders(grpc::ServerContext* context,
                                   const v1::ListOrdersRequest* request,
                                   v1::ListOrdersResponse* response) {
  const auto trace = CallTrace(*context);
  const auto caller = CallerOf(*context);
  if (!caller) return ToGrpcStatus(caller.error());
  Validation check;
  if (!check.PageOf(request->limit(), request->offset()).Ok()) return check.Status();
  return Reply(orders_.List(DeadlineOf(*context), *caller,
                            Page{.limit = request->limit(), .offset = request->offset()}),
               [&](const std::vector<OrderRecord>& orders) {
                 for (const auto& order : orders) ToProto(order, response->add_orders());
               });
}

grpc::Status DbService::CancelOrder(grpc::ServerContext* context,
                                    const v1::CancelOrderRequest* request, v1::Order* response) {
  const auto trace = CallTrace(*context);
  const auto caller = CallerOf(*context);
  if (!caller) return ToGrpcStatus(caller.error());
  Validation check;
  if (!check.Check(validation::CheckId(request->order_id(), "order_id")).Ok()) {
    return check.Status();
  }
  return Reply(orders_.Cancel(DeadlineOf(*context), *caller, request->order_id(), trace.Id()),
               [&](const OrderRecord& order) { ToProto(order, response); });
}

}  // namespace merch::db
