#include "dto/render.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "dto/json_writer.hpp"
#include "merch/common/money.hpp"

namespace merch::api {
namespace {

template <class Items, class Render>
std::string RenderArray(const Items& items, Render render) {
  std::string text = "[";
  for (const auto& item : items) {
    if (text.size() > 1) text += ',';
    text += render(item);
  }
  text += ']';
  return text;
}

}  // namespace

std::string FormatTimestamp(const google::protobuf::Timestamp& time) {
  using namespace std::chrono;
  const sys_seconds seconds{std::chrono::seconds(time.seconds())};
  const auto day = floor<days>(seconds);
  const year_month_day date{day};
  const hh_mm_ss clock{seconds - day};
  std::array<char, 64> text{};  // ample: snprintf's bound check wants room for any int
  std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()), time.nanos() / 1000000);
  return text.data();
}

std::string RenderUser(const merch::v1::User& user) {
  return JsonObjectWriter()
      .Int("id", user.id())
      .String("sid", user.sid())
      .String("username", user.username())
      .String("email", user.email())
      .Bool("is_active", user.is_active())
      .String("created_at", FormatTimestamp(user.created_at()))
      .Finish();
}

std::string RenderProduct(const merch::v1::Product& product) {
  return JsonObjectWriter()
      .Int("id", product.id())
      .String("name", product.name())
      .String("description", product.description())
      .String("category", product.category())
      .Raw("price", FormatCents(product.price_cents()))
      .String("slogan", product.slogan())
      .Int("stock", product.stock())
      .String("created_at", FormatTimestamp(product.created_at()))
      .Finish();
}

std::string RenderProducts(const merch::v1::ListProductsResponse& products) {
  return RenderArray(products.products(), RenderProduct);
}

std::string RenderOrder(const merch::v1::Order& order) {
  const bool cancelled = order.status() == merch::v1::ORDER_STATUS_CANCELLED;
  return JsonObjectWriter()
      .Int("id", order.id())
      .Int("user_id", order.user_id())
      .Int("product_id", order.product_id())
      .Int("quantity", order.quantity())
      .Raw("unit_price", FormatCents(order.unit_price_cents()))
      .Raw("total_price", FormatCents(order.total_price_cents()))
      .String("status", cancelled ? "cancelled" : "placed")
      .String("created_at", FormatTimestamp(order.created_at()))
      .Raw("cancelled_at",
           order.has_cancelled_at() ? JsonString(FormatTimestamp(order.cancelled_at())) : "null")
      .Finish();
}

std::string RenderOrders(const merch::v1::ListOrdersResponse& orders) {
  return RenderArray(orders.orders(), RenderOrder);
}

std::string RenderLogin(const std::string& token, std::int64_t expires_in,
                        const merch::v1::User& user) {
  return JsonObjectWriter()
      .String("token", token)
      .String("token_type", "Bearer")
      .Int("expires_in", expires_in)
      .Raw("user", RenderUser(user))
      .Finish();
}

}  // namespace merch::api
