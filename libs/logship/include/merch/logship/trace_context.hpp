#pragma once

#include <string>
#include <string_view>

// The trace id a service works for: the api sends each request's trace id with every call to
// the db service, and the events the db service emits for that call carry it (README, "Log
// events").
namespace merch::logship {

// The gRPC metadata key of the caller's trace id (proto/merch/v1/db.proto).
inline constexpr std::string_view kTraceIdMetadataKey = "merch-trace-id";

// Whether `id` is a trace id the api can send: the syntax of X-Request-Id
// (^[A-Za-z0-9._~:+=@/-]{1,128}$, api/openapi.yaml), which includes the 32 lowercase hex digits
// of a W3C trace id, and fits LogMessage.trace_id (proto/merch/v1/logging.proto).
bool IsValidTraceId(std::string_view id);

// A new random trace id: 32 lowercase hex digits.
std::string NewTraceId();

// Makes `trace_id` the calling thread's current trace id while it lives: ShipperSink stamps it
// on the records the thread logs. For code where one thread serves one call from start to end
// (the db service's synchronous handlers). Scopes nest; not movable.
class TraceScope {
 public:
  explicit TraceScope(std::string trace_id);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

  const std::string& Id() const { return trace_id_; }

 private:
  std::string trace_id_;
  const std::string* previous_;
};

// The calling thread's current trace id, or nullptr outside any TraceScope.
const std::string* CurrentTraceId();

}  // namespace merch::logship
