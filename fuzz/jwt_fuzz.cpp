// The bearer-token parser (services/api/src/auth/jwt.hpp). Two kinds of input, chosen by the
// first byte: a raw token as a client sends it, or a header and payload that the target signs
// with the service's key, so that the claim checks behind the signature are reached too.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "merch/auth/jwt.hpp"

namespace {

using merch::fuzz::Require;

constexpr std::string_view kSecret = "fuzzing-secret-of-at-least-32-bytes!";
constexpr std::int64_t kNow = 1'800'000'000;

std::string Sign(std::string_view input) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(), &length);
  return merch::auth::Base64UrlEncode({reinterpret_cast<const char*>(mac.data()), length});
}

void CheckClaims(const merch::auth::TokenClaims& claims) {
  Require(claims.user_id >= 1 && claims.user_id <= 2147483647, "sub is an id");
  Require(claims.expires_at == claims.issued_at + merch::auth::JwtCodec::kLifetimeSeconds,
          "exp = iat + 1 day");
  Require(kNow <= claims.expires_at + merch::auth::JwtCodec::kLeewaySeconds, "not expired");
  Require(claims.issued_at <= kNow + merch::auth::JwtCodec::kLeewaySeconds,
          "not issued in the future");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const merch::auth::JwtCodec codec{std::string(kSecret)};
  FuzzedDataProvider input(data, size);
  const bool signed_by_us = input.ConsumeBool();
  std::string token;
  if (signed_by_us) {
    const std::string header = input.ConsumeRandomLengthString(512);
    const std::string payload = input.ConsumeRemainingBytesAsString();
    const std::string signing_input =
        merch::auth::Base64UrlEncode(header) + "." + merch::auth::Base64UrlEncode(payload);
    token = signing_input + "." + Sign(signing_input);
  } else {
    token = input.ConsumeRemainingBytesAsString();
  }

  const auto claims = codec.Verify(token, kNow);
  if (claims) {
    const auto last_dot = token.rfind('.');
    Require(last_dot != std::string::npos &&
                token.substr(last_dot + 1) == Sign(std::string_view(token).substr(0, last_dot)),
            "only a token signed with the key is accepted");
    CheckClaims(*claims);
  } else {
    Require(claims.error().code == merch::ErrorCode::kUnauthenticated, "a bad token is a 401");
    // A short fixed reason for the log, so never the token (nor a part of it worth stealing).
    Require(claims.error().detail.size() <= 80, "the reason is short");
  }

  // Base64url is canonical: a decodable text is the one encoding of its bytes.
  if (const auto decoded = merch::auth::Base64UrlDecode(token)) {
    Require(merch::auth::Base64UrlEncode(*decoded) == token, "base64url is canonical");
  }
  Require(merch::auth::Base64UrlDecode(merch::auth::Base64UrlEncode(token)) == token,
          "base64url round-trips");
  return 0;
}
