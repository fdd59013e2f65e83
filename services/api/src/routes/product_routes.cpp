// GET /products and GET /products/{id}.
#include "dto/render.hpp"
#include "dto/requests.hpp"
#include "routes/services.hpp"

namespace merch::api {
namespace {

namespace asio = boost::asio;

asio::awaitable<Result<Reply>> ListProducts(Services& services, RequestContext& context) {
  auto page = ParsePage(context.query);
  if (!page) co_return page.error();
  auto category = ParseCategory(context.query);
  if (!category) co_return category.error();
  auto products = co_await services.db.ListProducts(DbCall(context), *page, std::move(*category));
  if (!products) co_return products.error();
  co_return Reply::Json(RenderProducts(*products));
}

asio::awaitable<Result<Reply>> GetProduct(Services& services, RequestContext& context) {
  auto id = ParsePathId(context.params[0]);
  if (!id) co_return id.error();
  auto product = co_await services.db.GetProduct(DbCall(context), *id);
  if (!product) co_return product.error();
  co_return Reply::Json(RenderProduct(*product));
}

}  // namespace

void AddProductRoutes(Router& router, Services& services) {
  router.Add({http::verb::get, "/products", Access::kPublic, BindHandler(ListProducts, services)});
  router.Add(
      {http::verb::get, "/products/{id}", Access::kPublic, BindHandler(GetProduct, services)});
}

}  // namespace merch::api
