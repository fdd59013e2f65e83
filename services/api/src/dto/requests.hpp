#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "merch/common/error.hpp"

// Request bodies and parameters, checked against the contract (api/openapi.yaml):
// a JSON object with only the allowed fields, each of the right JSON type and within its
// rules. Every failure is kInvalidArgument with a detail that names the field.
namespace merch::api {

struct RegisterBody {
  std::string sid;
  std::string username;
  std::string email;
  std::string password;
};

struct LoginBody {
  std::optional<std::string> username;  // exactly one of username and sid
  std::optional<std::string> sid;
  std::string password;
};

struct UpdateUserBody {  // at least one field
  std::optional<std::string> username;
  std::optional<std::string> email;
  std::optional<std::string> password;
};

struct PlaceOrderBody {
  std::int64_t product_id = 0;
  std::int32_t quantity = 0;
};

Result<RegisterBody> ParseRegisterBody(std::string_view body);
Result<LoginBody> ParseLoginBody(std::string_view body);
Result<UpdateUserBody> ParseUpdateUserBody(std::string_view body);
Result<PlaceOrderBody> ParsePlaceOrderBody(std::string_view body);

// An id in a path: plain decimal digits without sign or leading zero, 1..2147483647.
Result<std::int64_t> ParsePathId(std::string_view text);

struct Page {
  std::int32_t limit = 50;
  std::int64_t offset = 0;
};
// `limit` (1..100, default 50) and `offset` (0..2147483647, default 0) from a query string;
// other parameters are ignored.
Result<Page> ParsePage(std::string_view query);
// The `category` query parameter, if present.
Result<std::optional<std::string>> ParseCategory(std::string_view query);

// The Idempotency-Key header: absent is fine; present must be 1..255 printable ASCII.
Result<std::optional<std::string>> ParseIdempotencyKey(std::optional<std::string_view> header);

}  // namespace merch::api
