// /, /greeting, /healthz, /readyz, /metrics, /openapi.yaml.
#include "routes/services.hpp"

namespace merch::api {

void AddMetaRoutes(Router& router, Services& services) {
  const Handler greeting = [](RequestContext&) -> boost::asio::awaitable<Result<Reply>> {
    co_return Reply::Json(R"({"message":"Welcome to SUSTech Store API"})");
  };
  router.Add({http::verb::get, "/", Access::kPublic, greeting});
  router.Add({http::verb::get, "/greeting", Access::kPublic, greeting});

  router.Add({http::verb::get, "/healthz", Access::kPublic,
              [](RequestContext&) -> boost::asio::awaitable<Result<Reply>> {
                co_return Reply::Json(R"({"status":"ok"})");
              }});

  router.Add({http::verb::get, "/readyz", Access::kPublic,
              [&services](RequestContext&) -> boost::asio::awaitable<Result<Reply>> {
                if (!co_await services.db.Ready()) {
                  co_return Error{ErrorCode::kUnavailable, "the db service is not ready"};
                }
                co_return Reply::Json(R"({"status":"ready"})");
              }});

  router.Add({http::verb::get, "/metrics", Access::kPublic,
              [&services](RequestContext&) -> boost::asio::awaitable<Result<Reply>> {
                const auto shipping = services.shipper.Stats();
                services.metrics.SetLogShipping(shipping.queue_depth, shipping.dropped,
                                                shipping.rejected);
                co_return Reply::Text(services.metrics.Render(),
                                      "text/plain; version=0.0.4; charset=utf-8");
              }});

  router.Add({http::verb::get, "/openapi.yaml", Access::kPublic,
              [&services](RequestContext&) -> boost::asio::awaitable<Result<Reply>> {
                co_return Reply::Text(std::string(services.openapi), "application/yaml");
              }});
}

}  // namespace merch::api
