#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "auth/password_hasher.hpp"
#include "clients/db_api.hpp"
#include "merch/auth/jwt.hpp"
#include "merch/common/clock.hpp"
#include "merch/logship/log_shipper.hpp"
#include "routes/router.hpp"
#include "server/metrics.hpp"

namespace merch::api {

// Log events (README, "The log pipeline"), stamped with the request's trace id. Never give it a
// password, a token or a hash.
class EventLog {
 public:
  // Where events go: the log shipper in the service, a recorder in tests. Must not block.
  using Sink = std::function<void(logship::LogEvent)>;

  explicit EventLog(Sink sink) : sink_(std::move(sink)) {}

  void Emit(const RequestContext& context, merch::v1::LogLevel level, std::string event,
            std::string message, boost::json::object attributes = {}) {
    sink_({.level = level,
           .event = std::move(event),
           .message = std::move(message),
           .trace_id = context.trace_id,
           .attributes = std::move(attributes)});
  }

 private:
  Sink sink_;
};

// What the route handlers work with; owned by main.
struct Services {
  DbApi& db;
  const auth::JwtCodec& jwt;
  PasswordHasher& hasher;
  EventLog& events;
  Metrics& metrics;
  logship::LogShipper& shipper;
  std::string_view openapi;  // the document served at /openapi.yaml
};

// The metadata of the request's calls to the db service.
inline CallMetadata DbCall(const RequestContext& context) {
  return {.trace_id = context.trace_id, .bearer_token = context.bearer_token};
}

// A Handler that runs `handler` (a coroutine of a routes file) with the services.
inline Handler BindHandler(boost::asio::awaitable<Result<Reply>> (*handler)(Services&,
                                                                            RequestContext&),
                           Services& services) {
  return [handler, &services](RequestContext& context) { return handler(services, context); };
}

void AddMetaRoutes(Router& router, Services& services);
void AddUserRoutes(Router& router, Services& services);
void AddProductRoutes(Router& router, Services& services);
void AddOrderRoutes(Router& router, Services& services);

}  // namespace merch::api
