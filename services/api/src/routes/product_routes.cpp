// GET /products and GET /products/{id}.
#include "dto/render.hpp"
#include "dto/requests.hpp"
#include "routes/services.hpp"

namespace merch::api {

void AddProductRoutes(Router& router, Services& services) {
  router.Add({http::verb::get, "/products", Access::kPublic,
              [&services](RequestContext& context) -> boost::asio::awaitable<Result<Reply>> {
                auto page = ParsePage(context.query);
                if (!page) co_return page.error();
                auto category = ParseCategory(context.query);
                if (!category) co_return category.error();
                merch::v1::ListProductsRequest request;
                request.set_limit(page->limit);
                request.set_offset(page->offset);
                if (*category) request.set_category(**category);
                auto products = co_await services.db.Call(&DbAsync::ListProducts, request);
                if (!products) co_return products.error();
                co_return Reply::Json(RenderProducts(*products));
              }});

  router.Add({http::verb::get, "/products/{id}", Access::kPublic,
              [&services](RequestContext& context) -> boost::asio::awaitable<Result<Reply>> {
                auto id = ParsePathId(context.params[0]);
                if (!id) co_return id.error();
                merch::v1::GetProductRequest request;
                request.set_id(*id);
                auto product = co_await services.db.Call(&DbAsync::GetProduct, request);
                if (!product) co_return product.error();
                co_return Reply::Json(RenderProduct(*product));
              }});
}

}  // namespace merch::api
