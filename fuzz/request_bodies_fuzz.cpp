// Every request body parser (services/api/src/dto/requests.hpp) on the same bytes, and the
// Idempotency-Key header: what one accepts keeps the rules of api/openapi.yaml.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dto/requests.hpp"
#include "fuzz_check.hpp"
#include "merch/common/validation.hpp"

namespace {

namespace validation = merch::validation;
using merch::fuzz::Require;

template <typename T>
void RequireRefusalIs400(const merch::Result<T>& result) {
  if (!result) {
    Require(result.error().code == merch::ErrorCode::kInvalidArgument, "a bad body is a 400");
    Require(!result.error().detail.empty(), "a 400 says why");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = merch::fuzz::AsText(data, size);

  const auto registration = merch::api::ParseRegisterBody(body);
  RequireRefusalIs400(registration);
  if (registration) {
    Require(validation::IsValidSid(registration->sid), "register: sid");
    Require(validation::IsValidUsername(registration->username), "register: username");
    Require(validation::IsValidEmail(registration->email), "register: email");
    Require(validation::IsValidPassword(registration->password), "register: password");
  }

  const auto login = merch::api::ParseLoginBody(body);
  RequireRefusalIs400(login);
  if (login) {
    Require(login->username.has_value() != login->sid.has_value(),
            "login: exactly one of username and sid");
    if (login->username) Require(validation::IsValidUsername(*login->username), "login: username");
    if (login->sid) Require(validation::IsValidSid(*login->sid), "login: sid");
    Require(validation::IsValidPassword(login->password), "login: password");
  }

  const auto update = merch::api::ParseUpdateUserBody(body);
  RequireRefusalIs400(update);
  if (update) {
    Require(update->username || update->email || update->password, "update: some field");
    if (update->username) {
      Require(validation::IsValidUsername(*update->username), "update: username");
    }
    if (update->email) Require(validation::IsValidEmail(*update->email), "update: email");
    if (update->password) {
      Require(validation::IsValidPassword(*update->password), "update: password");
    }
  }

  const auto order = merch::api::ParsePlaceOrderBody(body);
  RequireRefusalIs400(order);
  if (order) {
    Require(validation::IsValidId(order->product_id), "order: product_id");
    Require(validation::IsValidQuantity(order->quantity), "order: quantity");
  }

  // The same bytes as an Idempotency-Key header value: 1..255 printable ASCII characters.
  const auto key = merch::api::ParseIdempotencyKey(std::optional<std::string_view>(body));
  RequireRefusalIs400(key);
  if (key) {
    Require(key->has_value() && **key == body, "an accepted key is kept as sent");
    Require(!body.empty() && body.size() <= 255, "a key has 1..255 characters");
    for (const char c : body) Require(c >= 0x20 && c <= 0x7E, "a key is printable ASCII");
  }
  return 0;
}
