#pragma once

#include "routes/router.hpp"
#include "routes/services.hpp"

namespace merch::api {

// The REST api as a function from request to response, callable without a socket: request
// ids and trace ids, routing (404, 405 with Allow), the media type check (415), bearer
// authentication (401), the handlers, the mapping of errors to problem responses, metrics and
// the http.access event all happen here, once, for every route. Thread-safe.
class Api {
 public:
  // The detail of every 401 for a missing or rejected token, whatever the reason.
  static constexpr std::string_view kTokenRejected = "a valid bearer token is required";

  explicit Api(Services& services);

  boost::asio::awaitable<Response> Handle(Request& request);
  // The answer to a request the server could not read whole (413 or 400).
  Response Reject(const Request& request, http::status status);

 private:
  // A request's result before it becomes a response: a Reply, or a failure's status and
  // client-safe detail.
  struct Outcome {
    std::optional<Reply> reply;
    http::status status = http::status::internal_server_error;
    std::string detail;
  };

  boost::asio::awaitable<Outcome> Route(RequestContext& context, const Router::Match& match);
  Result<auth::TokenClaims> Authenticate(RequestContext& context);
  // Emits auth.failed with `reason` and returns the one 401 error for every rejected token.
  Error RejectToken(const RequestContext& context, std::string_view reason);
  Response Finish(const RequestContext& context, Outcome outcome, const std::string& route,
                  const std::string& allow, std::chrono::steady_clock::time_point started);

  Services& services_;
  Router router_;
};

// The problem+json body (api/openapi.yaml, Problem) for `status`.
std::string ProblemBody(http::status status, std::string_view detail, std::string_view trace_id);

}  // namespace merch::api
