#include "dto/requests.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <charconv>
#include <initializer_list>

#include "merch/common/strict_json.hpp"
#include "merch/common/validation.hpp"

namespace merch::api {
namespace {

namespace validation = merch::validation;

Error Invalid(std::string detail) { return {ErrorCode::kInvalidArgument, std::move(detail)}; }

// A parsed request body: a JSON object whose fields are read one by one.
class BodyObject {
 public:
  static Result<BodyObject> Parse(std::string_view body,
                                  std::initializer_list<std::string_view> allowed) {
    auto value = ParseStrictJson(body);
    if (!value) return value.error();
    if (!value->is_object()) return Invalid("the body must be a JSON object");
    for (const auto& [name, field] : value->as_object()) {
      if (std::find(allowed.begin(), allowed.end(), std::string_view(name)) == allowed.end()) {
        return Invalid("unknown field: " + std::string(name));
      }
    }
    return BodyObject(std::move(value->as_object()));
  }

  bool Has(std::string_view name) const { return object_.contains(name); }

  // A string field (present: it must be a string).
  Result<std::optional<std::string>> OptionalString(std::string_view name) const {
    const auto* field = object_.if_contains(name);
    if (field == nullptr) return std::optional<std::string>();
    if (!field->is_string()) return Invalid(std::string(name) + " must be a string");
    // No text input may hold a NUL: PostgreSQL's text cannot, and libpq would cut the
    // value short (api/openapi.yaml, "Bad input").
    if (field->as_string().find('\0') != boost::json::string::npos) {
      return Invalid(std::string(name) + " must not contain a NUL character");
    }
    return std::optional<std::string>(std::string(field->as_string()));
  }
  Result<std::string> RequiredString(std::string_view name) const {
    auto value = OptionalString(name);
    if (!value) return value.error();
    if (!*value) return Invalid(std::string(name) + " is required");
    return std::move(**value);
  }
  // An integer field: a JSON number without fraction or exponent.
  Result<std::int64_t> RequiredInteger(std::string_view name) const {
    const auto* field = object_.if_contains(name);
    if (field == nullptr) return Invalid(std::string(name) + " is required");
    if (field->is_int64()) return field->as_int64();
    if (field->is_uint64()) return Invalid(std::string(name) + " is out of range");
    return Invalid(std::string(name) + " must be an integer");
  }

 private:
  explicit BodyObject(boost::json::object object) : object_(std::move(object)) {}
  boost::json::object object_;
};

using validation::CheckEmail;
using validation::CheckPassword;
using validation::CheckSid;
using validation::CheckUsername;

// Plain decimal digits without sign or leading zero, within [min, max].
std::optional<std::int64_t> ParseDecimal(std::string_view text, std::int64_t min,
                                         std::int64_t max) {
  if (text.empty() || text.size() > 10 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

// The value of the query parameter `name`, if present (the last one wins).
Result<std::optional<std::string>> QueryValue(std::string_view query, std::string_view name) {
  if (query.empty()) return std::optional<std::string>();
  // Parse a copy: Boost.URL 1.81 reads the last value of a query that is a view into a longer
  // buffer (here, the request line) up to the end of that buffer.
  const std::string copy(query);
  auto params = boost::urls::parse_query(boost::core::string_view(copy.data(), copy.size()));
  if (!params) return Invalid("the query string is malformed");
  std::optional<std::string> value;
  // Keys and values are percent-decoded, '+' as a space (HTML form encoding).
  const boost::urls::encoding_opts form(true);
  for (const auto& param : *params) {
    if (param.key.decode(form) == name) value = param.value.decode(form);
  }
  if (value && value->find('\0') != std::string::npos) {
    return Invalid(std::string(name) + " must not contain a NUL character");
  }
  return value;
}

}  // namespace

Result<RegisterBody> ParseRegisterBody(std::string_view body) {
  auto object = BodyObject::Parse(body, {"sid", "username", "email", "password"});
  if (!object) return object.error();
  RegisterBody parsed;
  for (auto [name, target] : {std::pair{"sid", &parsed.sid},
                              {"username", &parsed.username},
                              {"email", &parsed.email},
                              {"password", &parsed.password}}) {
    auto value = object->RequiredString(name);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  for (const auto& check : {CheckSid(parsed.sid), CheckUsername(parsed.username),
                            CheckEmail(parsed.email), CheckPassword(parsed.password)}) {
    if (!check) return check.error();
  }
  return parsed;
}

Result<LoginBody> ParseLoginBody(std::string_view body) {
  auto object = BodyObject::Parse(body, {"username", "sid", "password"});
  if (!object) return object.error();
  LoginBody parsed;
  auto username = object->OptionalString("username");
  if (!username) return username.error();
  auto sid = object->OptionalString("sid");
  if (!sid) return sid.error();
  auto password = object->RequiredString("password");
  if (!password) return password.error();
  if (username->has_value() == sid->has_value()) {
    return Invalid("exactly one of username and sid is required");
  }
  if (*username) {
    if (auto check = CheckUsername(**username); !check) return check.error();
  }
  if (*sid) {
    if (auto check = CheckSid(**sid); !check) return check.error();
  }
  if (auto check = CheckPassword(*password); !check) return check.error();
  parsed.username = std::move(*username);
  parsed.sid = std::move(*sid);
  parsed.password = std::move(*password);
  return parsed;
}

Result<UpdateUserBody> ParseUpdateUserBody(std::string_view body) {
  auto object = BodyObject::Parse(body, {"username", "email", "password"});
  if (!object) return object.error();
  UpdateUserBody parsed;
  for (auto [name, target] : {std::pair{"username", &parsed.username},
                              {"email", &parsed.email},
                              {"password", &parsed.password}}) {
    auto value = object->OptionalString(name);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  if (!parsed.username && !parsed.email && !parsed.password) {
    return Invalid("at least one of username, email and password is required");
  }
  if (parsed.username) {
    if (auto check = CheckUsername(*parsed.username); !check) return check.error();
  }
  if (parsed.email) {
    if (auto check = CheckEmail(*parsed.email); !check) return check.error();
  }
  if (parsed.password) {
    if (auto check = CheckPassword(*parsed.password); !check) return check.error();
  }
  return parsed;
}

Result<PlaceOrderBody> ParsePlaceOrderBody(std::string_view body) {
  auto object = BodyObject::Parse(body, {"product_id", "quantity"});
  if (!object) return object.error();
  auto product_id = object->RequiredInteger("product_id");
  if (!product_id) return product_id.error();
  auto quantity = object->RequiredInteger("quantity");
  if (!quantity) return quantity.error();
  if (auto check = validation::CheckId(*product_id, "product_id"); !check) return check.error();
  if (auto check = validation::CheckQuantity(*quantity); !check) return check.error();
  return PlaceOrderBody{.product_id = *product_id,
                        .quantity = static_cast<std::int32_t>(*quantity)};
}

Result<std::int64_t> ParsePathId(std::string_view text) {
  const auto id = ParseDecimal(text, 0, validation::kMaxId).value_or(-1);
  if (auto check = validation::CheckId(id, "the id in the path"); !check) return check.error();
  return id;
}

Result<Page> ParsePage(std::string_view query) {
  Page page;
  auto limit = QueryValue(query, "limit");
  if (!limit) return limit.error();
  if (*limit) {
    // Text that is not plain decimal digits breaks the rule like an out-of-range number.
    const auto value = ParseDecimal(**limit, 0, validation::kMaxId).value_or(-1);
    if (auto check = validation::CheckListLimit(value); !check) return check.error();
    page.limit = static_cast<std::int32_t>(value);
  }
  auto offset = QueryValue(query, "offset");
  if (!offset) return offset.error();
  if (*offset) {
    const auto value = ParseDecimal(**offset, 0, validation::kMaxId).value_or(-1);
    if (auto check = validation::CheckListOffset(value); !check) return check.error();
    page.offset = value;
  }
  return page;
}

Result<std::optional<std::string>> ParseCategory(std::string_view query) {
  auto category = QueryValue(query, "category");
  if (!category) return category.error();
  if (*category) {
    if (auto check = validation::CheckCategory(**category); !check) return check.error();
  }
  return category;
}

Result<std::optional<std::string>> ParseIdempotencyKey(std::optional<std::string_view> header) {
  if (!header) return std::optional<std::string>();
  if (auto check = validation::CheckIdempotencyKey(*header, "Idempotency-Key"); !check) {
    return check.error();
  }
  return std::optional<std::string>(std::string(*header));
}

}  // namespace merch::api
