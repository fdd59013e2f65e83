#pragma once

#include <string_view>

namespace merch::api {

// What a call to the db service carries besides its message: gRPC metadata that DbClient::Call
// sets on the call (proto/merch/v1/db.proto). Views into the request being served, which
// outlives its calls; trivially copyable, so it is passed by value.
struct CallMetadata {
  std::string_view trace_id;  // `merch-trace-id`: the request's trace id (README, "Log events")
  // `authorization`: the signed-in user's verified bearer token, from which the db service takes
  // the caller; empty for calls that act for no user.
  std::string_view bearer_token;
};

}  // namespace merch::api
