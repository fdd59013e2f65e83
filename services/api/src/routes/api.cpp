#include "routes/api.hpp"

#include <spdlog/spdlog.h>

#include <boost/algorithm/string/predicate.hpp>
#include <exception>

#include "dto/json_writer.hpp"
#include "http/trace.hpp"

namespace merch::api {
namespace {

namespace v1 = merch::v1;

// A request's context with its request id and trace id, taken from its headers.
RequestContext Identify(const Request& request) {
  RequestContext context{.request = request,
                         .request_id = {},
                         .trace_id = {},
                         .query = {},
                         .params = {},
                         .caller = std::nullopt,
                         .bearer_token = {}};
  const auto given = request.find("X-Request-Id");
  auto request_id = given == request.end() ? std::nullopt : ValidRequestId(given->value());
  context.request_id = request_id ? std::move(*request_id) : NewRequestId();
  const auto traceparent = request.find("traceparent");
  auto trace =
      traceparent == request.end() ? std::nullopt : TraceIdFromTraceparent(traceparent->value());
  context.trace_id = trace ? std::move(*trace) : context.request_id;
  return context;
}

// application/json, with or without parameters (charset=utf-8), any letter case.
bool IsJson(std::string_view content_type) {
  const auto media = content_type.substr(0, content_type.find(';'));
  auto trimmed = media;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  return boost::algorithm::iequals(trimmed, "application/json");
}

Response MakeResponse(http::status status, unsigned version, std::string body,
                      std::string_view content_type, const std::string& request_id) {
  Response response(status, version);
  response.set(http::field::server, "merch-api");
  response.set("X-Request-Id", request_id);
  if (!content_type.empty()) response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

// The problem response for `status`, with the headers its status calls for.
Response ProblemResponse(const RequestContext& context, http::status status,
                         std::string_view detail, const std::string& allow) {
  Response response =
      MakeResponse(status, context.request.version(), ProblemBody(status, detail, context.trace_id),
                   "application/problem+json", context.request_id);
  if (status == http::status::unauthorized) response.set(http::field::www_authenticate, "Bearer");
  if (status == http::status::service_unavailable) response.set(http::field::retry_after, "1");
  if (status == http::status::method_not_allowed) response.set(http::field::allow, allow);
  return response;
}

// A request chooses how long its method and path are; its access event carries at most this
// much of each, with "…" after a cut. Escaped (up to 5 bytes per byte that is not UTF-8), they
// stay within the logging service's limits on message and attributes, so the event is never
// refused, and the shipper's queue holds bounded events.
constexpr std::size_t kMaxLoggedMethod = 32;
constexpr std::size_t kMaxLoggedPath = 1024;

std::string Clipped(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "\u2026";
}

// The method as a metrics label: a method Beast does not know is "OTHER", so that no client can
// add series without end by making methods up.
std::string MethodLabel(const Request& request) {
  return request.method() == http::verb::unknown ? "OTHER" : std::string(request.method_string());
}

}  // namespace

std::string ProblemBody(http::status status, std::string_view detail, std::string_view trace_id) {
  return JsonObjectWriter()
      .String("type", "about:blank")
      .String("title", std::string(http::obsolete_reason(status)))
      .Int("status", static_cast<int>(status))
      .String("detail", detail)
      .String("trace_id", trace_id)
      .Finish();
}

Api::Api(Services& services) : services_(services) {
  AddMetaRoutes(router_, services_);
  AddUserRoutes(router_, services_);
  AddProductRoutes(router_, services_);
  AddOrderRoutes(router_, services_);
}

Result<auth::TokenClaims> Api::Authenticate(RequestContext& context) {
  const auto header = context.request.find(http::field::authorization);
  std::string_view value =
      header == context.request.end() ? std::string_view() : std::string_view(header->value());
  const std::string_view scheme = "Bearer ";
  if (value.size() <= scheme.size() || !boost::algorithm::iequals(value.substr(0, 7), scheme)) {
    return RejectToken(context, "no bearer token");
  }
  auto claims = services_.jwt.Verify(value.substr(scheme.size()), UnixSeconds());
  if (!claims) return RejectToken(context, claims.error().detail);
  context.bearer_token = value.substr(scheme.size());
  return claims;
}

Error Api::RejectToken(const RequestContext& context, std::string_view reason) {
  // The reason goes to the event only: every rejected token gets the same answer
  // (api/openapi.yaml, the Unauthorized response).
  services_.events.Emit(context, v1::WARN, "auth.failed", "token rejected", {{"reason", reason}});
  return Error{ErrorCode::kUnauthenticated, std::string(kTokenRejected)};
}

boost::asio::awaitable<Response> Api::Handle(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  RequestContext context = Identify(request);
  const std::string_view target(request.target().data(), request.target().size());
  const auto question = target.find('?');
  if (question != std::string_view::npos) context.query = target.substr(question + 1);
  const auto match = router_.Find(request.method(), target.substr(0, question));
  const std::string route = match.route != nullptr ? match.route->pattern : "unmatched";
  Outcome outcome;
  try {
    outcome = co_await Route(context, match);
  } catch (const std::exception& e) {
    // A bug, not an expected outcome: log it, tell the client nothing about it.
    spdlog::error("{} {} failed: {}", std::string(request.method_string()), route, e.what());
    outcome = {.reply = std::nullopt,
               .status = http::status::internal_server_error,
               .detail = "internal error"};
  }
  co_return Finish(context, std::move(outcome), route, match.allow, started);
}

boost::asio::awaitable<Api::Outcome> Api::Route(RequestContext& context,
                                                const Router::Match& match) {
  const auto fail = [](http::status status, std::string detail) {
    return Outcome{.reply = std::nullopt, .status = status, .detail = std::move(detail)};
  };
  if (!match.path_known) co_return fail(http::status::not_found, "no such path");
  if (match.route == nullptr) {
    co_return fail(http::status::method_not_allowed, "this path does not allow this method");
  }
  const auto content_type = context.request.find(http::field::content_type);
  if (!context.request.body().empty() &&
      (content_type == context.request.end() || !IsJson(content_type->value()))) {
    co_return fail(http::status::unsupported_media_type, "the body must be application/json");
  }
  context.params = match.params;
  Result<Reply> result = Error{ErrorCode::kInternal, "internal error"};
  if (match.route->access == Access::kSignedIn) {
    auto claims = Authenticate(context);
    if (claims) {
      context.caller = *claims;
    } else {
      result = claims.error();
    }
  }
  if (match.route->access == Access::kPublic || context.caller) {
    result = co_await match.route->handler(context);
    // Bad input found before the db service judged the token: a token it refuses gets its 401
    // first (api/openapi.yaml: authentication comes before validation). Only this error path
    // pays the extra call; when the check itself fails, the 400 stands.
    if (context.caller && !result && result.error().code == ErrorCode::kInvalidArgument) {
      auto caller = co_await services_.db.CheckCaller(DbCall(context), *context.caller);
      if (!caller && caller.error().code == ErrorCode::kUnauthenticated) result = caller.error();
    }
    // A well-signed token that the db service refused (unknown user, deactivated, revoked by a
    // password change).
    if (context.caller && !result && result.error().code == ErrorCode::kUnauthenticated) {
      result = RejectToken(context, result.error().detail);
    }
  }
  if (result) co_return Outcome{.reply = std::move(*result), .status = {}, .detail = {}};
  const auto code = result.error().code;
  co_return fail(static_cast<http::status>(HttpStatus(code)),
                 code == ErrorCode::kInternal ? "internal error" : result.error().detail);
}

Response Api::Finish(const RequestContext& context, Outcome outcome, const std::string& route,
                     const std::string& allow, std::chrono::steady_clock::time_point started) {
  Response response;
  if (outcome.reply) {
    auto& reply = *outcome.reply;
    response = MakeResponse(reply.status, context.request.version(), std::move(reply.body),
                            reply.content_type, context.request_id);
    if (!reply.location.empty()) response.set(http::field::location, reply.location);
  } else {
    response = ProblemResponse(context, outcome.status, outcome.detail, allow);
  }
  const auto latency = std::chrono::steady_clock::now() - started;
  const auto status = static_cast<unsigned>(response.result_int());
  services_.metrics.ObserveRequest(route, MethodLabel(context.request), status, latency);
  const std::string method = Clipped(context.request.method_string(), kMaxLoggedMethod);
  const std::string_view target(context.request.target().data(), context.request.target().size());
  const std::string path = Clipped(target.substr(0, target.find('?')), kMaxLoggedPath);
  const double latency_ms =
      static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(latency).count()) /
      1000.0;
  services_.events.Emit(context, status >= 500 ? v1::ERROR : v1::INFO, "http.access",
                        method + " " + path + " " + std::to_string(status),
                        {{"method", method},
                         {"path", path},
                         {"status", status},
                         {"latency_ms", latency_ms},
                         {"request_id", context.request_id}});
  return response;
}

Response Api::Reject(const Request& request, http::status status) {
  RequestContext context = Identify(request);
  const std::string detail =
      status == http::status::payload_too_large
          ? "the body is larger than " + std::to_string(kMaxBodyBytes / 1024) + " KiB"
          : "the request is malformed";
  return Finish(context, Outcome{.reply = std::nullopt, .status = status, .detail = detail},
                "unmatched", "", std::chrono::steady_clock::now());
}

}  // namespace merch::api
