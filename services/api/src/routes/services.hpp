#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <string>

#include "auth/jwt.hpp"
#include "auth/password_hasher.hpp"
#include "clients/db_client.hpp"
#include "merch/logship/log_shipper.hpp"
#include "routes/router.hpp"
#include "server/metrics.hpp"

namespace merch::api {

// Log events of SPEC §5, stamped with the request's trace id. Never give it a password, a
// token or a hash.
class EventLog {
 public:
  explicit EventLog(logship::LogShipper& shipper) : shipper_(shipper) {}

  void Emit(const RequestContext& context, merch::v1::LogLevel level, std::string event,
            std::string message, boost::json::object attributes = {}) {
    shipper_.Ship({.level = level,
                   .event = std::move(event),
                   .message = std::move(message),
                   .trace_id = context.trace_id,
                   .attributes = std::move(attributes)});
  }

 private:
  logship::LogShipper& shipper_;
};

// What the route handlers work with; owned by main.
struct Services {
  DbClient& db;
  const JwtCodec& jwt;
  PasswordHasher& hasher;
  EventLog& events;
  Metrics& metrics;
  logship::LogShipper& shipper;
  std::string_view openapi;  // the document served at /openapi.yaml
};

// The caller of a signed-in route, as the db service wants it.
inline merch::v1::Caller CallerOf(const RequestContext& context) {
  merch::v1::Caller caller;
  caller.set_user_id(context.caller->user_id);
  caller.set_token_version(context.caller->token_version);
  return caller;
}

inline std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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
