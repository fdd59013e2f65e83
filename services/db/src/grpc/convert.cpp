#include "grpc/convert.hpp"

namespace merch::db {
namespace {

void ToProto(Timestamp time, google::protobuf::Timestamp* message) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  message->set_seconds(seconds.count());
  message->set_nanos(static_cast<std::int32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count()));
}

}  // namespace

void ToProto(const UserRecord& user, merch::v1::User* message) {
  message->set_id(user.id);
  message->set_sid(user.sid);
  message->set_username(user.username);
  message->set_email(user.email);
  message->set_is_active(user.is_active);
  ToProto(user.created_at, message->mutable_created_at());
}

void ToProto(const Credentials& credentials, merch::v1::Credentials* message) {
  ToProto(credentials.user, message->mutable_user());
  message->set_password_hash(credentials.password_hash);
  message->set_token_version(credentials.token_version);
}

void ToProto(const ProductRecord& product, merch::v1::Product* message) {
  message->set_id(product.id);
  message->set_name(product.name);
  message->set_description(product.description);
  message->set_category(product.category);
  message->set_price_cents(product.price_cents);
  message->set_slogan(product.slogan);
  message->set_stock(product.stock);
  ToProto(product.created_at, message->mutable_created_at());
}

void ToProto(const OrderRecord& order, merch::v1::Order* message) {
  message->set_id(order.id);
  message->set_user_id(order.user_id);
  message->set_product_id(order.product_id);
  message->set_quantity(order.quantity);
  message->set_unit_price_cents(order.unit_price_cents);
  message->set_total_price_cents(order.TotalPriceCents());
  message->set_status(order.status == OrderStatus::kCancelled ? merch::v1::ORDER_STATUS_CANCELLED
                                                              : merch::v1::ORDER_STATUS_PLACED);
  ToProto(order.created_at, message->mutable_created_at());
  if (order.cancelled_at) ToProto(*order.cancelled_at, message->mutable_cancelled_at());
}

}  // namespace merch::db
