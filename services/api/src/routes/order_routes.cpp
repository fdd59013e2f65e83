// POST /orders, GET /orders, GET /orders/{id}, DELETE /orders/{id}.
#include "dto/render.hpp"
#include "dto/requests.hpp"
#include "routes/services.hpp"

namespace merch::api {
namespace {

namespace asio = boost::asio;

std::optional<std::string_view> Header(const Request& request, std::string_view name) {
  const auto found = request.find(name);
  if (found == request.end()) return std::nullopt;
  return std::string_view(found->value().data(), found->value().size());
}

asio::awaitable<Result<Reply>> PlaceOrder(Services& services, RequestContext& context) {
  auto body = ParsePlaceOrderBody(context.request.body());
  if (!body) co_return body.error();
  auto key = ParseIdempotencyKey(Header(context.request, "Idempotency-Key"));
  if (!key) co_return key.error();
  // order.placed (unless replayed) and order.cancelled are written by the db service, in the
  // order's own transaction (README, "Log events").
  auto placed =
      co_await services.db.PlaceOrder(DbCall(context), *context.caller, *body, std::move(*key));
  if (!placed) co_return placed.error();
  const auto& order = placed->order();
  // A replay answers exactly as the original did: same status, same bytes.
  co_return Reply::Created(RenderOrder(order), "/orders/" + std::to_string(order.id()));
}

asio::awaitable<Result<Reply>> ListOrders(Services& services, RequestContext& context) {
  auto page = ParsePage(context.query);
  if (!page) co_return page.error();
  auto orders = co_await services.db.ListOrders(DbCall(context), *context.caller, *page);
  if (!orders) co_return orders.error();
  co_return Reply::Json(RenderOrders(*orders));
}

asio::awaitable<Result<Reply>> GetOrder(Services& services, RequestContext& context) {
  auto id = ParsePathId(context.params[0]);
  if (!id) co_return id.error();
  auto order = co_await services.db.GetOrder(DbCall(context), *context.caller, *id);
  if (!order) co_return order.error();
  co_return Reply::Json(RenderOrder(*order));
}

asio::awaitable<Result<Reply>> CancelOrder(Services& services, RequestContext& context) {
  auto id = ParsePathId(context.params[0]);
  if (!id) co_return id.error();
  auto order = co_await services.db.CancelOrder(DbCall(context), *context.caller, *id);
  if (!order) co_return order.error();
  co_return Reply::Json(RenderOrder(*order));
}

}  // namespace

void AddOrderRoutes(Router& router, Services& services) {
  router.Add({http::verb::post, "/orders", Access::kSignedIn, BindHandler(PlaceOrder, services)});
  router.Add({http::verb::get, "/orders", Access::kSignedIn, BindHandler(ListOrders, services)});
  router.Add({http::verb::get, "/orders/{id}", Access::kSignedIn, BindHandler(GetOrder, services)});
  router.Add(
      {http::verb::delete_, "/orders/{id}", Access::kSignedIn, BindHandler(CancelOrder, services)});
}

}  // namespace merch::api
