#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.hpp"
#include "merch/auth/jwt.hpp"
#include "merch/common/error.hpp"

namespace merch::api {

// What a handler sees of a request.
struct RequestContext {
  const Request& request;
  std::string request_id;                // echoed in X-Request-Id
  std::string trace_id;                  // the trace id of every event and problem of this request
  std::string_view query;                // the target after '?'
  std::vector<std::string_view> params;  // the path's {placeholders}, in order
  std::optional<auth::TokenClaims> caller;  // set on routes that need a signed-in user
  // The verified token itself (a view into the request), forwarded to the db service, which
  // takes the caller from it (proto/merch/v1/db.proto).
  std::string_view bearer_token;
};

// A successful answer; failures are Errors, turned into problem responses in one place.
struct Reply {
  http::status status = http::status::ok;
  std::string body;
  std::string content_type = "application/json";
  std::string location;  // the Location header, when not empty

  static Reply Json(std::string body) {
    return {http::status::ok, std::move(body), "application/json", {}};
  }
  static Reply Created(std::string body, std::string location) {
    return {http::status::created, std::move(body), "application/json", std::move(location)};
  }
  static Reply NoContent() { return {http::status::no_content, {}, {}, {}}; }
  static Reply Text(std::string body, std::string content_type) {
    return {http::status::ok, std::move(body), std::move(content_type), {}};
  }
};

using Handler = std::function<boost::asio::awaitable<Result<Reply>>(RequestContext&)>;

enum class Access { kPublic, kSignedIn };

struct Route {
  http::verb method;
  std::string pattern;  // e.g. "/users/{id}"; also the route's name in metrics
  Access access;
  Handler handler;
};

// Maps (method, path) to a route. Patterns are tried in the order their first route was
// added and the first whose shape fits the path decides: so `/users/register` added before
// `/users/{id}` makes GET /users/register a 405, not a user lookup.
class Router {
 public:
  void Add(Route route);

  struct Match {
    const Route* route = nullptr;          // null: no route for this method (or path)
    std::vector<std::string_view> params;  // when route is set
    bool path_known = false;               // some route has this path
    std::string allow;                     // the path's methods, for a 405's Allow header
  };
  Match Find(http::verb method, std::string_view path) const;

 private:
  struct Pattern {
    std::string text;
    std::vector<std::string> segments;  // "{...}" matches any non-empty segment
    std::vector<Route> routes;
  };
  std::vector<Pattern> patterns_;
};

}  // namespace merch::api
