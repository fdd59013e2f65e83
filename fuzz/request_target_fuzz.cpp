// The request target as merch-api reads it (services/api/src/routes/api.cpp): the path is
// routed, its {id} segments parsed, and the query read for `limit`, `offset` and `category`.
// The route table is the one of api/openapi.yaml; the handlers are never run.
#include <array>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dto/requests.hpp"
#include "fuzz_check.hpp"
#include "merch/common/validation.hpp"
#include "routes/router.hpp"

namespace {

using merch::api::http::verb;

struct Entry {
  verb method;
  std::string_view pattern;
};

// api/openapi.yaml's paths, in the order the api adds them (reserved paths first).
constexpr auto kRoutes = std::to_array<Entry>({
    {verb::get, "/"},
    {verb::get, "/greeting"},
    {verb::get, "/healthz"},
    {verb::get, "/readyz"},
    {verb::get, "/metrics"},
    {verb::get, "/openapi.yaml"},
    {verb::post, "/users/register"},
    {verb::post, "/users/login"},
    {verb::get, "/users/{id}"},
    {verb::patch, "/users/{id}"},
    {verb::delete_, "/users/{id}"},
    {verb::get, "/products"},
    {verb::get, "/products/{id}"},
    {verb::get, "/orders"},
    {verb::post, "/orders"},
    {verb::get, "/orders/{id}"},
    {verb::delete_, "/orders/{id}"},
});

constexpr std::array kMethods = {verb::get, verb::post, verb::patch, verb::delete_, verb::put};

merch::api::Router MakeRouter() {
  merch::api::Router router;
  for (const auto& entry : kRoutes) {
    router.Add({.method = entry.method,
                .pattern = std::string(entry.pattern),
                .access = merch::api::Access::kPublic,
                .handler = {}});
  }
  return router;
}

std::size_t Placeholders(std::string_view pattern) {
  std::size_t count = 0;
  for (auto at = pattern.find('{'); at != std::string_view::npos; at = pattern.find('{', at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using merch::fuzz::Require;
  static const merch::api::Router router = MakeRouter();
  if (size == 0) return 0;
  const verb method = kMethods[data[0] % std::size(kMethods)];
  const auto target = merch::fuzz::AsText(data + 1, size - 1);

  // As Api::Handle splits it.
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  const auto query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  const auto match = router.Find(method, path);
  if (match.route != nullptr) {
    Require(match.path_known, "a matched route's path is known");
    Require(match.route->method == method, "a matched route has the request's method");
    Require(match.params.size() == Placeholders(match.route->pattern), "one value per {id}");
    Require(match.allow.find(std::string(merch::api::http::to_string(method))) != std::string::npos,
            "Allow lists the matched method");
  }
  if (match.path_known) Require(!match.allow.empty(), "a known path allows some method");
  for (const auto param : match.params) {
    Require(!param.empty() && param.find('/') == std::string_view::npos,
            "a path parameter is one non-empty segment");
    const auto id = merch::api::ParsePathId(param);
    if (id) {
      Require(merch::validation::IsValidId(*id), "a path id is in 1..2147483647");
      Require(std::to_string(*id) == param, "a path id is canonical decimal");
    }
  }

  const auto page = merch::api::ParsePage(query);
  if (page) {
    Require(page->limit >= 1 && page->limit <= 100, "limit in 1..100");
    Require(page->offset >= 0 && page->offset <= merch::validation::kMaxId,
            "offset in 0..2147483647");
  } else {
    Require(page.error().code == merch::ErrorCode::kInvalidArgument, "a bad page is a 400");
  }
  const auto category = merch::api::ParseCategory(query);
  if (category && *category) {
    Require(merch::validation::IsValidCategory(**category), "a category keeps its rules");
  } else if (!category) {
    Require(category.error().code == merch::ErrorCode::kInvalidArgument, "a bad category is a 400");
  }
  return 0;
}
